package dev.managedsecrets.operator.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The keys of KmsKey resources can't take the keyring Secret past {@link KeyringBound#MAX_BYTES},
 * however many there are, and a full keyring still does everything but grow. Each test starts from
 * a keyring that already holds keys of KmsKeys up to {@link #ROOM} bytes below the bound (written
 * as the operator records keys in another provider, which is quick to make); the keys the tests
 * make after those take the real path.
 */
class KeyringBoundTest {

  static final String LONGEST_NAMESPACE = "n".repeat(KmsKeyPolicy.MAX_NAMESPACE_LENGTH);
  static final int SECRET_DATA_LIMIT = 1024 * 1024;
  static final int ROOM = 8 * 1024;
  static final ObjectMapper JSON = new ObjectMapper();

  final Instant start = Instant.parse("2026-05-01T10:00:00.123456789Z");
  final Secret keyringSecret = nearlyFull(TestKeyrings.newKeyringSecret());
  final Keyring keyring = TestKeyrings.keyring(keyringSecret);
  final InMemoryKeyProvider hsm = new InMemoryKeyProvider("pkcs11");
  final KmsKeyManager keys =
      new KmsKeyManager(
          keyring,
          Map.of("local", new LocalKeyProvider(keyring), "pkcs11", hsm),
          "local",
          Clock.fixed(start, ZoneOffset.UTC));

  /** The namespace/name of the i-th KmsKey: as long as Kubernetes allows. */
  static String owner(int i) {
    String name = i + "-";
    return LONGEST_NAMESPACE
        + "/"
        + name
        + "k".repeat(KmsKeyPolicy.MAX_NAME_LENGTH - name.length());
  }

