package dev.managedsecrets.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.operator.http.HttpServerLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's own commands, with the AWS CLI installed on the machine, against {@code embedded}
 * started as a user starts it: the export line it prints is all the CLI needs, and what the CLI
 * creates shows in {@code kubectl get ms}, while what kubectl applies the CLI reads.
 */
class EndpointCliIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String MYCREDS = "{\"username\":\"saanvi\",\"password\":\"aDM4N3*!8TT\"}";

  @TempDir static Path dir;
  static EmbeddedProcess embedded;
  static Kubectl kubectl;
  static Map<String, String> exports = new HashMap<>();

  /** What one aws run printed and how it ended. */
  record Run(int exitCode, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @BeforeAll
  static void startEmbedded() throws IOException {
    assertThat(aws() != null)
        .as("the AWS CLI (aws) on the PATH: ./test.sh installs it with pip when it is missing")
        .isTrue();
    Path kubeconfig = dir.resolve("embedded.kubeconfig");
    embedded =
        EmbeddedProcess.start("--port", "0", "--kubeconfig-out", kubeconfig.toString())
            .awaitReady();
    String line =
        embedded.out.stream()
            .filter(l -> l.startsWith("export AWS_ACCESS_KEY_ID="))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no export line in " + embedded.out));
    for (String assignment : line.substring("export ".length()).split(" ")) {
      int eq = assignment.indexOf('=');
      exports.put(assignment.substring(0, eq), assignment.substring(eq + 1));
    }
    kubectl = new Kubectl(kubeconfig, dir.resolve("kubectl-cache"));
    Files.writeString(dir.resolve("mycreds.json"), MYCREDS);
  }

  @AfterAll
  static void stopEmbedded() {
    if (embedded != null) {
      embedded.close();
    }
  }

  static String aws() {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(d, "aws");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }

  /**
   * Runs {@code aws secretsmanager ...} in the test's directory with the exported variables and
   * nothing of the user's own AWS configuration. The endpoint is passed with --endpoint-url as
   * well, which every AWS CLI knows.
   */
  static Run secretsmanager(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(aws(), "secretsmanager"));
    command.addAll(List.of(args));
    command.addAll(List.of("--endpoint-url", exports.get("AWS_ENDPOINT_URL_SECRETS_MANAGER")));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_"));
    env.putAll(exports);
    env.put("HOME", dir.toString());
    env.put("AWS_CONFIG_FILE", dir.resolve("no-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-credentials").toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  @Test
  void theSeedsCommandsWorkWithTheExportedCredentials() throws Exception {
    Run created =
        secretsmanager(
            "create-secret",
            "--name",
            "production/MyAwesomeAppSecret",
            "--secret-string",
            "file://mycreds.json");
    assertThat(created.exitCode()).as(created.err()).isZero();
    assertThat(created.json().path("Name").asText()).isEqualTo("production/MyAwesomeAppSecret");

    Run read = secretsmanager("get-secret-value", "--secret-id", "production/MyAwesomeAppSecret");
    assertThat(read.exitCode()).as(read.err()).isZero();
    assertThat(read.json().path("SecretString").asText()).isEqualTo(MYCREDS);
    assertThat(read.json().path("VersionStages").get(0).asText()).isEqualTo("AWSCURRENT");

    Kubectl.Result listed =
        kubectl.run("get", "ms", "-n", "default", "-o", "jsonpath={.items[*].spec.secretName}");
    assertThat(listed.exitCode()).as(listed.toString()).isZero();
    assertThat(listed.out()).contains("production/MyAwesomeAppSecret");
  }

  @Test
  void theCliReadsASecretAppliedWithKubectl() throws Exception {
    Kubectl.Result applied =
        kubectl.runWithInput(
            """
            apiVersion: managedsecrets.dev/v1alpha1
            kind: ManagedSecret
            metadata: {name: from-kubectl, namespace: default}
            spec:
              secretName: applied/with/kubectl
              data: {username: admin}
            """,
            "apply",
            "-f=-");
    assertThat(applied.exitCode()).as(applied.toString()).isZero();
    Kubectl.Result ready =
        kubectl.run("wait", "--for=condition=Ready", "ms/from-kubectl", "--timeout=60s");
    assertThat(ready.exitCode()).as(ready.toString()).isZero();

    Run read = secretsmanager("get-secret-value", "--secret-id", "applied/with/kubectl");

    assertThat(read.exitCode()).as(read.err()).isZero();
    assertThat(read.json().path("SecretString").asText()).isEqualTo("{\"username\":\"admin\"}");
    Run refused =
        secretsmanager(
            "put-secret-value", "--secret-id", "applied/with/kubectl", "--secret-string", "x");
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.err()).contains("InvalidRequestException").contains("spec.data");
  }

  @Test
  void aSignatureWithAnotherKeyIsRefused() throws Exception {
    String secretKey = exports.get("AWS_SECRET_ACCESS_KEY");
    exports.put("AWS_SECRET_ACCESS_KEY", "x".repeat(40));
    try {
      Run refused = secretsmanager("list-secrets");
      assertThat(refused.exitCode()).isNotZero();
      assertThat(refused.err()).contains("InvalidSignatureException");
    } finally {
      exports.put("AWS_SECRET_ACCESS_KEY", secretKey);
    }
  }

  @Test
  void theAdministratorsKeyIsKeptBesideTheKubeconfigForItsOwnerOnly() throws IOException {
    Path credentials = dir.resolve("embedded.aws-credentials");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(credentials))
        .contains("aws_access_key_id = " + exports.get("AWS_ACCESS_KEY_ID"))
        .contains("aws_secret_access_key = " + exports.get("AWS_SECRET_ACCESS_KEY"));
    assertThat(exports)
        .containsKeys("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_SECRETS_MANAGER");
    assertThat(exports.get("AWS_ENDPOINT_URL_SECRETS_MANAGER")).startsWith("http://127.0.0.1:");
  }

  /**
   * Clients that open more connections than the endpoint has workers and send their requests slowly
   * (part of the headers, then nothing) are cut off once the request time limit passes, and the
   * calls waiting behind them are then served: they cannot stall the endpoint.
   */
  @Test
  void clientsThatSendTooSlowlyAreCutOffAndTheEndpointServesTheOthers() throws Exception {
    URI endpoint = URI.create(exports.get("AWS_ENDPOINT_URL_SECRETS_MANAGER"));
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 40; i++) {
        Socket socket = new Socket(endpoint.getHost(), endpoint.getPort());
        socket.setSoTimeout((int) (3 * HttpServerLimits.REQUEST.toMillis()));
        socket
            .getOutputStream()
            .write("POST / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        slow.add(socket);
      }

      Run listed = secretsmanager("list-secrets");

      assertThat(listed.exitCode()).as(listed.err()).isZero();
      for (Socket socket : slow) {
        assertThat(cutOff(socket)).as("a slow client's connection is closed").isTrue();
      }
    } finally {
      for (Socket socket : slow) {
        socket.close();
      }
    }
  }

  /** True when the server closed the connection (end of stream or reset) before the timeout. */
  private static boolean cutOff(Socket socket) throws IOException {
    try {
      return socket.getInputStream().read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset by the server
    }
  }
}
