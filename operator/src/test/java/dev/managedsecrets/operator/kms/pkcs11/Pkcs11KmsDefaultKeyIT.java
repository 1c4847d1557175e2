package dev.managedsecrets.operator.kms.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.crypto.Envelope;
import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.secret.Arns;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.kms.KeyMetadata;
import dev.managedsecrets.operator.kms.Keyring;
import dev.managedsecrets.operator.kms.KeyringSecret;
import dev.managedsecrets.operator.kms.KmsProviders;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With kms.provider pkcs11 the operator's default key lives in the token and the keyring Secret
 * only records it; a restart finds it again, and changing the provider back to local moves the
 * alias without losing what the token sealed.
 */
class Pkcs11KmsDefaultKeyIT {

  static final String NAMESPACE = "managedsecret-system";
  static final Arns ARNS = new Arns("k8s", "local", "123456789012");
  static final EncryptionContext CONTEXT = EncryptionContext.forVersion("arn:secret", "v1");

  private EmbeddedApiServer api;
  private KubernetesClient client;

  @BeforeEach
  void startApiServer() {
    api = EmbeddedApiServer.start(0);
    client = api.client();
  }

  @AfterEach
  void stopApiServer() {
    api.close(); // closes the client too
  }

  @Test
  void theDefaultKeyLivesInTheTokenAcrossRestartsAndAProviderChange() throws Exception {
    SoftHsm.Token token = SoftHsm.token();
    Map<String, String> env =
        Map.of(
            "MANAGEDSECRET_KMS_PROVIDER", "pkcs11",
            "MANAGEDSECRET_KMS_PKCS11_LIBRARY", SoftHsm.LIBRARY.toString(),
            "MANAGEDSECRET_KMS_PKCS11_TOKEN_LABEL", token.label(),
            "MANAGEDSECRET_KMS_PKCS11_PIN", token.pin());
    OperatorConfig config = OperatorConfig.load(null, env);

    KeyMetadata defaultKey;
    byte[] sealed;
    try (KmsProviders providers = start(config)) {
      defaultKey = providers.defaultKey();
      assertThat(defaultKey.provider()).isEqualTo("pkcs11");
      assertThat(providers.providers().get("pkcs11").materialVersions(defaultKey.keyId()))
          .containsExactly(1);
      EnvelopeCipher cipher = new EnvelopeCipher(providers.kms());
      sealed = cipher.seal(providers.kms().resolve(null, "team-a"), CONTEXT, new byte[] {'S', '1'});
    }
    JsonNode stored = keysJson();
    assertThat(stored).hasSize(1);
    assertThat(stored.get(0).get("provider").asText()).isEqualTo("pkcs11");
    assertThat(stored.get(0).has("materials")).as("no key material in the Secret").isFalse();

    // A restart: the same key, found in the token by its label.
    try (KmsProviders providers = start(config)) {
      assertThat(providers.defaultKey()).isEqualTo(defaultKey);
      assertThat(new EnvelopeCipher(providers.kms()).open(sealed, CONTEXT))
          .containsExactly('S', '1');
    }

    // Back to local: the alias moves to a new local key; the token's versions still open.
    Map<String, String> local = new HashMap<>(env);
    local.put("MANAGEDSECRET_KMS_PROVIDER", "local");
    try (KmsProviders providers = start(OperatorConfig.load(null, local))) {
      assertThat(providers.defaultKey().provider()).isEqualTo("local");
      assertThat(providers.defaultKey().keyId()).isNotEqualTo(defaultKey.keyId());
      EnvelopeCipher cipher = new EnvelopeCipher(providers.kms());
      assertThat(cipher.open(sealed, CONTEXT)).containsExactly('S', '1');
      byte[] sealedLocally =
          cipher.seal(providers.kms().resolve(null, "team-a"), CONTEXT, new byte[] {'S', '2'});
      assertThat(Envelope.parse(sealedLocally).keyArn()).isEqualTo(providers.defaultKey().arn());
    }
  }

  private KmsProviders start(OperatorConfig config) {
    Keyring keyring = KeyringSecret.loadOrCreate(client, NAMESPACE, ARNS, config.kms().provider());
    return KmsProviders.open(config.kms(), keyring);
  }

  private JsonNode keysJson() throws Exception {
    String keys =
        client
            .secrets()
            .inNamespace(NAMESPACE)
            .withName(KeyringSecret.SECRET_NAME)
            .get()
            .getData()
            .get("keys.json");
    return new ObjectMapper().readTree(Base64.getDecoder().decode(keys));
  }
}
