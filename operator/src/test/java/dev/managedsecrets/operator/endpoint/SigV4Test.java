package dev.managedsecrets.operator.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.signer.Aws4Signer;
import software.amazon.awssdk.auth.signer.params.Aws4SignerParams;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;

class SigV4Test {

  static final Instant NOW = Instant.parse("2026-12-06T12:30:24Z");
  static final String BODY = "{\"SecretId\": \"x\"}";
  static final AccessKeys.AccessKey KEY = AccessKeys.generate(Principal.administrator("default"));

  final SigV4 sigv4 =
      new SigV4(new AccessKeys().add(KEY), null, "local", Clock.fixed(NOW, ZoneOffset.UTC));

  static SdkHttpFullRequest unsigned() {
    return SdkHttpFullRequest.builder()
        .method(SdkHttpMethod.POST)
        .protocol("http")
        .host("127.0.0.1")
        .port(8443)
        .encodedPath("/")
        .putHeader("Content-Type", "application/x-amz-json-1.1")
        .putHeader("X-Amz-Target", "secretsmanager.GetSecretValue")
        .contentStreamProvider(ContentStreamProvider.fromUtf8String(BODY))
        .build();
  }

  /** Signed as today's SDKs sign (x-amz-content-sha256 among the signed headers). */
  static SdkHttpRequest sdk(AccessKeys.AccessKey key, Instant at) {
    return AwsV4HttpSigner.create()
        .sign(
            r ->
                r.identity(AwsCredentialsIdentity.create(key.accessKeyId(), key.secretAccessKey()))
                    .request(unsigned())
                    .payload(ContentStreamProvider.fromUtf8String(BODY))
                    .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "secretsmanager")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, "local")
                    .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)))
        .request();
  }

  /** Signed as botocore signs (the AWS CLI, boto3): no x-amz-content-sha256. */
  @SuppressWarnings("deprecation")
  static SdkHttpRequest botocoreLike(AccessKeys.AccessKey key, Instant at) {
    return Aws4Signer.create()
        .sign(
            unsigned(),
            Aws4SignerParams.builder()
                .awsCredentials(
                    AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey()))
                .signingName("secretsmanager")
                .signingRegion(Region.of("local"))
                .signingClockOverride(Clock.fixed(at, ZoneOffset.UTC))
                .build());
  }

  static HttpCall call(SdkHttpRequest signed, String body) {
    Map<String, List<String>> headers = new HashMap<>(signed.headers());
    headers.put("Host", List.of("127.0.0.1:8443"));
    return new HttpCall(
        "POST", "http", "/", null, headers, body.getBytes(StandardCharsets.UTF_8), "127.0.0.1");
  }

  @Test
  void aRequestSignedByTheSdkOrByBotocoreIsTheKeysPrincipal() {
    assertThat(sdk(KEY, NOW).firstMatchingHeader("Authorization").orElseThrow())
        .contains("x-amz-content-sha256");
    assertThat(botocoreLike(KEY, NOW).firstMatchingHeader("Authorization").orElseThrow())
        .doesNotContain("x-amz-content-sha256");

    assertThat(sigv4.verify(call(sdk(KEY, NOW), BODY))).isEqualTo(KEY);
    assertThat(sigv4.verify(call(botocoreLike(KEY, NOW), BODY))).isEqualTo(KEY);
  }

  @Test
  void anAlteredBodyIsInvalidSignatureWhicheverWayItWasSigned() {
    for (SdkHttpRequest signed : List.of(sdk(KEY, NOW), botocoreLike(KEY, NOW))) {
      AwsException e =
          catchThrowableOfType(
              AwsException.class, () -> sigv4.verify(call(signed, "{\"SecretId\": \"y\"}")));
      assertThat(e.type()).isEqualTo("InvalidSignatureException");
    }
  }

  @Test
  void anotherSecretKeyIsInvalidSignatureAndAnUnknownKeyIsUnrecognized() {
    AccessKeys.AccessKey forged =
        new AccessKeys.AccessKey(KEY.accessKeyId(), "y".repeat(40), KEY.principal());
    AccessKeys.AccessKey unknown = AccessKeys.generate(KEY.principal());

    assertThat(
            catchThrowableOfType(
                    AwsException.class, () -> sigv4.verify(call(sdk(forged, NOW), BODY)))
                .type())
        .isEqualTo("InvalidSignatureException");
    assertThat(
            catchThrowableOfType(
                    AwsException.class, () -> sigv4.verify(call(sdk(unknown, NOW), BODY)))
                .type())
        .isEqualTo("UnrecognizedClientException");
  }

  @Test
  void aDateOutsideFifteenMinutesIsRefusedWithAwsWords() {
    AwsException stale =
        catchThrowableOfType(
            AwsException.class,
            () ->
                sigv4.verify(
                    call(sdk(KEY, NOW.minus(Duration.ofMinutes(15).plusSeconds(1))), BODY)));
    AwsException early =
        catchThrowableOfType(
            AwsException.class,
            () -> sigv4.verify(call(sdk(KEY, NOW.plus(Duration.ofMinutes(16))), BODY)));

    assertThat(stale.getMessage())
        .isEqualTo(
            "Signature expired: 20261206T121523Z is now earlier than 20261206T121524Z"
                + " (20261206T123024Z - 15 min.)");
    assertThat(early.getMessage())
        .isEqualTo(
            "Signature not yet current: 20261206T124624Z is still later than 20261206T124524Z"
                + " (20261206T123024Z + 15 min.)");
    assertThat(sigv4.verify(call(sdk(KEY, NOW.minus(Duration.ofMinutes(15))), BODY)))
        .isEqualTo(KEY);
  }

  @Test
  void missingPartsAreIncompleteSignatureNamingEachOne() {
    Map<String, List<String>> headers = new HashMap<>();
    headers.put("Host", List.of("127.0.0.1:8443"));
    headers.put("Authorization", List.of("AWS4-HMAC-SHA256 SignedHeaders=host"));
    AwsException e =
        catchThrowableOfType(
            AwsException.class,
            () ->
                sigv4.verify(new HttpCall("POST", "http", "/", null, headers, new byte[0], "::1")));

    assertThat(e.type()).isEqualTo("IncompleteSignature");
    assertThat(e.getMessage())
        .startsWith(
            "Authorization header requires 'Credential' parameter. Authorization header requires"
                + " 'Signature' parameter. Authorization header requires existence of either a"
                + " 'X-Amz-Date' or a 'Date' header. Authorization=");
  }

  @Test
  void aRequestWithoutAuthorizationIsMissingAuthenticationToken() {
    AwsException e =
        catchThrowableOfType(
            AwsException.class,
            () ->
                sigv4.verify(
                    new HttpCall("POST", "http", "/", null, Map.of(), new byte[0], "127.0.0.1")));

    assertThat(e.type()).isEqualTo("MissingAuthenticationTokenException");
  }

  @Test
  void aScopeOfAnotherRegionOrServiceIsInvalidSignature() {
    SigV4 otherRegion =
        new SigV4(new AccessKeys().add(KEY), null, "eu-west-1", Clock.fixed(NOW, ZoneOffset.UTC));

    AwsException e =
        catchThrowableOfType(
            AwsException.class, () -> otherRegion.verify(call(sdk(KEY, NOW), BODY)));

    assertThat(e.type()).isEqualTo("InvalidSignatureException");
    assertThat(e.getMessage())
        .isEqualTo("Credential should be scoped to a valid region, not 'local'. ");
  }
}
