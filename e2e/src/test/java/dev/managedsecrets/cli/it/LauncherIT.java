package dev.managedsecrets.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.cli.Cli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The plugin as a user installs it: the launcher script and the shaded jar in their own JVM, found
 * by kubectl on the PATH, with the kubeconfig of the KUBECONFIG variable; the embedded API server
 * and the operator run in this JVM.
 */
@Timeout(120)
class LauncherIT {

  static final Path LAUNCHER = Path.of(System.getProperty("cli.launcher", "kubectl-managedsecret"));
  static final Path JAR =
      Path.of(System.getProperty("cli.jar", "target/kubectl-managedsecret.jar"));

  static Cluster cluster;

  @BeforeAll
  static void start() {
    assertThat(LAUNCHER).as("the launcher script").isExecutable();
    assertThat(JAR).as("the shaded jar (mvn package)").isRegularFile();
    cluster = Cluster.start();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static Result exec(Path pathDir, String... command) {
    return cluster.exec(pathDir, null, command);
  }

  static String[] plugin(String... args) {
    List<String> command = new ArrayList<>(List.of("kubectl", "managedsecret"));
    command.addAll(List.of(args));
    return command.toArray(String[]::new);
  }

  @Test
  void kubectlRunsThePluginFromThePathAgainstTheClusterOfKubeconfig() throws Exception {
    Path bin = LAUNCHER.toAbsolutePath().getParent();
    Result created =
        exec(
            bin,
            plugin(
                "create-secret",
                "--name",
                "launcher/one",
                "--secret-string",
                "{\"user\":\"u\"}",
                "--tags",
                "Key=team,Value=orders"));
    assertThat(created.code()).as(created.toString()).isZero();
    JsonNode json = new ObjectMapper().readTree(created.out());
    assertThat(json.get("ARN").asText()).startsWith(Cluster.ARN_PREFIX + "launcher/one-");

    Result value =
        exec(
            bin,
            plugin(
                "get-secret-value",
                "--secret-id",
                "launcher/one",
                "--query",
                "SecretString",
                "--output",
                "text"));
    assertThat(value.code()).as(value.toString()).isZero();
    assertThat(value.out()).isEqualTo("{\"user\":\"u\"}\n");

    Result table = exec(bin, plugin("list-secrets", "-o", "table"));
    assertThat(table.code()).as(table.toString()).isZero();
    assertThat(table.out()).contains("ListSecrets", "SecretList", "launcher/one", "Tags", "orders");

    Result yaml = exec(bin, plugin("describe-secret", "--secret-id", "launcher/one", "-o", "yaml"));
    assertThat(yaml.out()).contains("Name: launcher/one\n", "- Key: team\n  Value: orders\n");
  }

  @Test
  void aServiceErrorEndsTheProcessWithExitCode254AndAwsText() throws Exception {
    Path bin = LAUNCHER.toAbsolutePath().getParent();
    Result r = exec(bin, plugin("describe-secret", "--secret-id", "launcher/missing"));
    assertThat(r.code()).isEqualTo(254);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo(
            "An error occurred (ResourceNotFoundException) when calling the DescribeSecret"
                + " operation: Secrets Manager can't find the specified secret.\n");
  }

  @Test
  void theLauncherFindsTheJarInShareWhenInstalledAndThroughASymbolicLink() throws Exception {
    Path prefix = Files.createTempDirectory(cluster.dir, "prefix");
    Path bin = Files.createDirectories(prefix.resolve("bin"));
    Path share = Files.createDirectories(prefix.resolve("share/kubectl-managedsecret"));
    Files.copy(LAUNCHER, bin.resolve("kubectl-managedsecret"));
    Files.copy(JAR, share.resolve("kubectl-managedsecret.jar"));
    Result installed =
        exec(
            bin,
            bin.resolve("kubectl-managedsecret").toString(),
            "get-random-password",
            "-o",
            "text");
    assertThat(installed.code()).as(installed.toString()).isZero();
    assertThat(installed.out()).hasSize(33);

    Path links = Files.createDirectories(prefix.resolve("links"));
    Files.createSymbolicLink(links.resolve("kubectl-managedsecret"), LAUNCHER.toAbsolutePath());
    Result linked =
        exec(
            links,
            links.resolve("kubectl-managedsecret").toString(),
            "get-random-password",
            "--password-length",
            "8");
    assertThat(linked.code()).as(linked.toString()).isZero();
    assertThat(linked.out()).startsWith("{\n    \"RandomPassword\": \"");

    Path alone = Files.createTempDirectory(cluster.dir, "alone");
    Files.copy(LAUNCHER, alone.resolve("kubectl-managedsecret"));
    Result missing = exec(alone, alone.resolve("kubectl-managedsecret").toString(), "--version");
    assertThat(missing.code()).isEqualTo(255);
    assertThat(missing.err()).contains("kubectl-managedsecret.jar not found");
  }
}
