package dev.managedsecrets.operator.kms;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.util.List;

/**
 * Keeps the keyring Secret below Kubernetes' 1 MiB limit on a Secret's data, whatever tenants do
 * with KmsKeys. The keys of KmsKey resources (every keys.json entry outside the operator's own
 * catalog, which has {@code aliases}) may take at most {@link #MAX_BYTES} of keys.json, each
 * counted at its largest: with its state, dates, request digest and count of on-demand rotations at
 * their longest. (The namespace incarnation a key belongs to is kept beside keys.json, in
 * incarnations.json: one uid per key, so bounded by the number of keys this bound allows.) So only
 * a new key or material version ever needs room; enabling, disabling, scheduling deletion and
 * recording a request never do, and work however full the keyring is. The operator's own keys (the
 * default key, and one more for each change of {@code kms.provider}) are outside the bound: tenants
 * can't crowd them out.
 */
final class KeyringBound {

  /** The most the keys of KmsKey resources take of keys.json, counted at their largest. */
  static final int MAX_BYTES = 768 * 1024;

  /**
   * More than one change adds at its largest: a new key with the longest owner (317 characters) and
   * its first material version, or one more material version.
   */
  static final int LARGEST_CHANGE = 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String LONGEST_STATE = KeyState.PENDING_DELETION.awsName();
  private static final String LONGEST_DATE = "9999-12-31T23:59:59.999999999Z";
  private static final String SOME_DIGEST = "0".repeat(64);
  private static final int LONGEST_COUNT = 99;

  private KeyringBound() {}

  /**
   * Refuses, before anything is made, when one more change might not fit.
   *
   * @throws SecretsManagerException LimitExceededException naming the bound
   */
  static void requireRoom(List<Keyring.StoredKey> keys) {
    int needed = kmsKeyBytes(keys) + LARGEST_CHANGE;
    if (needed > MAX_BYTES) {
      throw full(needed);
    }
  }

  /**
   * Refuses a write that makes the keys of KmsKey resources take more than the bound, unless it
   * makes them take less than before (a keyring that was past it can only shrink).
   *
   * @throws SecretsManagerException LimitExceededException naming the bound
   */
  static void check(List<Keyring.StoredKey> before, List<Keyring.StoredKey> after) {
    int taken = kmsKeyBytes(after);
    if (taken > MAX_BYTES && taken > kmsKeyBytes(before)) {
      throw full(taken);
    }
  }

  /** The bytes the keys of KmsKey resources take in keys.json, each at its largest. */
  static int kmsKeyBytes(List<Keyring.StoredKey> keys) {
    try {
      return JSON.writeValueAsBytes(
              keys.stream().filter(k -> k.aliases() == null).map(KeyringBound::atLargest).toList())
          .length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The entry with every field that changes without new material at its longest. */
  private static Keyring.StoredKey atLargest(Keyring.StoredKey k) {
    return new Keyring.StoredKey(
        k.keyId(),
        null,
        k.materials(),
        k.provider(),
        k.materialVersions(),
        k.owner(),
        null,
        LONGEST_STATE,
        LONGEST_DATE,
        LONGEST_DATE,
        LONGEST_DATE,
        LONGEST_DATE,
        k.rotationRequest(),
        SOME_DIGEST,
        Math.max(k.onDemandRotations() == null ? 0 : k.onDemandRotations(), LONGEST_COUNT));
  }

  private static SecretsManagerException full(int needed) {
    return new SecretsManagerException(
        AwsError.LIMIT_EXCEEDED_EXCEPTION,
        "The keyring has no room for another KMS key or material version: the keys of KmsKey"
            + " resources would need up to "
            + needed
            + " bytes of keyring Secret managedsecret-keyring, and may take at most "
            + MAX_BYTES
            + " (768 KiB; Kubernetes allows a Secret 1 MiB). Delete KmsKeys that are no longer"
            + " needed: their keys leave the keyring when their pending window ends.");
  }
}
