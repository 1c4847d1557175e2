package dev.managedsecrets.operator.kms;

import dev.managedsecrets.core.crypto.DataKey;
import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.operator.kms.provider.KeyProvider;
import java.util.Map;

/**
 * The operator's {@link Kms}: finds a key in the catalog, checks its state, and has the provider
 * that holds its material make or open the data key. New data keys use the key's newest material
 * version; old versions open under the material they name.
 */
public final class ProviderKms implements Kms {

  public static final String DEFAULT_ALIAS = "alias/managedsecrets";

  private final KeyCatalog catalog;
  private final Map<String, KeyProvider> providers;

  public ProviderKms(KeyCatalog catalog, Map<String, KeyProvider> providers) {
    this.catalog = catalog;
    this.providers = Map.copyOf(providers);
  }

  @Override
  public String resolve(String kmsKeyId, String namespace) {
    String reference = kmsKeyId == null ? DEFAULT_ALIAS : kmsKeyId;
    KeyMetadata key =
        catalog
            .find(reference, namespace)
            .orElseThrow(
                () ->
                    new SecretsManagerException(
                        AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
                        "The KMS key "
                            + reference
                            + " was not found. Omit kmsKeyId for the default key "
                            + DEFAULT_ALIAS
                            + ", or name a key this namespace may use: an alias or KmsKey name"
                            + " of this namespace, or a key id or ARN."));
    if (!key.allows(namespace)) {
      // Only a key id or ARN reaches a key of another namespace; as AWS KMS does for a key of
      // another account, the key policy's refusal is AccessDeniedException.
      throw new SecretsManagerException(
          AwsError.ACCESS_DENIED_EXCEPTION,
          "Namespace "
              + namespace
              + " is not allowed to use the KMS key "
              + key.arn()
              + ": its key policy (the KmsKey's allowedNamespaces) does not include this"
              + " namespace.");
    }
    return key.arn();
  }

  @Override
  public DataKey generateDataKey(String keyArn, EncryptionContext context) {
    KeyMetadata key = usable(keyArn, AwsError.ENCRYPTION_FAILURE);
    int version = key.newestMaterialVersion();
    if (version == 0) {
      throw new SecretsManagerException(
          AwsError.ENCRYPTION_FAILURE, "The KMS key " + keyArn + " has no key material yet.");
    }
    KeyProvider.NewDataKey dataKey =
        provider(key, AwsError.ENCRYPTION_FAILURE).generateDataKey(key.keyId(), version, context);
    return new DataKey(dataKey.plaintext(), dataKey.wrapped(), key.arn(), version);
  }

  @Override
  public byte[] decrypt(
      String keyArn, int materialVersion, byte[] wrapped, EncryptionContext context) {
    KeyMetadata key = usable(keyArn, AwsError.DECRYPTION_FAILURE);
    if (!key.materialVersions().contains(materialVersion)) {
      throw new SecretsManagerException(
          AwsError.DECRYPTION_FAILURE,
          "Key material version " + materialVersion + " of KMS key " + keyArn + " does not exist.");
    }
    return provider(key, AwsError.DECRYPTION_FAILURE)
        .decrypt(key.keyId(), materialVersion, wrapped, context);
  }

  private KeyMetadata usable(String keyArn, AwsError failure) {
    KeyMetadata key =
        catalog
            .find(keyArn)
            .orElseThrow(
                () ->
                    new SecretsManagerException(
                        failure, "The KMS key " + keyArn + " was not found."));
    if (key.state() != KeyState.ENABLED) {
      throw new SecretsManagerException(
          failure, "The KMS key " + keyArn + " is " + key.state().awsName() + ".");
    }
    return key;
  }

  private KeyProvider provider(KeyMetadata key, AwsError failure) {
    KeyProvider provider = providers.get(key.provider());
    if (provider == null) {
      throw new SecretsManagerException(
          failure,
          "The KMS key "
              + key.arn()
              + " lives in provider "
              + key.provider()
              + ", which is not configured on the operator.");
    }
    return provider;
  }
}
