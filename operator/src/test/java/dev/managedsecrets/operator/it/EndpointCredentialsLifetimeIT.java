package dev.managedsecrets.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/**
 * What time does to pods' credentials: an expired ServiceAccount token gets none, credentials past
 * their hour are expired, and the key they are issued with rotates every day (the default) while
 * what a replaced key issued keeps working until it expires. The API server's clock and the
 * operator's are moved, not waited for.
 */
class EndpointCredentialsLifetimeIT {

  static final String AUDIENCE = "secretsmanager.managedsecrets.dev";
  static final String RING =
      "/api/v1/namespaces/"
          + TestCluster.OPERATOR_NAMESPACE
          + "/secrets/"
          + "managedsecret-endpoint-credentials";
  static final ObjectMapper JSON = new ObjectMapper();
  static final TestCluster.MutableClock apiClock = new TestCluster.MutableClock(Instant.now());

  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = EndpointClients.start(o -> o.clock(apiClock));
    EndpointClients.podReader(cluster);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static String token(long seconds) {
    return cluster
        .client
        .serviceAccounts()
        .inNamespace("team-a")
        .withName("app")
        .tokenRequest(
            new TokenRequestBuilder()
                .withNewSpec()
                .withAudiences(AUDIENCE)
                .withExpirationSeconds(seconds)
                .endSpec()
                .build())
        .getStatus()
        .getToken();
  }

  static HttpResponse<String> ask(String token) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(EndpointClients.endpoint(cluster).url() + "/v1/credentials"))
            .header("Authorization", token)
            .GET()
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Credentials for the ServiceAccount, as the container credential provider gets them. */
  static JsonNode credentials() throws Exception {
    HttpResponse<String> answer = ask(token(3600));
    assertThat(answer.statusCode()).isEqualTo(200);
    return JSON.readTree(answer.body());
  }

  /** The id of the key a session token names. */
  static String keyId(JsonNode credentials) throws Exception {
    String[] parts = credentials.path("Token").asText().split("\\.");
    return JSON.readTree(Base64.getUrlDecoder().decode(parts[1])).path("kid").asText();
  }

  /** GetSecretValue with these credentials: the value, or the error code. */
  static String read(JsonNode credentials) {
    try (SecretsManagerClient sm =
        SecretsManagerClient.builder()
            .endpointOverride(URI.create(EndpointClients.endpoint(cluster).url()))
            .region(Region.of(EndpointClients.REGION))
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsSessionCredentials.create(
                        credentials.path("AccessKeyId").asText(),
                        credentials.path("SecretAccessKey").asText(),
                        credentials.path("Token").asText())))
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build()) {
      return sm.getSecretValue(r -> r.secretId("orders/db")).secretString();
    } catch (SecretsManagerException e) {
      return e.awsErrorDetails().errorCode() + ": " + e.awsErrorDetails().errorMessage();
    }
  }

  static List<String> ringWrites() {
    return cluster.drainWrites().stream().filter(w -> w.contains(RING)).toList();
  }

  @Test
  void anExpiredServiceAccountTokenGetsNoCredentials() throws Exception {
    String token = token(600);
    apiClock.advance(Duration.ofMinutes(12));

    HttpResponse<String> answer = ask(token);

    assertThat(answer.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(answer.body()).path("Message").asText())
        .startsWith("The token is not valid for audience " + AUDIENCE)
        .contains("expired");
    assertThat(answer.body()).doesNotContain(token);
  }

  @Test
  void credentialsUsedPastTheirExpiryAreAnExpiredToken() throws Exception {
    JsonNode issued = credentials();
    String before = read(issued);

    cluster.clock.advance(Duration.ofMinutes(61));

    assertThat(before).isEqualTo("pod-reads-this");
    assertThat(read(issued))
        .isEqualTo("ExpiredTokenException: The security token included in the request is expired");
  }

  @Test
  void theIssuingKeyRotatesDailyAndWhatTheReplacedKeyIssuedWorksUntilItExpires() throws Exception {
    JsonNode first = credentials();
    cluster.clock.advance(Duration.ofMinutes(5));
    ringWrites();
    JsonNode sameDay = credentials();
    boolean noWriteWhileNothingIsDue = ringWrites().isEmpty();

    cluster.clock.advance(Duration.ofDays(1));
    JsonNode lastOfTheOldKey = credentials();
    List<String> rotation = ringWrites();
    cluster.clock.advance(Duration.ofMinutes(2));
    JsonNode ofTheNewKey = credentials();

    assertThat(noWriteWhileNothingIsDue).isTrue();
    assertThat(keyId(sameDay)).isEqualTo(keyId(first));
    assertThat(rotation).containsExactly("PUT " + RING);
    assertThat(keyId(lastOfTheOldKey)).isEqualTo(keyId(first));
    assertThat(keyId(ofTheNewKey)).isNotEqualTo(keyId(first));
    assertThat(read(lastOfTheOldKey)).isEqualTo("pod-reads-this");
    assertThat(read(ofTheNewKey)).isEqualTo("pod-reads-this");

    cluster.clock.advance(Duration.ofDays(1));
    credentials();

    assertThat(read(lastOfTheOldKey))
        .isEqualTo(
            "UnrecognizedClientException: The security token included in the request is"
                + " invalid.");
  }
}
