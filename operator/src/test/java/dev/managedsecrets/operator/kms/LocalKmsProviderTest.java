package dev.managedsecrets.operator.kms;

import dev.managedsecrets.core.secret.Arns;
import dev.managedsecrets.operator.kms.provider.KeyProvider;
import org.junit.jupiter.api.BeforeEach;

/** The local provider (material in the keyring, in memory here) passes the provider contract. */
class LocalKmsProviderTest extends KmsProviderContract {

  private KeyProvider provider;

  @BeforeEach
  void newKeyring() {
    provider =
        new LocalKeyProvider(KeyringSecret.inMemory(new Arns("k8s", "local", "123456789012")));
  }

  @Override
  protected KeyProvider provider() {
    return provider;
  }
}
