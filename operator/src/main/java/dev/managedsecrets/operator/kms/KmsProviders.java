package dev.managedsecrets.operator.kms;

import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.kms.aws.AwsKmsKeyProvider;
import dev.managedsecrets.operator.kms.pkcs11.Pkcs11KeyProvider;
import dev.managedsecrets.operator.kms.provider.KeyProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configured key providers and the {@link Kms} over them. The local provider is always there;
 * pkcs11 and aws-kms are opened when they are the default key's provider or have settings. Opening
 * makes sure alias/managedsecrets names a key in the chosen provider.
 */
public final class KmsProviders implements AutoCloseable {

  private final Map<String, KeyProvider> providers;
  private final Kms kms;
  private final KeyMetadata defaultKey;

  private KmsProviders(Map<String, KeyProvider> providers, Kms kms, KeyMetadata defaultKey) {
    this.providers = providers;
    this.kms = kms;
    this.defaultKey = defaultKey;
  }

  public static KmsProviders open(OperatorConfig.KmsSettings config, Keyring keyring) {
    Map<String, KeyProvider> providers = new LinkedHashMap<>();
    try {
      providers.put(Keyring.LOCAL, new LocalKeyProvider(keyring));
      if (config.provider().equals(Pkcs11KeyProvider.NAME) || config.pkcs11().library() != null) {
        providers.put(Pkcs11KeyProvider.NAME, Pkcs11KeyProvider.open(pkcs11(config.pkcs11())));
      }
      if (config.provider().equals(AwsKmsKeyProvider.NAME) || config.awsKms().region() != null) {
        providers.put(AwsKmsKeyProvider.NAME, AwsKmsKeyProvider.open(aws(config.awsKms())));
      }
      KeyProvider chosen = providers.get(config.provider());
      if (chosen == null) {
        throw new IllegalArgumentException("Unknown KMS provider " + config.provider());
      }
      KeyMetadata defaultKey = keyring.ensureDefaultKey(chosen);
      return new KmsProviders(providers, new ProviderKms(keyring, providers), defaultKey);
    } catch (RuntimeException e) {
      providers.values().forEach(KeyProvider::close);
      throw e;
    }
  }

  /** The KMS over the keyring's keys and these providers. */
  public Kms kms() {
    return kms;
  }

  public KeyMetadata defaultKey() {
    return defaultKey;
  }

  /** The providers by name, for whoever manages keys (the KmsKey resources). */
  public Map<String, KeyProvider> providers() {
    return Map.copyOf(providers);
  }

  @Override
  public void close() {
    providers.values().forEach(KeyProvider::close);
  }

  static Pkcs11KeyProvider.Settings pkcs11(OperatorConfig.Pkcs11Settings p) {
    char[] pin;
    if (p.pin() != null) {
      pin = p.pin().toCharArray();
    } else if (p.pinFile() != null) {
      try {
        pin = Files.readString(Path.of(p.pinFile()), StandardCharsets.UTF_8).strip().toCharArray();
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "Could not read the PKCS#11 PIN file " + p.pinFile() + ": " + e.getClass().getName(),
            e);
      }
    } else {
      throw new IllegalArgumentException(
          "The pkcs11 provider needs kms.pkcs11.pinFile or MANAGEDSECRET_KMS_PKCS11_PIN");
    }
    return new Pkcs11KeyProvider.Settings(
        p.library() == null ? null : Path.of(p.library()),
        p.slot(),
        p.slotListIndex(),
        p.tokenLabel(),
        pin,
        p.labelPrefix());
  }

  static AwsKmsKeyProvider.Settings aws(OperatorConfig.AwsKmsSettings a) {
    return new AwsKmsKeyProvider.Settings(
        a.region(), a.endpoint() == null ? null : URI.create(a.endpoint()), a.aliasPrefix());
  }
}
