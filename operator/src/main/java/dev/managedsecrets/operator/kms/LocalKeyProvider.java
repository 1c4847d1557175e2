package dev.managedsecrets.operator.kms;

import dev.managedsecrets.core.crypto.Aead;
import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.operator.kms.provider.KeyProvider;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code local} provider: key material lives in the operator's {@link Keyring}, wrapped under
 * its root key, and is used only in the operator's memory. A data key is wrapped with AES-256-GCM
 * under the material, with the key's ARN, the material version and the encryption context as
 * associated data (the keyring format 1 that every local keyring has used).
 */
public final class LocalKeyProvider implements KeyProvider {

  private final Keyring keyring;

  public LocalKeyProvider(Keyring keyring) {
    this.keyring = keyring;
  }

  @Override
  public String name() {
    return Keyring.LOCAL;
  }

  @Override
  public int createKey(String keyId) {
    return keyring.createLocalKey(keyId);
  }

  @Override
  public int rotate(String keyId) {
    return keyring.rotateLocalKey(keyId);
  }

  @Override
  public List<Integer> materialVersions(String keyId) {
    return keyring.localMaterialVersions(keyId);
  }

  @Override
  public NewDataKey generateDataKey(String keyId, int materialVersion, EncryptionContext context) {
    byte[] material =
        keyring
            .localMaterial(keyId, materialVersion)
            .orElseThrow(() -> missing(keyId, materialVersion, AwsError.ENCRYPTION_FAILURE));
    byte[] plaintext = Aead.randomKey();
    return new NewDataKey(
        plaintext, Aead.encrypt(material, plaintext, aad(keyId, materialVersion, context)));
  }

  @Override
  public byte[] decrypt(
      String keyId, int materialVersion, byte[] wrapped, EncryptionContext context) {
    byte[] material =
        keyring
            .localMaterial(keyId, materialVersion)
            .orElseThrow(() -> missing(keyId, materialVersion, AwsError.DECRYPTION_FAILURE));
    try {
      return Aead.decrypt(material, wrapped, aad(keyId, materialVersion, context));
    } catch (GeneralSecurityException e) {
      throw new SecretsManagerException(
          AwsError.DECRYPTION_FAILURE,
          "The data key did not unwrap under KMS key "
              + keyring.arn(keyId)
              + ": the key, its material or the encryption context does not match.");
    }
  }

  private SecretsManagerException missing(String keyId, int version, AwsError failure) {
    return new SecretsManagerException(
        failure,
        "Key material version "
            + version
            + " of KMS key "
            + keyring.arn(keyId)
            + " is not in the keyring.");
  }

  private byte[] aad(String keyId, int version, EncryptionContext context) {
    byte[] head = (keyring.arn(keyId) + "\n" + version + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] ctx = context.canonicalBytes();
    byte[] aad = Arrays.copyOf(head, head.length + ctx.length);
    System.arraycopy(ctx, 0, aad, head.length, ctx.length);
    return aad;
  }
}
