package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.operator.command.CredentialsProxyCommand;
import dev.managedsecrets.operator.credentialsproxy.CredentialsProxy;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The AWS CLI in a pod: botocore takes container credentials only from a loopback URI, so the
 * operator's image serves one ({@code credentials-proxy}, a sidecar) that forwards the pod's
 * projected ServiceAccount token to the endpoint over TLS. The CLI's calls then act as that
 * ServiceAccount: its RBAC grant lets it read, another ServiceAccount without one is refused.
 */
class EndpointBotocoreCredentialsIT {

  static final String AUDIENCE = "secretsmanager.managedsecrets.dev";

  @TempDir static Path dir;
  static TestCluster cluster;
  static CredentialsProxy proxy;
  static Path ca;

  @BeforeAll
  static void start() throws Exception {
    assertThat(AwsCli.find() != null)
        .as("the AWS CLI (aws) on the PATH: ./test.sh installs it with pip when it is missing")
        .isTrue();
    cluster = TestCluster.withoutOperator();
    Map<String, String> config = new HashMap<>(EndpointClients.CONFIG);
    config.put("MANAGEDSECRET_ENDPOINT_TLS_MODE", "generate");
    cluster.configure = config;
    cluster.startOperator();
    EndpointClients.serviceAccount(cluster, "team-a", "app");
    EndpointClients.serviceAccount(cluster, "team-a", "other");
    EndpointClients.grant(
        cluster, "team-a", "app", "reads-values", List.of("managedsecrets/value"), "get");
    create(
        cluster.client,
        managedSecret(
            "team-a",
            "db",
            s -> {
              s.secretName = "orders/db";
              s.secretString = "botocore-reads-this";
            }));
    awaitSynced(cluster.client, "team-a", "db");
    ca =
        Files.writeString(
            dir.resolve("ca.pem"),
            cluster
                .client
                .configMaps()
                .inNamespace(TestCluster.OPERATOR_NAMESPACE)
                .withName("managedsecret-endpoint-ca")
                .get()
                .getData()
                .get("ca.crt"));
    proxy =
        CommandLine.populateCommand(
                new CredentialsProxyCommand(),
                "--listen",
                "127.0.0.1:0",
                "--endpoint",
                endpointUrl() + "/",
                "--ca-file",
                ca.toString())
            .start();
  }

  @AfterAll
  static void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  static String endpointUrl() {
    return EndpointClients.endpoint(cluster).url();
  }

  static String proxyUri() {
    return "http://127.0.0.1:" + proxy.port() + CredentialsProxy.PATH;
  }

  /** A token of ServiceAccount team-a/{@code account} for {@code audience}, in a file. */
  static Path tokenFile(String account, String audience) throws Exception {
    String token =
        cluster
            .client
            .serviceAccounts()
            .inNamespace("team-a")
            .withName(account)
            .tokenRequest(
                new TokenRequestBuilder().withNewSpec().withAudiences(audience).endSpec().build())
            .getStatus()
            .getToken();
    return Files.writeString(dir.resolve(account + "-" + audience.hashCode() + ".token"), token);
  }

  /** {@code aws secretsmanager ...} as a pod of ServiceAccount team-a/{@code account} runs it. */
  static AwsCli.Run secretsmanager(String account, String... args) throws Exception {
    Map<String, String> env =
        Map.of(
            "AWS_REGION",
            EndpointClients.REGION,
            "AWS_DEFAULT_REGION",
            EndpointClients.REGION,
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            proxyUri(),
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            tokenFile(account, AUDIENCE).toString());
    String[] command = new String[args.length + 5];
    command[0] = "secretsmanager";
    System.arraycopy(args, 0, command, 1, args.length);
    command[args.length + 1] = "--endpoint-url";
    command[args.length + 2] = endpointUrl();
    command[args.length + 3] = "--ca-bundle";
    command[args.length + 4] = ca.toString();
    return AwsCli.run(dir, env, command);
  }

  @Test
  void theAwsCliReadsASecretWithCredentialsTheLoopbackHelperGotForItsServiceAccount()
      throws Exception {
    AwsCli.Run read = secretsmanager("app", "get-secret-value", "--secret-id", "orders/db");

    assertThat(read.exitCode()).as(read.err()).isZero();
    assertThat(new ObjectMapper().readTree(read.out()).path("SecretString").asText())
        .isEqualTo("botocore-reads-this");
    AwsCli.Run put =
        secretsmanager(
            "app", "put-secret-value", "--secret-id", "orders/db", "--secret-string", "x");
    assertThat(put.exitCode()).isNotZero();
    assertThat(put.err())
        .contains("AccessDeniedException")
        .contains("User: system:serviceaccount:team-a:app is not authorized to perform:");
  }

  @Test
  void aServiceAccountWithoutTheGrantIsRefused() throws Exception {
    AwsCli.Run read = secretsmanager("other", "get-secret-value", "--secret-id", "orders/db");

    assertThat(read.exitCode()).isNotZero();
    assertThat(read.err())
        .contains("AccessDeniedException")
        .contains("User: system:serviceaccount:team-a:other is not authorized")
        .doesNotContain("botocore-reads-this");
  }

  @Test
  void theHelperRelaysTheEndpointsRefusalAndServesNothingElse() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String otherAudience =
        Files.readString(tokenFile("app", "https://kubernetes.default.svc.cluster.local"));

    HttpResponse<String> refused =
        http.send(
            HttpRequest.newBuilder(URI.create(proxyUri()))
                .header("Authorization", otherAudience)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> none =
        http.send(
            HttpRequest.newBuilder(URI.create(proxyUri())).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> elsewhere =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/v1/other"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> posted =
        http.send(
            HttpRequest.newBuilder(URI.create(proxyUri()))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).contains("The token is not valid for audience " + AUDIENCE);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(elsewhere.statusCode()).isEqualTo(404);
    assertThat(posted.statusCode()).isEqualTo(405);
  }
}
