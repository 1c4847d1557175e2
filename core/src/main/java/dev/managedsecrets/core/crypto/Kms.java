package dev.managedsecrets.core.crypto;

/**
 * A key management service, shaped after AWS KMS: data keys are generated and unwrapped under a key
 * with an encryption context that must match on both calls. Key material never leaves the provider
 * except as wrapped data keys.
 */
public interface Kms {

  /**
   * Resolves what a ManagedSecret names in kmsKeyId (null for the default key) to a key ARN that
   * the namespace may use.
   *
   * @throws dev.managedsecrets.core.secret.SecretsManagerException when the key does not exist or
   *     the namespace may not use it
   */
  String resolve(String kmsKeyId, String namespace);

  /** Returns a fresh 256-bit data key, wrapped under the key's newest material. */
  DataKey generateDataKey(String keyArn, EncryptionContext context);

  /**
   * Unwraps a data key; fails with DecryptionFailure unless key, material and context all match.
   */
  byte[] decrypt(String keyArn, int materialVersion, byte[] wrapped, EncryptionContext context);
}
