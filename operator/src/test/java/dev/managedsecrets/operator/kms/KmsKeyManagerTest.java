package dev.managedsecrets.operator.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class KmsKeyManagerTest {

  static final String OWNER = "team-a/orders";
  static final String NS_UID = "uid-team-a";

  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-05-01T10:00:00Z"));
  final Clock clock =
      new Clock() {
        @Override
        public Instant instant() {
          return now.get();
        }

        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }
      };
  final Secret keyringSecret = TestKeyrings.newKeyringSecret();
  final Keyring keyring = TestKeyrings.keyring(keyringSecret);
  final InMemoryKeyProvider hsm = new InMemoryKeyProvider("pkcs11");
  final KmsKeyManager keys = manager(keyring);

  KmsKeyManager manager(Keyring k) {
    return new KmsKeyManager(
        k, Map.of("local", new LocalKeyProvider(k), "pkcs11", hsm), "local", clock);
  }

  @Test
  void aNewKmsKeyGetsAKeyWithMaterialVersionOneInTheDefaultProvider() {
    KmsKeyManager.Ensured ensured = keys.ensure(OWNER, NS_UID, null, true);

    assertThat(ensured.change()).isEqualTo(KmsKeyManager.Change.CREATED);
    Keyring.OwnedKey key = ensured.key();
    assertThat(key.owner()).isEqualTo(OWNER);
    assertThat(key.provider()).isEqualTo("local");
    assertThat(key.materialVersions()).containsExactly(1);
    assertThat(key.state()).isEqualTo(KeyState.ENABLED);
    assertThat(key.createdDate()).isEqualTo(now.get());
    assertThat(keys.ensure(OWNER, NS_UID, null, true))
        .isEqualTo(new KmsKeyManager.Ensured(key, KmsKeyManager.Change.NONE));
  }

  @Test
  void theKeyIdAndMaterialVersionsSurviveARestartFromTheKeyringSecretAlone() {
    Keyring.OwnedKey key = keys.ensure(OWNER, NS_UID, "pkcs11", true).key();
    keys.rotateOnDemand(key, null, null);

    // A new operator reads the same keyring Secret: no KmsKey status is needed.
    KmsKeyManager restarted = manager(TestKeyrings.keyring(keyringSecret));
    Keyring.OwnedKey found = restarted.ensure(OWNER, NS_UID, null, true).key();

    assertThat(found.keyId()).isEqualTo(key.keyId());
    assertThat(found.provider()).isEqualTo("pkcs11");
    assertThat(found.materialVersions()).containsExactly(1, 2);
    assertThat(hsm.materialVersions(key.keyId())).containsExactly(1, 2);
  }

  @Test
  void aKeyRecordedBeforeARestartThatMadeNoMaterialGetsItsMaterialThen() {
    keyring.recordOwnedKey(
        "6b0d1c62-6f44-4a39-a4c8-0d1d2f1f0a11",
        OWNER,
        NS_UID,
        "pkcs11",
        KeyState.ENABLED,
        now.get());

    Keyring.OwnedKey key = keys.ensure(OWNER, NS_UID, null, true).key();

    assertThat(key.keyId()).isEqualTo("6b0d1c62-6f44-4a39-a4c8-0d1d2f1f0a11");
    assertThat(key.materialVersions()).containsExactly(1);
    assertThat(hsm.materialVersions(key.keyId())).containsExactly(1);
  }

  @Test
  void disablingAndEnablingAreRecordedInTheKeyring() {
    Keyring.OwnedKey key = keys.ensure(OWNER, NS_UID, null, true).key();

    assertThat(keys.ensure(OWNER, NS_UID, null, false).change())
        .isEqualTo(KmsKeyManager.Change.DISABLED);
    assertThat(keyring.ownedKeyById(key.keyId()).orElseThrow().state())
        .isEqualTo(KeyState.DISABLED);
    assertThat(keys.ensure(OWNER, NS_UID, null, true).change())
        .isEqualTo(KmsKeyManager.Change.ENABLED);
  }

  @Test
  void rotatingAddsMaterialAndKeepsTheOldForDecryption() {
    Keyring.OwnedKey key = keys.ensure(OWNER, NS_UID, null, true).key();
    Instant started = now.get();
    now.set(started.plus(Duration.ofDays(3)));

    Keyring.OwnedKey rotated = keys.rotateOnDemand(key, started, Keyring.requestDigest("first"));

    assertThat(rotated.materialVersions()).containsExactly(1, 2);
    assertThat(rotated.lastRotatedDate()).isEqualTo(now.get());
    assertThat(rotated.rotationStart()).isEqualTo(started);
    assertThat(rotated.rotationRequest()).isEqualTo(Keyring.requestDigest("first"));
    assertThat(keyring.localMaterial(key.keyId(), 1)).isPresent();
    assertThat(keyring.localMaterial(key.keyId(), 2)).isPresent();
  }

  /** Rotates the key on request {@code times} times, as new rotate-key values would. */
  Keyring.OwnedKey rotateOnRequest(Keyring.OwnedKey key, int times) {
    for (int i = 1; i <= times; i++) {
      key = keys.rotateOnDemand(key, null, Keyring.requestDigest("request " + i));
    }
    return key;
  }

  @Test
  void theTwentySixthRotationOnRequestIsRefusedAndTheKeyStaysAtTwentySixMaterialVersions() {
    for (String provider : List.of("local", "pkcs11")) {
      String owner = "team-a/" + provider;
      Keyring.OwnedKey key = rotateOnRequest(keys.ensure(owner, NS_UID, provider, true).key(), 25);
      assertThat(key.materialVersions()).hasSize(26);
      assertThat(key.onDemandRotations()).isEqualTo(25);
      Keyring.OwnedKey last = key;

      assertThatThrownBy(() -> keys.rotateOnDemand(last, null, Keyring.requestDigest("26")))
          .isInstanceOfSatisfying(
              SecretsManagerException.class,
              e -> {
                assertThat(e.error()).isEqualTo(AwsError.LIMIT_EXCEEDED_EXCEPTION);
                assertThat(e.getMessage())
                    .contains("rotated on request 25 times")
                    .contains("stays at material version 26");
              });
      assertThat(keys.find(owner, NS_UID).orElseThrow()).isEqualTo(last);
      List<Integer> held =
          provider.equals("local")
              ? keyring.localMaterialVersions(key.keyId())
              : hsm.materialVersions(key.keyId());
      assertThat(held).as(provider).hasSize(26);
    }
  }

  @Test
  void theCountOfRotationsOnRequestSurvivesARestart() {
    rotateOnRequest(keys.ensure(OWNER, NS_UID, null, true).key(), 25);

    KmsKeyManager restarted = manager(TestKeyrings.keyring(keyringSecret));
    Keyring.OwnedKey found = restarted.ensure(OWNER, NS_UID, null, true).key();

    assertThat(found.onDemandRotations()).isEqualTo(25);
    assertThatThrownBy(() -> restarted.rotateOnDemand(found, null, Keyring.requestDigest("26")))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> assertThat(e.error()).isEqualTo(AwsError.LIMIT_EXCEEDED_EXCEPTION));
  }

  @Test
  void automaticRotationsDoNotCountAgainstTheRotationsOnRequest() {
    Keyring.OwnedKey key = rotateOnRequest(keys.ensure(OWNER, NS_UID, null, true).key(), 25);
    now.set(now.get().plus(Duration.ofDays(90)));

    Keyring.OwnedKey rotated = keys.rotateOnSchedule(key);

    assertThat(rotated.materialVersions()).hasSize(27);
    assertThat(rotated.onDemandRotations()).isEqualTo(25);
    assertThat(rotated.rotationStart()).isEqualTo(now.get());
    assertThat(rotated.rotationRequest()).isEqualTo(key.rotationRequest());
  }

  @Test
  void aDeletedKmsKeysKeyIsPendingDeletionForItsWindowAndKeepsItsFirstDate() {
    Keyring.OwnedKey key = keys.ensure(OWNER, NS_UID, null, true).key();

    Keyring.OwnedKey pending = keys.scheduleDeletion(OWNER, NS_UID, 7).orElseThrow();

    assertThat(pending.state()).isEqualTo(KeyState.PENDING_DELETION);
    assertThat(pending.deletionDate()).isEqualTo(now.get().plus(Duration.ofDays(7)));
    now.set(now.get().plus(Duration.ofDays(1)));
    assertThat(keys.scheduleDeletion(OWNER, NS_UID, 30).orElseThrow().deletionDate())
        .isEqualTo(pending.deletionDate());
    assertThat(keys.scheduleDeletion("team-a/never-made", NS_UID, 30)).isEmpty();
    assertThat(keyring.ownedKeyById(key.keyId())).contains(pending);
  }

  @Test
  void reCreatingTheKmsKeyInsideTheWindowCancelsTheDeletionAndKeepsTheKey() {
    Keyring.OwnedKey key = keys.ensure(OWNER, NS_UID, null, true).key();
    keys.scheduleDeletion(OWNER, NS_UID, 7);
    now.set(now.get().plus(Duration.ofDays(6)));

    KmsKeyManager.Ensured again = keys.ensure(OWNER, NS_UID, null, true);

    assertThat(again.change()).isEqualTo(KmsKeyManager.Change.DELETION_CANCELED);
    assertThat(again.key().keyId()).isEqualTo(key.keyId());
    assertThat(again.key().state()).isEqualTo(KeyState.ENABLED);
    assertThat(again.key().deletionDate()).isNull();
  }

  @Test
  void afterTheWindowTheKeyAndItsMaterialAreGoneForGood() {
    Keyring.OwnedKey key = keys.ensure(OWNER, NS_UID, null, true).key();
    keys.scheduleDeletion(OWNER, NS_UID, 7);
    now.set(now.get().plus(Duration.ofDays(7)));

    assertThat(keys.deleteExpired(owner -> false)).isEqualTo(1);

    assertThat(keyring.ownedKeyById(key.keyId())).isEmpty();
    assertThat(keyring.localMaterial(key.keyId(), 1)).isEmpty();
    // A KmsKey of that name made afterwards gets a new key.
    assertThat(keys.ensure(OWNER, NS_UID, null, true).key().keyId()).isNotEqualTo(key.keyId());
  }

  @Test
  void aKmsKeyReCreatedAfterTheWindowGetsANewKey() {
    Keyring.OwnedKey key = keys.ensure(OWNER, NS_UID, null, true).key();
    keys.scheduleDeletion(OWNER, NS_UID, 7);
    now.set(now.get().plus(Duration.ofDays(8)));

    // The maintenance job leaves it to the reconcile of the re-created KmsKey.
    assertThat(keys.deleteExpired(owner -> true)).isZero();
    KmsKeyManager.Ensured again = keys.ensure(OWNER, NS_UID, null, true);

    assertThat(again.change()).isEqualTo(KmsKeyManager.Change.CREATED);
    assertThat(again.key().keyId()).isNotEqualTo(key.keyId());
    assertThat(keyring.ownedKeyById(key.keyId())).isEmpty();
  }

  @Test
  void aKeyCannotMoveToAnotherProvider() {
    keys.ensure(OWNER, NS_UID, "local", true);

    assertThatThrownBy(() -> keys.ensure(OWNER, NS_UID, "pkcs11", true))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> {
              assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
              assertThat(e.getMessage()).contains("lives in provider local, not pkcs11");
            });
  }

  @Test
  void keysOfAnotherProviderAreRecordedWithTheirMaterialVersionsAndNoMaterial() {
    Keyring.OwnedKey key = keys.ensure(OWNER, NS_UID, "pkcs11", true).key();
    Keyring.OwnedKey rotated = keys.rotateOnDemand(key, null, null);

    assertThat(rotated.materialVersions()).containsExactly(1, 2);
    assertThat(keyring.localMaterial(key.keyId(), 1)).isEmpty();
    assertThat(keys.findByIdOrArn(keyring.arn(key.keyId()))).contains(rotated);
    assertThat(keys.findByIdOrArn(key.keyId())).contains(rotated);
    assertThat(keys.keys()).containsExactly(rotated);
    assertThat(keys.find(OWNER, NS_UID)).contains(rotated);
    assertThat(keyring.ownedKeys()).extracting(Keyring.OwnedKey::owner).containsExactly(OWNER);
    assertThat(keyring.find(key.keyId())).as("not a key of the keyring's own catalog").isEmpty();
    assertThat(List.of(keys.providers().toArray())).containsExactlyInAnyOrder("local", "pkcs11");
  }

  // ---- namespace incarnations ----

  @Test
  void aKmsKeyOfANamespaceMadeAgainGetsANewKeyAndTheOldOneStaysPendingUntilItsWindowEnds() {
    Keyring.OwnedKey old = keys.ensure(OWNER, NS_UID, null, true).key();
    Keyring.OwnedKey pending = keys.scheduleDeletion(OWNER, NS_UID, 7).orElseThrow();

    // team-a deleted and made again: its KmsKey orders, inside the old key's window.
    KmsKeyManager.Ensured fresh = keys.ensure(OWNER, "uid-team-a-2", null, true);

    assertThat(fresh.change()).isEqualTo(KmsKeyManager.Change.CREATED);
    assertThat(fresh.key().keyId()).isNotEqualTo(old.keyId());
    assertThat(fresh.key().namespaceUid()).isEqualTo("uid-team-a-2");
    assertThat(keyring.ownedKeyById(old.keyId())).contains(pending);
    assertThat(keys.find(OWNER, NS_UID)).contains(pending);
    assertThat(keys.find(OWNER, "uid-team-a-2")).contains(fresh.key());
    // Its window ends: the old key goes, though a KmsKey of its name lives in the new namespace.
    now.set(now.get().plus(Duration.ofDays(7)));
    assertThat(keys.deleteExpired(key -> "uid-team-a-2".equals(key.namespaceUid()))).isEqualTo(1);
    assertThat(keyring.ownedKeyById(old.keyId())).isEmpty();
    assertThat(keyring.ownedKeyById(fresh.key().keyId())).isPresent();
  }

  @Test
  void aKeyRecordedBeforeIncarnationsIsTakenByTheFirstKmsKeyThatClaimsIt() {
    keyring.recordOwnedKey(
        "4b1c7d2e-1111-4222-8333-944455556666", OWNER, null, "local", KeyState.ENABLED, now.get());

    KmsKeyManager.Ensured taken = keys.ensure(OWNER, NS_UID, null, true);

    assertThat(taken.key().keyId()).isEqualTo("4b1c7d2e-1111-4222-8333-944455556666");
    assertThat(taken.key().namespaceUid()).isEqualTo(NS_UID);
    assertThat(manager(TestKeyrings.keyring(keyringSecret)).find(OWNER, NS_UID))
        .as("recorded in the keyring Secret")
        .map(Keyring.OwnedKey::namespaceUid)
        .contains(NS_UID);
    assertThat(keys.ensure(OWNER, "uid-team-a-2", null, true).key().keyId())
        .isNotEqualTo("4b1c7d2e-1111-4222-8333-944455556666");
  }
}
