package dev.managedsecrets.operator.sealing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.core.crypto.Envelope;
import dev.managedsecrets.core.sealing.SealingPrivateKey;
import dev.managedsecrets.core.secret.Arns;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.kms.KeyMetadata;
import dev.managedsecrets.operator.kms.KeyringSecret;
import dev.managedsecrets.operator.kms.KmsProviders;
import dev.managedsecrets.operator.kms.pkcs11.SoftHsm;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sealing private keys are wrapped by the configured KMS provider: with kms.provider pkcs11 the
 * wrapped key names the token's default key, holds no byte of the private key, opens again after a
 * restart, and opens only as the key of its own id.
 */
class SealingKeyWrapperProvidersIT {

  static final String NAMESPACE = "managedsecret-system";
  static final Arns ARNS = new Arns("k8s", "local", "123456789012");

  private EmbeddedApiServer api;
  private KubernetesClient client;

  @BeforeEach
  void startApiServer() {
    api = EmbeddedApiServer.start(0);
    client = api.client();
  }

  @AfterEach
  void stopApiServer() {
    api.close();
  }

  @Test
  void withAPkcs11ProviderASealingKeyIsWrappedUnderTheTokensDefaultKeyAndOpensAfterARestart() {
    SoftHsm.Token token = SoftHsm.token();
    OperatorConfig config =
        OperatorConfig.load(
            null,
            Map.of(
                "MANAGEDSECRET_KMS_PROVIDER", "pkcs11",
                "MANAGEDSECRET_KMS_PKCS11_LIBRARY", SoftHsm.LIBRARY.toString(),
                "MANAGEDSECRET_KMS_PKCS11_TOKEN_LABEL", token.label(),
                "MANAGEDSECRET_KMS_PKCS11_PIN", token.pin()));
    SealingPrivateKey key = SealingPrivateKey.generate();
    byte[] wrapped;
    KeyMetadata defaultKey;
    try (KmsProviders providers = start(config)) {
      defaultKey = providers.defaultKey();
      assertThat(defaultKey.provider()).isEqualTo("pkcs11");
      wrapped = new SealingKeyWrapper(providers.kms(), NAMESPACE).wrap(key);
    }
    assertThat(Envelope.parse(wrapped).keyArn()).isEqualTo(defaultKey.arn());
    String raw = Base64.getEncoder().encodeToString(key.raw());
    assertThat(new String(wrapped, StandardCharsets.ISO_8859_1))
        .as("no byte run of the private key in what is stored")
        .doesNotContain(new String(key.raw(), StandardCharsets.ISO_8859_1))
        .doesNotContain(raw);

    try (KmsProviders providers = start(config)) {
      SealingKeyWrapper wrapper = new SealingKeyWrapper(providers.kms(), NAMESPACE);
      SealingPrivateKey opened = wrapper.unwrap(key.keyId(), wrapped);
      assertThat(opened.keyId()).isEqualTo(key.keyId());
      assertThat(opened.raw()).isEqualTo(key.raw());
      String otherId = SealingPrivateKey.generate().keyId();
      assertThatThrownBy(() -> wrapper.unwrap(otherId, wrapped))
          .as("a wrapped key opens only as the key of its own id");
    }
  }

  private KmsProviders start(OperatorConfig config) {
    return KmsProviders.open(
        config.kms(), KeyringSecret.loadOrCreate(client, NAMESPACE, ARNS, config.kms().provider()));
  }
}
