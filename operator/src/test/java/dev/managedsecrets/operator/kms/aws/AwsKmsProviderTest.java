package dev.managedsecrets.operator.kms.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.operator.kms.KmsProviderContract;
import dev.managedsecrets.operator.kms.provider.KeyProvider;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Base64;
import java.util.HexFormat;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The aws-kms provider, through the real AWS SDK, against AWS KMS's JSON protocol served on
 * 127.0.0.1 by {@link FakeAwsKms}: it passes the provider contract, sends the requests AWS KMS
 * expects, and turns AWS's errors into ours.
 */
class AwsKmsProviderTest extends KmsProviderContract {

  static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(
          AwsBasicCredentials.create("AKIDMANAGEDSECRETS", "test-secret-access-key"));
  static final ObjectMapper JSON = new ObjectMapper();

  private FakeAwsKms aws;
  private AwsKmsKeyProvider provider;

  @BeforeEach
  void startKms() throws IOException {
    aws = new FakeAwsKms();
    provider =
        AwsKmsKeyProvider.open(
            new AwsKmsKeyProvider.Settings(FakeAwsKms.REGION, aws.endpoint(), null), CREDENTIALS);
  }

  @AfterEach
  void stopKms() {
    provider.close();
    aws.close();
  }

  @Override
  protected KeyProvider provider() {
    return provider;
  }

  @Test
  void generateDataKeyAsksForAnAes256KeyUnderTheVersionsAliasWithTheEncryptionContext()
      throws Exception {
    String keyId = newKeyId();
    provider.createKey(keyId);
    aws.requests.clear();

    provider.generateDataKey(keyId, 1, CONTEXT);

    assertThat(aws.requests).hasSize(1);
    FakeAwsKms.Request request = aws.requests.get(0);
    assertSignedKmsRequest(request, "TrentService.GenerateDataKey");
    assertThat(request.body())
        .isEqualTo(
            JSON.readTree(
                """
                {"KeyId": "alias/managedsecrets/%s/1",
                 "EncryptionContext": {
                   "SecretARN": "arn:k8s:secretsmanager:local:123456789012:secret:team-a/db-AbCdEf",
                   "SecretVersionId": "00000000-0000-0000-0000-000000000001"},
                 "KeySpec": "AES_256"}
                """
                    .formatted(keyId)));
  }

  @Test
  void decryptSendsTheCiphertextBlobWithItsContextAndTheVersionsAlias() throws Exception {
    String keyId = newKeyId();
    provider.createKey(keyId);
    KeyProvider.NewDataKey dataKey = provider.generateDataKey(keyId, 1, CONTEXT);
    aws.requests.clear();

    assertThat(provider.decrypt(keyId, 1, dataKey.wrapped(), CONTEXT))
        .isEqualTo(dataKey.plaintext());

    assertThat(aws.requests).hasSize(1);
    FakeAwsKms.Request request = aws.requests.get(0);
    assertSignedKmsRequest(request, "TrentService.Decrypt");
    assertThat(request.body())
        .isEqualTo(
            JSON.readTree(
                """
                {"CiphertextBlob": "%s",
                 "EncryptionContext": {
                   "SecretARN": "arn:k8s:secretsmanager:local:123456789012:secret:team-a/db-AbCdEf",
                   "SecretVersionId": "00000000-0000-0000-0000-000000000001"},
                 "KeyId": "alias/managedsecrets/%s/1"}
                """
                    .formatted(Base64.getEncoder().encodeToString(dataKey.wrapped()), keyId)));
  }

  @Test
  void createKeyMakesASymmetricAwsKeyAndItsAlias() {
    String keyId = newKeyId();

    provider.createKey(keyId);

    assertThat(aws.requests)
        .extracting(FakeAwsKms.Request::target)
        .containsExactly(
            "TrentService.DescribeKey", "TrentService.CreateKey", "TrentService.CreateAlias");
    JsonNode create = aws.requests("CreateKey").get(0).body();
    assertThat(create.path("KeySpec").asText()).isEqualTo("SYMMETRIC_DEFAULT");
    assertThat(create.path("KeyUsage").asText()).isEqualTo("ENCRYPT_DECRYPT");
    assertThat(create.path("Tags").toString())
        .contains("managedsecrets.dev/key-id", keyId, "managedsecrets.dev/material-version");
    JsonNode alias = aws.requests("CreateAlias").get(0).body();
    assertThat(alias.path("AliasName").asText()).isEqualTo("alias/managedsecrets/" + keyId + "/1");
    assertThat(aws.aliasNames()).contains("alias/managedsecrets/" + keyId + "/1");
  }

  @Test
  void createKeyUsesAnAliasThatAnAdministratorMadeBeforehand() {
    String keyId = newKeyId();
    aws.createKeyWithAlias("alias/managedsecrets/" + keyId + "/1");
    aws.requests.clear();

    assertThat(provider.createKey(keyId)).isEqualTo(1);

    assertThat(aws.requests)
        .extracting(FakeAwsKms.Request::target)
        .containsExactly("TrentService.DescribeKey");
    assertThat(provider.generateDataKey(keyId, 1, CONTEXT).plaintext()).hasSize(32);
  }

  @Test
  void materialVersionsAreReadFromAliasesAcrossPages() {
    String keyId = newKeyId();
    provider.createKey(keyId);
    for (int i = 0; i < 4; i++) {
      aws.createKeyWithAlias("alias/other/" + i);
    }
    provider.rotate(keyId);
    provider.rotate(keyId);

    assertThat(provider.materialVersions(keyId)).containsExactly(1, 2, 3);
    assertThat(aws.requests("ListAliases").size()).isGreaterThan(1);
  }

