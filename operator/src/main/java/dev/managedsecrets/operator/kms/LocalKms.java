package dev.managedsecrets.operator.kms;

import dev.managedsecrets.operator.crypto.Aead;
import dev.managedsecrets.operator.crypto.EncryptionContext;
import dev.managedsecrets.operator.secret.AwsError;
import dev.managedsecrets.operator.secret.SecretsManagerException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * The default KMS provider: key material lives in the operator's keyring (a Secret in its own
 * namespace), wrapped under the keyring's root key, and is used only in the operator's memory.
 */
public final class LocalKms implements Kms {

  public static final String DEFAULT_ALIAS = "alias/managedsecrets";

  private final Keyring keyring;

  public LocalKms(Keyring keyring) {
    this.keyring = keyring;
  }

  @Override
  public String resolve(String kmsKeyId, String namespace) {
    Keyring.Key key = keyring.defaultKey();
    if (kmsKeyId == null
        || kmsKeyId.equals(DEFAULT_ALIAS)
        || kmsKeyId.equals(key.keyId())
        || kmsKeyId.equals(key.arn())) {
      return key.arn();
    }
    throw new SecretsManagerException(
        AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
        "The KMS key "
            + kmsKeyId
            + " was not found. This version of the operator has the default key "
            + DEFAULT_ALIAS
            + " only: omit kmsKeyId or name that alias.");
  }

  @Override
  public DataKey generateDataKey(String keyArn, EncryptionContext context) {
    Keyring.Key key = usable(keyArn, AwsError.ENCRYPTION_FAILURE);
    Keyring.Material material = key.newestMaterial();
    byte[] plaintext = Aead.randomKey();
    byte[] wrapped =
        Aead.encrypt(material.bytes(), plaintext, aad(key, material.version(), context));
    return new DataKey(plaintext, wrapped, key.arn(), material.version());
  }

  @Override
  public byte[] decrypt(
      String keyArn, int materialVersion, byte[] wrapped, EncryptionContext context) {
    Keyring.Key key = usable(keyArn, AwsError.DECRYPTION_FAILURE);
    Keyring.Material material =
        key.material(materialVersion)
            .orElseThrow(
                () ->
                    new SecretsManagerException(
                        AwsError.DECRYPTION_FAILURE,
                        "Key material version "
                            + materialVersion
                            + " of KMS key "
                            + keyArn
                            + " is not in the keyring."));
    try {
      return Aead.decrypt(material.bytes(), wrapped, aad(key, materialVersion, context));
    } catch (GeneralSecurityException e) {
      throw new SecretsManagerException(
          AwsError.DECRYPTION_FAILURE,
          "The data key did not unwrap under KMS key "
              + keyArn
              + ": the key, its material or the encryption context does not match.");
    }
  }

  private Keyring.Key usable(String keyArn, AwsError failure) {
    return keyring
        .key(keyArn)
        .orElseThrow(
            () ->
                new SecretsManagerException(
                    failure, "The KMS key " + keyArn + " is not in the operator's keyring."));
  }

  private static byte[] aad(Keyring.Key key, int version, EncryptionContext context) {
    byte[] head = (key.arn() + "\n" + version + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] ctx = context.canonicalBytes();
    byte[] aad = Arrays.copyOf(head, head.length + ctx.length);
    System.arraycopy(ctx, 0, aad, head.length, ctx.length);
    return aad;
  }
}
