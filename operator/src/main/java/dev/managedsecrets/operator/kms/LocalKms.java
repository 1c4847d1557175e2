package dev.managedsecrets.operator.kms;

import dev.managedsecrets.core.crypto.DataKey;
import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.crypto.Kms;
import java.util.Map;

/**
 * The KMS of an operator whose keys all live in its keyring: {@link ProviderKms} over the keyring
 * with the {@code local} provider only.
 */
public final class LocalKms implements Kms {

  public static final String DEFAULT_ALIAS = ProviderKms.DEFAULT_ALIAS;

  private final Kms kms;

  public LocalKms(Keyring keyring) {
    this.kms = new ProviderKms(keyring, Map.of(Keyring.LOCAL, new LocalKeyProvider(keyring)));
  }

  @Override
  public String resolve(String kmsKeyId, String namespace) {
    return kms.resolve(kmsKeyId, namespace);
  }

  @Override
  public DataKey generateDataKey(String keyArn, EncryptionContext context) {
    return kms.generateDataKey(keyArn, context);
  }

  @Override
  public byte[] decrypt(
      String keyArn, int materialVersion, byte[] wrapped, EncryptionContext context) {
    return kms.decrypt(keyArn, materialVersion, wrapped, context);
  }
}
