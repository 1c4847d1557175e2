package dev.managedsecrets.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/**
 * Pods get short-lived credentials the way EKS Pod Identity hands them out: AWS's own container
 * credential provider presents a projected ServiceAccount token for the endpoint's audience, which
 * the endpoint checks with a TokenReview; the credentials it answers act as that ServiceAccount.
 */
class EndpointPodCredentialsIT {

  static final String AUDIENCE = "secretsmanager.managedsecrets.dev";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = EndpointClients.start();
    EndpointClients.podReader(cluster);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @AfterEach
  void forgetTheProvidersSettings() {
    System.clearProperty("aws.containerCredentialsFullUri");
    System.clearProperty("aws.containerAuthorizationTokenFile");
  }

  static String token(String audience) {
    return cluster
        .client
        .serviceAccounts()
        .inNamespace("team-a")
        .withName("app")
        .tokenRequest(
            new TokenRequestBuilder().withNewSpec().withAudiences(audience).endSpec().build())
        .getStatus()
        .getToken();
  }

  static String credentialsUri() {
    return EndpointClients.endpoint(cluster).url() + "/v1/credentials";
  }

  static SecretsManagerClient client(AwsCredentialsProvider credentials) {
    return SecretsManagerClient.builder()
        .endpointOverride(URI.create(EndpointClients.endpoint(cluster).url()))
        .region(Region.of(EndpointClients.REGION))
        .credentialsProvider(credentials)
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  static HttpResponse<String> ask(String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(credentialsUri())).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theSdksContainerCredentialProviderGetsCredentialsThatActAsTheServiceAccount()
      throws Exception {
    Path tokenFile = Files.writeString(dir.resolve("token"), token(AUDIENCE));
    System.setProperty("aws.containerCredentialsFullUri", credentialsUri());
    System.setProperty("aws.containerAuthorizationTokenFile", tokenFile.toString());

    try (ContainerCredentialsProvider provider = ContainerCredentialsProvider.builder().build();
        SecretsManagerClient sm = client(provider)) {
      assertThat(provider.resolveCredentials().accessKeyId()).startsWith("ASIA");
      assertThat(sm.getSecretValue(r -> r.secretId("orders/db")).secretString())
          .isEqualTo("pod-reads-this");
      SecretsManagerException put =
          catchThrowableOfType(
              SecretsManagerException.class,
              () -> sm.putSecretValue(r -> r.secretId("orders/db").secretString("x")));
      assertThat(put.awsErrorDetails().errorMessage())
          .startsWith("User: system:serviceaccount:team-a:app is not authorized to perform:");
    }
  }

  @Test
  void aTokenForAnotherAudienceOrNoneGetsNoCredentials() throws Exception {
    HttpResponse<String> otherAudience = ask(token("https://kubernetes.default.svc.cluster.local"));
    HttpResponse<String> none = ask(null);
    HttpResponse<String> garbage = ask("not-a-token");

    assertThat(otherAudience.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(otherAudience.body()).path("Message").asText())
        .startsWith("The token is not valid for audience " + AUDIENCE);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(garbage.statusCode()).isEqualTo(403);
  }

  @Test
  void anAlteredSessionTokenIsNotRecognized() throws Exception {
    JsonNode issued = JSON.readTree(ask(token(AUDIENCE)).body());
    String session = issued.path("Token").asText();
    String altered =
        session.substring(0, 10) + (session.charAt(10) == 'A' ? 'B' : 'A') + session.substring(11);

    try (SecretsManagerClient forged =
        client(
            StaticCredentialsProvider.create(
                AwsSessionCredentials.create(
                    issued.path("AccessKeyId").asText(),
                    issued.path("SecretAccessKey").asText(),
                    altered)))) {
      SecretsManagerException e =
          catchThrowableOfType(
              SecretsManagerException.class,
              () -> forged.getSecretValue(r -> r.secretId("orders/db")));
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
    }
  }

  /** POST /v1/call with a token, an operation and its request, as the kubectl plugin sends it. */
  static HttpResponse<String> call(String token, String operation, String request)
      throws Exception {
    var body = JSON.createObjectNode();
    if (token != null) {
      body.put("token", token);
    }
    body.put("operation", operation);
    body.set("request", JSON.readTree(request));
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(EndpointClients.endpoint(cluster).url() + "/v1/call"))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The plugin's calls with a ServiceAccount token run the operation as that ServiceAccount, with
   * its RBAC; a token the endpoint does not accept, or none, runs nothing.
   */
  @Test
  void aCallWithAServiceAccountTokenRunsAsItAndAnyOtherTokenRunsNothing() throws Exception {
    HttpResponse<String> read =
        call(token(AUDIENCE), "GetSecretValue", "{\"SecretId\":\"orders/db\"}");
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
    assertThat(JSON.readTree(read.body()).path("SecretString").asText())
        .isEqualTo("pod-reads-this");

    HttpResponse<String> put =
        call(
            token(AUDIENCE),
            "PutSecretValue",
            "{\"SecretId\":\"orders/db\",\"SecretString\":\"x\"}");
    assertThat(put.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(put.body()).path("__type").asText())
        .isEqualTo("AccessDeniedException");

    for (String refused :
        List.of(token("https://kubernetes.default.svc.cluster.local"), "not-a-token", "")) {
      HttpResponse<String> answer =
          call(
              refused.isEmpty() ? null : refused, "GetSecretValue", "{\"SecretId\":\"orders/db\"}");
      assertThat(answer.statusCode()).as(refused).isEqualTo(400);
      assertThat(JSON.readTree(answer.body()).path("__type").asText())
          .isEqualTo("UnrecognizedClientException");
      assertThat(answer.body()).doesNotContain("pod-reads-this");
    }

    HttpResponse<String> numbered =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(EndpointClients.endpoint(cluster).url() + "/v1/call"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"operation\": 1}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(numbered.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(numbered.body()).path("__type").asText()).isNotEmpty();

    HttpResponse<String> unknown = call(token(AUDIENCE), "DropEverything", "{}");
    assertThat(JSON.readTree(unknown.body()).path("__type").asText())
        .isEqualTo("UnknownOperationException");
    HttpResponse<String> get =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(EndpointClients.endpoint(cluster).url() + "/v1/call"))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(JSON.readTree(get.body()).path("__type").asText())
        .isEqualTo("UnknownOperationException");
  }
}
