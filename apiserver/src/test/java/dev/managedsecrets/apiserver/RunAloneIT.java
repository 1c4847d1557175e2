package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The API server run alone from its jar, as README.md shows, with no operator. */
@Timeout(120)
class RunAloneIT {

  static final Path JAR =
      Path.of(System.getProperty("apiserver.jar", "target/managedsecret-apiserver.jar"));

  @TempDir Path dir;

  @Test
  void theJarServesTheCrdsAndWritesAKubeconfigForClients() throws Exception {
    Path kubeconfig = dir.resolve("kc");
    Process p = start("--port", "0", "--kubeconfig-out", kubeconfig.toString());
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      String export = null;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("export KUBECONFIG=")) {
          export = line;
          break;
        }
      }
      assertThat(export).isEqualTo("export KUBECONFIG=" + kubeconfig.toAbsolutePath());
      Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
        assertThat(client.namespaces().list().getItems())
            .extracting(Namespace::getMetadata)
            .extracting(m -> m.getName())
            .contains("default", "kube-system", "managedsecret-system");
        assertThat(
                client.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
                    .map(crd -> crd.getMetadata().getName()))
            .contains(
                "managedsecrets.managedsecrets.dev",
                "kmskeys.managedsecrets.dev",
                "managedsecretreplicas.managedsecrets.dev");
      }
    } finally {
      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
    }
  }

  @Test
  void withoutCrdsTheJarServesANewClusterWithoutTheOperatorsNamespace() throws Exception {
    Path kubeconfig = dir.resolve("kc");
    Process p = start("--port", "0", "--kubeconfig-out", kubeconfig.toString(), "--without-crds");
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      List<String> lines = new java.util.ArrayList<>();
      String line;
      while ((line = out.readLine()) != null) {
        lines.add(line);
        if (line.startsWith("export KUBECONFIG=")) {
          break;
        }
      }
      assertThat(lines).anySatisfy(l -> assertThat(l).contains("without CRDs (a new cluster)"));
      Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
        assertThat(client.namespaces().list().getItems())
            .extracting(n -> n.getMetadata().getName())
            .containsExactlyInAnyOrder("default", "kube-system");
        assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems())
            .isEmpty();
      }
    } finally {
      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
    }
  }

  @Test
  void anUnknownOptionEndsWithOneLineAndExitCodeTwo() throws Exception {
    Process p = start("--no-such-option");
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(err.lines().toList())
        .containsExactly("error: unknown option --no-such-option (see --help)");
  }

  private static Process start(String... args) throws Exception {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).start();
  }
}
