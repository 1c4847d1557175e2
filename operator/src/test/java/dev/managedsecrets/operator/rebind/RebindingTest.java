package dev.managedsecrets.operator.rebind;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.crypto.RecordMac;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.operator.kms.KeyState;
import dev.managedsecrets.operator.kms.Keyring;
import dev.managedsecrets.operator.kms.TestKeyrings;
import dev.managedsecrets.operator.manager.InMemorySecretStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RebindingTest {

  static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
  static final String KEY_ID = "6c1d2e3f-1111-4222-8333-944455556666";

  final InMemorySecretStore store = new InMemorySecretStore();
  final Keyring keyring = TestKeyrings.newKeyring();
  final Rebinding rebinding = new Rebinding(store, keyring);

  StoredSecret made(String namespace, String name, String incarnation) {
    SecretId id = new SecretId(namespace, name).in(incarnation);
    return store.create(StoredSecret.create(id, "arn:" + name + "-" + incarnation, "ms", "u", T0));
  }

  @Test
  void theNamespaceAsItIsNowTakesTheRecordsAndKeysOfTheEarlierIncarnationWithTheirIdsAndArns() {
    StoredSecret db = made("team-a", "team-a/db", "uid-old");
    StoredSecret api = made("team-a", "team-a/api", "uid-old");
    StoredSecret other = made("team-a", "team-a/db", "uid-older");
    StoredSecret elsewhere = made("team-b", "team-b/db", "uid-old");
    keyring.recordOwnedKey(KEY_ID, "team-a/orders", "uid-old", "local", KeyState.ENABLED, T0);

    Rebinding.Result result = rebinding.rebind("team-a", "uid-old", "uid-new", false);

    assertThat(result.conflicts()).isEmpty();
    assertThat(result.rebound())
        .containsExactlyInAnyOrder(
            "Re-bound secret team-a/db (arn:team-a/db-uid-old)",
            "Re-bound secret team-a/api (arn:team-a/api-uid-old)",
            "Re-bound KMS key " + KEY_ID + " of KmsKey team-a/orders");
    for (StoredSecret s : List.of(db, api)) {
      StoredSecret now = store.find(s.id()).orElseThrow();
      assertThat(now.namespaceUid()).isEqualTo("uid-new");
      assertThat(now.arn()).isEqualTo(s.arn());
    }
    assertThat(store.find(other.id()).orElseThrow().namespaceUid()).isEqualTo("uid-older");
    assertThat(store.find(elsewhere.id()).orElseThrow().namespaceUid()).isEqualTo("uid-old");
    assertThat(keyring.ownedKey("team-a/orders", "uid-new").orElseThrow().keyId())
        .isEqualTo(KEY_ID);
  }

  @Test
  void aNameOrKmsKeyTheNamespaceHasOfItsOwnIsLeftAsItIsAndReported() {
    StoredSecret old = made("team-a", "team-a/db", "uid-old");
    StoredSecret own = made("team-a", "team-a/db", "uid-new");
    keyring.recordOwnedKey(KEY_ID, "team-a/orders", "uid-old", "local", KeyState.ENABLED, T0);
    keyring.recordOwnedKey(
        "7d1d2e3f-1111-4222-8333-944455556666",
        "team-a/orders",
        "uid-new",
        "local",
        KeyState.ENABLED,
        T0);

    Rebinding.Result result = rebinding.rebind("team-a", "uid-old", "uid-new", false);

    assertThat(result.rebound()).isEmpty();
    assertThat(result.conflicts())
        .containsExactly(
            "Left secret team-a/db (arn:team-a/db-uid-old): namespace team-a (uid uid-new) has"
                + " its own secret of that name (arn:team-a/db-uid-new)",
            "Left KMS key "
                + KEY_ID
                + " of KmsKey team-a/orders: namespace team-a (uid uid-new) has its own key for"
                + " that KmsKey");
    assertThat(store.find(old.id())).contains(old);
    assertThat(store.find(own.id())).contains(own);
    assertThat(keyring.ownedKeyById(KEY_ID).orElseThrow().namespaceUid()).isEqualTo("uid-old");
  }

  @Test
  void aDryRunSaysWhatItWouldDoAndChangesNothing() {
    StoredSecret old = made("team-a", "team-a/db", "uid-old");

    Rebinding.Result result = rebinding.rebind("team-a", "uid-old", "uid-new", true);

    assertThat(result.rebound()).hasSize(1);
    assertThat(store.find(old.id())).contains(old);
  }

  @Test
  void theIncarnationsAreListedByNamespaceAndUidWithWhatEachHolds() {
    made("team-a", "team-a/db", "uid-old");
    made("team-a", "team-a/api", "uid-old");
    made("team-a", "team-a/db", "uid-new");
    store.create(StoredSecret.create(new SecretId("team-b", "team-b/x"), "arn:x", "x", "u", T0));
    keyring.recordOwnedKey(KEY_ID, "team-a/orders", "uid-old", "local", KeyState.ENABLED, T0);

    assertThat(rebinding.incarnations())
        .containsExactly(
            new Rebinding.Incarnation("team-a", "uid-new", 1, 0),
            new Rebinding.Incarnation("team-a", "uid-old", 2, 1),
            new Rebinding.Incarnation("team-b", "-", 1, 0));
  }

  /** The record as the operator wrote it, at {@code sequence}. */
  StoredSecret sealed(RecordMac mac, StoredSecret record, long sequence) {
    StoredSecret s = mac.seal(record, sequence);
    store.records.put(s.id(), s);
    return s;
  }

  @Test
  void aReBoundRecordKeepsAMacUnderTheKeyring() {
    StoredSecret old = made("team-a", "team-a/db", "uid-old");

    rebinding.rebind("team-a", "uid-old", "uid-new", false);

    StoredSecret now = store.find(old.id()).orElseThrow();
    assertThat(now.namespaceUid()).isEqualTo("uid-new");
    assertThat(new RecordMac(new KeyedHash(keyring.hashKey())).verifies(now)).isTrue();
  }

  /**
   * A store restored over newer records on purpose: each record older than what its ManagedSecret's
   * status remembers (or without a MAC, where the status says it had one) is written again past
   * that, under the keyring's MAC; the others are left as they are.
   */
  @Test
  void acceptingARestoredStoreWritesTheOlderRecordsPastTheirAnchorsAndNothingElse() {
    RecordMac mac = new RecordMac(new KeyedHash(keyring.hashKey()));
    StoredSecret older = sealed(mac, made("team-a", "team-a/db", "uid-a"), 2);
    StoredSecret newer = sealed(mac, made("team-b", "team-b/db", "uid-b"), 4);
    StoredSecret unsealed = made("team-a", "team-a/api", "uid-a");
    StoredSecret unknown = sealed(mac, made("team-a", "team-a/x", "uid-a"), 1);
    Map<String, Long> anchors =
        Map.of(older.arn(), 5L, newer.arn(), 3L, unsealed.arn(), 2L, "arn:gone", 9L);

    Rebinding.Result dryRun = rebinding.acceptRestored(anchors, true);
    assertThat(store.find(older.id())).contains(older);

    Rebinding.Result result = rebinding.acceptRestored(anchors, false);

    assertThat(result.rebound())
        .containsExactlyInAnyOrder(
            "Accepted the restored record of secret team-a/db (arn:team-a/db-uid-a): sequence 2,"
                + " its ManagedSecret last saw 5",
            "Accepted the restored record of secret team-a/api (arn:team-a/api-uid-a): sequence"
                + " 0, its ManagedSecret last saw 2")
        .isEqualTo(dryRun.rebound());
    for (StoredSecret s : List.of(older, unsealed)) {
      StoredSecret now = store.find(s.id()).orElseThrow();
      assertThat(now.sequence()).isEqualTo(anchors.get(s.arn()) + 1);
      assertThat(mac.verifies(now)).isTrue();
      assertThat(now.versions()).isEqualTo(s.versions());
    }
    assertThat(store.find(newer.id())).contains(newer);
    assertThat(store.find(unknown.id())).contains(unknown);
  }
}