  /** Adds keys of KmsKeys in pkcs11, with the longest names, until {@link #ROOM} is left. */
  Secret nearlyFull(Secret secret) {
    try {
      List<Keyring.StoredKey> keys = new ArrayList<>(stored(secret));
      Keyring.StoredKey one = recorded(100_000);
      int each =
          KeyringBound.kmsKeyBytes(List.of(one, one)) - KeyringBound.kmsKeyBytes(List.of(one));
      for (int i = 0; (i + 1) * each < KeyringBound.MAX_BYTES - ROOM; i++) {
        keys.add(recorded(100_000 + i));
      }
      secret
          .getData()
          .put(
              KeyringSecret.KEYS, Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(keys)));
      return secret;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The record of a KmsKey's key in pkcs11, as the operator writes it. */
  Keyring.StoredKey recorded(int i) {
    return new Keyring.StoredKey(
        UUID.randomUUID().toString(),
        null,
        null,
        "pkcs11",
        List.of(1),
        owner(i),
        null,
        "Enabled",
        start.toString(),
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** Makes KmsKey keys until the keyring refuses one; returns the refusal. */
  SecretsManagerException fill(String provider) {
    for (int i = 0; i < 5000; i++) {
      try {
        keys.ensure(owner(i), KmsKeyManagerTest.NS_UID, provider, true);
      } catch (SecretsManagerException e) {
        return e;
      }
    }
    throw new AssertionError("5000 KmsKey keys and the keyring never refused one");
  }

  @Test
  void manyKmsKeysCannotPushTheKeyringPastItsBound() throws IOException {
    SecretsManagerException refused = fill("local");

    assertThat(refused.error()).isEqualTo(AwsError.LIMIT_EXCEEDED_EXCEPTION);
    assertThat(refused.getMessage()).contains("at most 786432 (768 KiB");
    assertThat(KeyringBound.kmsKeyBytes(stored())).isLessThanOrEqualTo(KeyringBound.MAX_BYTES);
    assertThat(secretDataBytes()).isLessThan(SECRET_DATA_LIMIT);
    // Every key that was made has its material: none was recorded without room for it.
    assertThat(keys.keys()).hasSizeGreaterThan(1000);
    assertThat(keys.keys()).allSatisfy(k -> assertThat(k.materialVersions()).containsExactly(1));
    // A rotation is refused too, and leaves the key as it was.
    Keyring.OwnedKey first = keys.find(owner(0), KmsKeyManagerTest.NS_UID).orElseThrow();
    assertThatThrownBy(() -> keys.rotateOnSchedule(first))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> assertThat(e.error()).isEqualTo(AwsError.LIMIT_EXCEEDED_EXCEPTION));
    assertThat(keyring.localMaterialVersions(first.keyId())).containsExactly(1);
  }

  @Test
  void aFullKeyringStillDisablesSchedulesDeletionsAndRecordsRequestsAndFreesRoomAfterTheWindow()
      throws IOException {
    fill("local");
    List<Keyring.OwnedKey> all = keys.keys();

    // Every change that adds no material still works: the bound counted each key at its largest.
    for (Keyring.OwnedKey key : all.subList(all.size() - 10, all.size())) {
      keys.schedule(key, start, Keyring.requestDigest("refused but handled"));
      keys.ensure(key.owner(), KmsKeyManagerTest.NS_UID, null, false);
      keys.scheduleDeletion(key.owner(), KmsKeyManagerTest.NS_UID, 7);
    }
    assertThat(KeyringBound.kmsKeyBytes(stored())).isLessThanOrEqualTo(KeyringBound.MAX_BYTES);
    assertThat(secretDataBytes()).isLessThan(SECRET_DATA_LIMIT);

    // After their window the keys are deleted for good, and new keys fit again.
    KmsKeyManager later =
        new KmsKeyManager(
            keyring,
            Map.of("local", new LocalKeyProvider(keyring)),
            "local",
            Clock.fixed(start.plus(Duration.ofDays(7)), ZoneOffset.UTC));
    assertThat(later.deleteExpired(owner -> false)).isEqualTo(10);
    assertThat(later.ensure("team-a/orders", KmsKeyManagerTest.NS_UID, null, true).change())
        .isEqualTo(KmsKeyManager.Change.CREATED);
  }

  @Test
  void aRotationTheKeyringHasNoRoomForIsRefusedBeforeTheProviderMakesMaterial() {
    Keyring.OwnedKey inHsm =
        keys.ensure("team-a/in-hsm", KmsKeyManagerTest.NS_UID, "pkcs11", true).key();
    fill("local");

    assertThatThrownBy(() -> keys.rotateOnDemand(inHsm, null, Keyring.requestDigest("1")))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> assertThat(e.error()).isEqualTo(AwsError.LIMIT_EXCEEDED_EXCEPTION));
    assertThat(hsm.materialVersions(inHsm.keyId()))
        .as("no HSM object or AWS KMS key was made that the keyring can't record")
        .containsExactly(1);
    assertThat(keys.find("team-a/in-hsm", KmsKeyManagerTest.NS_UID).orElseThrow()).isEqualTo(inHsm);
  }

  @Test
  void theOperatorsOwnDefaultKeyIsOutsideTheBound() {
    fill("local");

    KeyMetadata moved = keyring.ensureDefaultKey(new InMemoryKeyProvider("aws-kms"));

    assertThat(moved.provider()).isEqualTo("aws-kms");
    assertThat(keyring.defaultKey()).isEqualTo(moved);
  }

  @Test
  void twoHundredSixtyLocalKeysAtTwentySixMaterialVersionsWithTheLongestNamesFit()
      throws IOException {
    Secret secret = TestKeyrings.newKeyringSecret();
    Keyring fresh = TestKeyrings.keyring(secret);
    KmsKeyManager manager =
        new KmsKeyManager(
            fresh,
            Map.of("local", new LocalKeyProvider(fresh)),
            "local",
            Clock.fixed(start, ZoneOffset.UTC));
    Keyring.OwnedKey key = manager.ensure(owner(0), KmsKeyManagerTest.NS_UID, null, true).key();
    for (int i = 1; i <= KmsKeyPolicy.MAX_ON_DEMAND_ROTATIONS; i++) {
      key = manager.rotateOnDemand(key, null, Keyring.requestDigest("" + i));
    }
    Keyring.StoredKey largest =
        stored(secret).stream().filter(k -> k.owner() != null).findFirst().orElseThrow();

    // What docs/KMS.md says fits: the bound holds 261 such keys (each with a separating comma),
    // and the room for one more change besides.
    int each = KeyringBound.kmsKeyBytes(List.of(largest)) - 2;
    assertThat(key.materialVersions()).hasSize(26);
    assertThat(largest.materials()).hasSize(26);
    assertThat(2 + 261 * (each + 1) + KeyringBound.LARGEST_CHANGE)
        .isLessThanOrEqualTo(KeyringBound.MAX_BYTES);
  }

  @Test
  void theRoomKeptForOneChangeHoldsANewKeyAtItsLargest() throws IOException {
    for (String provider : List.of("local", "pkcs11")) {
      Secret secret = TestKeyrings.newKeyringSecret();
      Keyring fresh = TestKeyrings.keyring(secret);
      KmsKeyManager manager =
          new KmsKeyManager(
              fresh,
              Map.of(
                  "local",
                  new LocalKeyProvider(fresh),
                  "pkcs11",
                  new InMemoryKeyProvider("pkcs11")),
              "local",
              Clock.fixed(start, ZoneOffset.UTC));
      int before = KeyringBound.kmsKeyBytes(stored(secret));

      Keyring.OwnedKey key =
          manager.ensure(owner(0), KmsKeyManagerTest.NS_UID, provider, true).key();
      int created = KeyringBound.kmsKeyBytes(stored(secret));
      manager.rotateOnDemand(key, null, Keyring.requestDigest("1"));
      int rotated = KeyringBound.kmsKeyBytes(stored(secret));

      assertThat(key.owner()).hasSize(317);
      assertThat(created - before).as(provider).isLessThan(KeyringBound.LARGEST_CHANGE);
      assertThat(rotated - created).as(provider).isLessThan(KeyringBound.LARGEST_CHANGE);
    }
  }

  private List<Keyring.StoredKey> stored() throws IOException {
    return stored(keyringSecret);
  }

  static List<Keyring.StoredKey> stored(Secret secret) throws IOException {
    return JSON.readValue(
        Base64.getDecoder().decode(secret.getData().get(KeyringSecret.KEYS)),
        new TypeReference<>() {});
  }

  /** The Secret's data as Kubernetes counts it against its limit: the bytes of every value. */
  private int secretDataBytes() {
    return keyringSecret.getData().values().stream()
        .mapToInt(v -> Base64.getDecoder().decode(v).length)
        .sum();
  }
}
