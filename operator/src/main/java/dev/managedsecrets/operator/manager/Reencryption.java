package dev.managedsecrets.operator.manager;

import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.secret.SpecGeneration;
import dev.managedsecrets.core.secret.StagingLabels;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.operator.store.SecretStore;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Changing a secret's KMS key, as AWS Secrets Manager does: the versions labelled AWSCURRENT,
 * AWSPENDING and AWSPREVIOUS are re-encrypted under the new key (same version ids and values, a
 * fresh data key each, in the current envelope format, so a version of format 1 is then of format
 * 2); other versions stay under the key and in the format they were sealed with and keep opening
 * with them. Nothing is done, and no KMS call made, unless such a version is under another key.
 */
final class Reencryption {

  private final SecretStore store;
  private final EnvelopeCipher cipher;

  Reencryption(SecretStore store, EnvelopeCipher cipher) {
    this.store = store;
    this.cipher = cipher;
  }

  /** The labelled versions whose key is not {@code keyArn}. */
  static List<StoredVersion> underAnotherKey(StoredSecret secret, String keyArn) {
    return secret.versions().stream()
        .filter(v -> v.stages().stream().anyMatch(StagingLabels.SYSTEM::contains))
        .filter(v -> !keyArn.equals(v.kmsKeyArn()))
        .toList();
  }

  /**
   * Re-encrypts the labelled versions under another key than {@code keyArn}, the key of the spec
   * generation {@code spec}. The new envelopes are durable in the store before the record points at
   * them (SecretStore#replaceEnvelopes).
   *
   * @throws StaleSpecException before any KMS call, when a later generation of the ManagedSecret
   *     than {@code spec} wrote the record
   */
  StoredSecret apply(StoredSecret secret, String keyArn, SpecGeneration spec) {
    List<StoredVersion> stale = underAnotherKey(secret, keyArn);
    if (stale.isEmpty() || secret.scheduledForDeletion()) {
      return secret;
    }
    StaleSpecException.requireCurrent(secret, spec);
    Map<String, byte[]> envelopes = new LinkedHashMap<>();
    for (StoredVersion v : stale) {
      EncryptionContext context = EncryptionContext.forVersion(secret.arn(), v.versionId());
      byte[] plaintext = cipher.open(store.readVersion(secret.id(), v), context, secret.id());
      try {
        envelopes.put(v.versionId(), cipher.seal(keyArn, context, secret.id(), plaintext));
      } finally {
        Arrays.fill(plaintext, (byte) 0);
      }
    }
    List<StoredVersion> next =
        secret.versions().stream()
            .map(v -> envelopes.containsKey(v.versionId()) ? v.withKmsKeyArn(keyArn) : v)
            .toList();
    return store.replaceEnvelopes(
        secret.withVersions(next, secret.lastChangedDate()).writtenBy(spec), envelopes);
  }
}
