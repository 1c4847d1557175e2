package dev.managedsecrets.operator.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.managedsecrets.operator.rotation.TestCertificates;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

/**
 * A rotation function as AWS's generic template writes one, served over HTTPS in the test's JVM
 * (JDK HttpsServer, a certificate for {@code <service>.<namespace>.svc} from a BouncyCastle CA)
 * behind a Service whose cluster IP is 127.0.0.1: createSecret puts a new value as AWSPENDING with
 * the event's token through the Secrets Manager endpoint (AWS's SDK, as the function's
 * ServiceAccount), finishSecret moves AWSCURRENT to it. {@link #answer} can make a step fail.
 */
final class RotationFunction implements AutoCloseable {

  final TestCertificates ca = TestCertificates.newCa();
  final List<JsonNode> events = new CopyOnWriteArrayList<>();
  private final HttpsServer server;
  private final SecretsManagerClient sm;

  /** The status code of a step's answer (200: the step runs); by default every step runs. */
  volatile Function<String, Integer> answer = step -> 200;

  /** The value createSecret puts. */
  volatile String nextValue = "{\"password\":\"rotated-1\"}";

  RotationFunction(TestCluster cluster, String namespace, String service) throws IOException {
    EndpointClients.grant(
        cluster,
        namespace,
        "rotator",
        "rotates",
        List.of("managedsecrets", "managedsecrets/value"),
        "get",
        "update");
    sm =
        EndpointClients.client(
            cluster, EndpointClients.serviceAccount(cluster, namespace, "rotator"));
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(
        new HttpsConfigurator(ca.serverContext(service + "." + namespace + ".svc")));
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/rotate",
        exchange -> {
          int status;
          try (InputStream in = exchange.getRequestBody()) {
            JsonNode event = new ObjectMapper().readTree(in);
            events.add(event);
            String step = event.path("Step").asText();
            status = answer.apply(step);
            if (status == 200) {
              run(step, event.path("SecretId").asText(), event.path("ClientRequestToken").asText());
            }
          } catch (RuntimeException e) {
            status = 500;
          }
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
    cluster
        .client
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(service)
                .endMetadata()
                .withNewSpec()
                .withClusterIP("127.0.0.1")
                .addNewPort()
                .withPort(port())
                .endPort()
                .endSpec()
                .build())
        .create();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** The steps, as AWS's generic rotation template runs them. */
  private void run(String step, String arn, String token) {
    switch (step) {
      case "createSecret" -> {
        try {
          sm.getSecretValue(r -> r.secretId(arn).versionId(token).versionStage("AWSPENDING"));
        } catch (ResourceNotFoundException none) {
          sm.getSecretValue(r -> r.secretId(arn).versionStage("AWSCURRENT"));
          sm.putSecretValue(
              r ->
                  r.secretId(arn)
                      .clientRequestToken(token)
                      .secretString(nextValue)
                      .versionStages("AWSPENDING"));
        }
      }
      case "finishSecret" -> {
        String current =
            sm.describeSecret(r -> r.secretId(arn)).versionIdsToStages().entrySet().stream()
                .filter(e -> e.getValue().contains("AWSCURRENT"))
                .map(java.util.Map.Entry::getKey)
                .findFirst()
                .orElseThrow();
        if (!current.equals(token)) {
          sm.updateSecretVersionStage(
              r ->
                  r.secretId(arn)
                      .versionStage("AWSCURRENT")
                      .moveToVersionId(token)
                      .removeFromVersionId(current));
        }
      }
      default -> {}
    }
  }

  @Override
  public void close() {
    server.stop(0);
    sm.close();
  }
}