  @ParameterizedTest(name = "{0} on GenerateDataKey -> {1}")
  @CsvSource({
    "DisabledException, ENCRYPTION_FAILURE",
    "NotFoundException, ENCRYPTION_FAILURE",
    "KMSInvalidStateException, ENCRYPTION_FAILURE",
    "KeyUnavailableException, ENCRYPTION_FAILURE",
    "DependencyTimeoutException, ENCRYPTION_FAILURE",
    "AccessDeniedException, ACCESS_DENIED_EXCEPTION",
  })
  void kmsErrorsOnWritesBecomeEncryptionFailure(String awsCode, AwsError ours) {
    String keyId = newKeyId();
    provider.createKey(keyId);
    aws.failNext("GenerateDataKey", awsCode);

    assertRefused(() -> provider.generateDataKey(keyId, 1, CONTEXT), ours, keyId, awsCode, null);
  }

  @ParameterizedTest(name = "{0} on Decrypt -> {1}")
  @CsvSource({
    "InvalidCiphertextException, DECRYPTION_FAILURE",
    "IncorrectKeyException, DECRYPTION_FAILURE",
    "DisabledException, DECRYPTION_FAILURE",
    "NotFoundException, DECRYPTION_FAILURE",
    "KMSInvalidStateException, DECRYPTION_FAILURE",
    "AccessDeniedException, ACCESS_DENIED_EXCEPTION",
  })
  void kmsErrorsOnReadsBecomeDecryptionFailure(String awsCode, AwsError ours) {
    String keyId = newKeyId();
    provider.createKey(keyId);
    KeyProvider.NewDataKey dataKey = provider.generateDataKey(keyId, 1, CONTEXT);
    aws.failNext("Decrypt", awsCode);

    assertRefused(
        () -> provider.decrypt(keyId, 1, dataKey.wrapped(), CONTEXT),
        ours,
        keyId,
        awsCode,
        dataKey);
  }

  @Test
  void aDisabledAwsKeyRefusesWritesAndReads() {
    String keyId = newKeyId();
    provider.createKey(keyId);
    KeyProvider.NewDataKey dataKey = provider.generateDataKey(keyId, 1, CONTEXT);
    aws.setState("alias/managedsecrets/" + keyId + "/1", "Disabled");

    assertRefused(
        () -> provider.generateDataKey(keyId, 1, CONTEXT),
        AwsError.ENCRYPTION_FAILURE,
        keyId,
        "DisabledException",
        null);
    assertRefused(
        () -> provider.decrypt(keyId, 1, dataKey.wrapped(), CONTEXT),
        AwsError.DECRYPTION_FAILURE,
        keyId,
        "DisabledException",
        dataKey);

    aws.setState("alias/managedsecrets/" + keyId + "/1", "PendingDeletion");
    assertRefused(
        () -> provider.decrypt(keyId, 1, dataKey.wrapped(), CONTEXT),
        AwsError.DECRYPTION_FAILURE,
        keyId,
        "KMSInvalidStateException",
        dataKey);
  }

  @Test
  void anUnreachableKmsIsEncryptionFailureOnWritesAndDecryptionFailureOnReads() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (AwsKmsKeyProvider unreachable =
        AwsKmsKeyProvider.open(
            new AwsKmsKeyProvider.Settings(
                FakeAwsKms.REGION, URI.create("http://127.0.0.1:" + closedPort), null),
            CREDENTIALS)) {
      assertThatThrownBy(() -> unreachable.generateDataKey("k", 1, CONTEXT))
          .isInstanceOfSatisfying(
              SecretsManagerException.class,
              e -> {
                assertThat(e.error()).isEqualTo(AwsError.ENCRYPTION_FAILURE);
                assertThat(e.getMessage()).contains("could not be reached", "GenerateDataKey");
              });
      assertThatThrownBy(() -> unreachable.decrypt("k", 1, new byte[64], CONTEXT))
          .isInstanceOfSatisfying(
              SecretsManagerException.class,
              e -> assertThat(e.error()).isEqualTo(AwsError.DECRYPTION_FAILURE));
    }
  }

  @Test
  void anAliasPrefixOutsideAliasOrUnderAwsIsRefused() {
    for (String prefix : new String[] {"managedsecrets/", "alias/aws/x/"}) {
      assertThatThrownBy(
              () ->
                  AwsKmsKeyProvider.open(
                      new AwsKmsKeyProvider.Settings(FakeAwsKms.REGION, aws.endpoint(), prefix),
                      CREDENTIALS))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static void assertSignedKmsRequest(FakeAwsKms.Request request, String target) {
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/");
    assertThat(request.target()).isEqualTo(target);
    assertThat(request.headers().get("content-type")).isEqualTo("application/x-amz-json-1.1");
    assertThat(request.headers().get("authorization"))
        .startsWith("AWS4-HMAC-SHA256 Credential=AKIDMANAGEDSECRETS/")
        .contains("/" + FakeAwsKms.REGION + "/kms/aws4_request")
        .contains("SignedHeaders=")
        .contains("x-amz-target");
  }

  private static void assertRefused(
      ThrowingCallable call,
      AwsError ours,
      String keyId,
      String awsCode,
      KeyProvider.NewDataKey dataKey) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> {
              assertThat(e.error()).isEqualTo(ours);
              assertThat(e.getMessage()).contains(keyId).contains(awsCode);
              if (dataKey != null) {
                for (byte[] bytes : new byte[][] {dataKey.plaintext(), dataKey.wrapped()}) {
                  assertThat(e.getMessage())
                      .doesNotContain(Base64.getEncoder().encodeToString(bytes))
                      .doesNotContain(HexFormat.of().formatHex(bytes));
                }
              }
            });
  }
}
