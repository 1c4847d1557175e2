package dev.managedsecrets.operator.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.core.secret.Arns;
import dev.managedsecrets.operator.config.OperatorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kms section of the operator's configuration, and the providers opened from it. */
class KmsConfigurationTest {

  @TempDir Path dir;

  @Test
  void withoutConfigurationTheDefaultKeyIsLocal() {
    OperatorConfig config = OperatorConfig.load(null, Map.of());

    assertThat(config.kms().provider()).isEqualTo("local");
    assertThat(config.kms().pkcs11().labelPrefix()).isEqualTo("managedsecrets/");
    assertThat(config.kms().awsKms().aliasPrefix()).isEqualTo("alias/managedsecrets/");
    try (KmsProviders providers =
        KmsProviders.open(
            config.kms(), KeyringSecret.inMemory(new Arns("k8s", "local", "123456789012")))) {
      assertThat(providers.providers()).containsOnlyKeys("local");
      assertThat(providers.defaultKey().provider()).isEqualTo("local");
      assertThat(providers.kms().resolve(null, "any-namespace"))
          .isEqualTo(providers.defaultKey().arn());
    }
  }

  @Test
  void readsEachProvidersSettingsFromTheFile() throws IOException {
    Path file = dir.resolve("config.yaml");
    Files.writeString(
        file,
        """
        kms:
          provider: pkcs11
          pkcs11:
            library: /usr/lib/softhsm/libsofthsm2.so
            tokenLabel: managedsecrets
            pinFile: /var/run/secrets/hsm/pin
            labelPrefix: ms/
          awsKms:
            region: eu-west-1
            endpoint: https://vpce-1234.kms.eu-west-1.vpce.amazonaws.com
            aliasPrefix: alias/orders/
        """);

    OperatorConfig config = OperatorConfig.load(file, Map.of());

    assertThat(config.kms().provider()).isEqualTo("pkcs11");
    assertThat(config.kms().pkcs11().library()).isEqualTo("/usr/lib/softhsm/libsofthsm2.so");
    assertThat(config.kms().pkcs11().tokenLabel()).isEqualTo("managedsecrets");
    assertThat(config.kms().pkcs11().pinFile()).isEqualTo("/var/run/secrets/hsm/pin");
    assertThat(config.kms().pkcs11().labelPrefix()).isEqualTo("ms/");
    assertThat(config.kms().awsKms().region()).isEqualTo("eu-west-1");
    assertThat(config.kms().awsKms().endpoint())
        .isEqualTo("https://vpce-1234.kms.eu-west-1.vpce.amazonaws.com");
    assertThat(config.kms().awsKms().aliasPrefix()).isEqualTo("alias/orders/");
  }

  @Test
  void everyKmsSettingCanBeOverriddenFromTheEnvironment() {
    Map<String, String> env = new HashMap<>();
    env.put("MANAGEDSECRET_KMS_PROVIDER", "aws-kms");
    env.put("MANAGEDSECRET_KMS_AWS_REGION", "us-east-2");
    env.put("MANAGEDSECRET_KMS_AWS_ENDPOINT", "http://127.0.0.1:4566");
    env.put("MANAGEDSECRET_KMS_AWS_ALIAS_PREFIX", "alias/x/");
    env.put("MANAGEDSECRET_KMS_PKCS11_LIBRARY", "/opt/hsm/lib.so");
    env.put("MANAGEDSECRET_KMS_PKCS11_SLOT", "1607334705");
    env.put("MANAGEDSECRET_KMS_PKCS11_PIN", "1234");
    env.put("MANAGEDSECRET_KMS_PKCS11_PIN_FILE", "/pin");
    env.put("MANAGEDSECRET_KMS_PKCS11_LABEL_PREFIX", "p/");

    OperatorConfig config = OperatorConfig.load(null, env);

    assertThat(config.kms().provider()).isEqualTo("aws-kms");
    assertThat(config.kms().awsKms().region()).isEqualTo("us-east-2");
    assertThat(config.kms().awsKms().endpoint()).isEqualTo("http://127.0.0.1:4566");
    assertThat(config.kms().awsKms().aliasPrefix()).isEqualTo("alias/x/");
    assertThat(config.kms().pkcs11().library()).isEqualTo("/opt/hsm/lib.so");
    assertThat(config.kms().pkcs11().slot()).isEqualTo(1607334705L);
    assertThat(config.kms().pkcs11().pin()).isEqualTo("1234");
    assertThat(config.kms().pkcs11().pinFile()).isEqualTo("/pin");
    assertThat(config.kms().pkcs11().labelPrefix()).isEqualTo("p/");
    assertThat(
            OperatorConfig.load(null, Map.of("MANAGEDSECRET_KMS_PKCS11_SLOT_LIST_INDEX", "2"))
                .kms()
                .pkcs11()
                .slotListIndex())
        .isEqualTo(2);
    assertThat(
            OperatorConfig.load(null, Map.of("MANAGEDSECRET_KMS_PKCS11_TOKEN_LABEL", "t"))
                .kms()
                .pkcs11()
                .tokenLabel())
        .isEqualTo("t");
  }

  @Test
  void thePinIsNeverTakenFromTheConfigurationFile() throws IOException {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, "kms:\n  pkcs11:\n    pin: \"1234\"\n");

    assertThat(OperatorConfig.load(file, Map.of()).kms().pkcs11().pin()).isNull();
  }

  @Test
  void refusesKmsSettingsTheOperatorCannotRunWith() throws IOException {
    assertRefused(Map.of("MANAGEDSECRET_KMS_PROVIDER", "vault"), "kms.provider must be one of");
    assertRefused(
        Map.of("MANAGEDSECRET_KMS_PROVIDER", "pkcs11", "MANAGEDSECRET_KMS_PKCS11_PIN", "1"),
        "needs kms.pkcs11.library");
    assertRefused(
        Map.of("MANAGEDSECRET_KMS_PROVIDER", "pkcs11", "MANAGEDSECRET_KMS_PKCS11_LIBRARY", "/l"),
        "needs kms.pkcs11.pinFile or MANAGEDSECRET_KMS_PKCS11_PIN");
    assertRefused(Map.of("MANAGEDSECRET_KMS_PROVIDER", "aws-kms"), "needs kms.awsKms.region");
    assertRefused(
        Map.of("MANAGEDSECRET_KMS_PKCS11_SLOT", "1", "MANAGEDSECRET_KMS_PKCS11_TOKEN_LABEL", "t"),
        "one of tokenLabel, slot and slotListIndex");

    Path file = dir.resolve("typo.yaml");
    Files.writeString(file, "kms:\n  providr: pkcs11\n");
    assertThatThrownBy(() -> OperatorConfig.load(file, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("providr");
  }

  @Test
  void aMissingPinFileIsReportedByPath() {
    OperatorConfig.Pkcs11Settings settings =
        OperatorConfig.load(
                null,
                Map.of(
                    "MANAGEDSECRET_KMS_PKCS11_LIBRARY",
                    "/usr/lib/softhsm/libsofthsm2.so",
                    "MANAGEDSECRET_KMS_PKCS11_PIN_FILE",
                    dir.resolve("no-such-pin").toString()))
            .kms()
            .pkcs11();

    assertThatThrownBy(() -> KmsProviders.pkcs11(settings))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no-such-pin");
  }

  private static void assertRefused(Map<String, String> env, String message) {
    assertThatThrownBy(() -> OperatorConfig.load(null, env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
