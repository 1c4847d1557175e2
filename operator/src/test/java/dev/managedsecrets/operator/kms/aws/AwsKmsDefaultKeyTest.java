package dev.managedsecrets.operator.kms.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.secret.Arns;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.kms.KeyMetadata;
import dev.managedsecrets.operator.kms.Keyring;
import dev.managedsecrets.operator.kms.KeyringSecret;
import dev.managedsecrets.operator.kms.KmsProviders;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With kms.provider aws-kms the operator's default key lives in AWS KMS (here the protocol on
 * 127.0.0.1), reached with the SDK's default credentials chain.
 */
class AwsKmsDefaultKeyTest {

  private FakeAwsKms aws;
  private AutoCloseable credentials;

  @BeforeEach
  void start() throws Exception {
    aws = new FakeAwsKms();
    // The default chain's first source; no request ever goes to an instance metadata service.
    credentials = FakeAwsKms.credentials("AKIDDEFAULTCHAIN", "default-chain-secret");
  }

  @AfterEach
  void stop() throws Exception {
    aws.close();
    credentials.close();
  }

  @Test
  void theDefaultKeyIsMadeInAwsKmsAndSealsVersions() {
    OperatorConfig config =
        OperatorConfig.load(
            null,
            Map.of(
                "MANAGEDSECRET_KMS_PROVIDER",
                "aws-kms",
                "MANAGEDSECRET_KMS_AWS_REGION",
                FakeAwsKms.REGION,
                "MANAGEDSECRET_KMS_AWS_ENDPOINT",
                aws.endpoint().toString()));
    Keyring keyring = KeyringSecret.inMemory(new Arns("k8s", "local", "123456789012"));

    try (KmsProviders providers = KmsProviders.open(config.kms(), keyring)) {
      KeyMetadata key = providers.defaultKey();
      assertThat(key.provider()).isEqualTo("aws-kms");
      assertThat(key.aliases()).containsExactly("alias/managedsecrets");
      assertThat(aws.aliasNames()).contains("alias/managedsecrets/" + key.keyId() + "/1");
      assertThat(providers.providers()).containsOnlyKeys("local", "aws-kms");

      EncryptionContext context = EncryptionContext.forVersion("arn:secret", "v1");
      EnvelopeCipher cipher = new EnvelopeCipher(providers.kms());
      byte[] sealed =
          cipher.seal(providers.kms().resolve(null, "team-a"), context, new byte[] {'S'});
      assertThat(cipher.open(sealed, context)).containsExactly('S');
      assertThat(aws.requests("GenerateDataKey").get(0).headers().get("authorization"))
          .contains("Credential=AKIDDEFAULTCHAIN/");
    }
  }
}
