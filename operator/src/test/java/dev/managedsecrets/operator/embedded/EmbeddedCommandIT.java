package dev.managedsecrets.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.operator.chart.HelmBinary;
import dev.managedsecrets.operator.chart.Repo;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code embedded} starts, refuses bad input with one line, and stops. */
class EmbeddedCommandIT {

  @TempDir Path dir;

  @Test
  void aPortInUseEndsWithOneLineOnStderrAndNonZeroExit() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      EmbeddedProcess p =
          EmbeddedProcess.start(
              "--port", String.valueOf(port), "--kubeconfig-out", dir.resolve("kc").toString());
      assertThat(p.awaitExit()).isNotZero();
      assertThat(p.err).hasSize(1);
      assertThat(p.err.get(0)).startsWith("error: ").contains(String.valueOf(port));
    }
  }

  @Test
  void anUnwritableKubeconfigPathEndsWithOneLine() {
    Path nowhere = dir.resolve("no-such-dir").resolve("kubeconfig");
    EmbeddedProcess p =
        EmbeddedProcess.start("--port", "0", "--kubeconfig-out", nowhere.toString());
    assertThat(p.awaitExit()).isNotZero();
    assertThat(p.err).hasSize(1);
    assertThat(p.err.get(0)).startsWith("error: ").contains(nowhere.toString());
  }

  @Test
  void aKubeconfigPathThatIsASymbolicLinkEndsWithOneLineAndItsTargetIsUntouched() throws Exception {
    Path target = Files.writeString(dir.resolve("precious"), "not a kubeconfig\n");
    Path link = Files.createSymbolicLink(dir.resolve("kc"), target);
    EmbeddedProcess p = EmbeddedProcess.start("--port", "0", "--kubeconfig-out", link.toString());
    assertThat(p.awaitExit()).isNotZero();
    assertThat(p.err)
        .containsExactly("error: cannot write the kubeconfig " + link + ": it is a symbolic link");
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readString(target)).isEqualTo("not a kubeconfig\n");
  }

  @Test
  void theKubeconfigIsReadableByItsOwnerOnlyAndHoldsTheTokenThatTheServerRequires()
      throws Exception {
    Path kubeconfig = Files.writeString(dir.resolve("kc"), "an older kubeconfig\n");
    Files.setPosixFilePermissions(kubeconfig, PosixFilePermissions.fromString("rw-r--r--"));
    try (EmbeddedProcess p =
        EmbeddedProcess.start("--port", "0", "--kubeconfig-out", kubeconfig.toString())
            .awaitReady()) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kubeconfig)))
          .isEqualTo("rw-------");
      Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
        assertThat(client.namespaces().withName("default").get()).isNotNull();
      }
      Config anonymous =
          new ConfigBuilder(config).withOauthToken(null).withAutoOAuthToken(null).build();
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(anonymous).build()) {
        assertThatThrownBy(() -> client.namespaces().withName("default").get())
            .isInstanceOfSatisfying(
                KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(401));
      }
    }
  }

  @Test
  void aSecondInstanceIsRefusedAndTheFirstStopsCleanlyOnSigterm() throws Exception {
    Path kubeconfig = dir.resolve("kc");
    try (EmbeddedProcess first =
        EmbeddedProcess.start("--port", "0", "--kubeconfig-out", kubeconfig.toString())
            .awaitReady()) {
      String server =
          Files.readAllLines(kubeconfig).stream()
              .filter(l -> l.contains("server:"))
              .findFirst()
              .orElseThrow();
      String port = server.substring(server.lastIndexOf(':') + 1).trim();

      EmbeddedProcess samePort =
          EmbeddedProcess.start(
              "--port", port, "--kubeconfig-out", dir.resolve("other").toString());
      assertThat(samePort.awaitExit()).isNotZero();
      assertThat(samePort.err).hasSize(1);
      assertThat(samePort.err.get(0)).startsWith("error: ").contains(port);

      EmbeddedProcess sameKubeconfig =
          EmbeddedProcess.start("--port", "0", "--kubeconfig-out", kubeconfig.toString());
      assertThat(sameKubeconfig.awaitExit()).isNotZero();
      assertThat(sameKubeconfig.err).hasSize(1);
      assertThat(sameKubeconfig.err.get(0)).startsWith("error: another embedded instance");
      assertThat(Files.readString(kubeconfig)).contains(server.trim());

      first.process.toHandle().destroy(); // SIGTERM (Ctrl-C sends SIGINT); keeps the pipes open
      int exit = first.awaitExit();
      assertThat(first.out)
          .as("exit %d, stderr %s", exit, first.err)
          .anySatisfy(l -> assertThat(l).startsWith("Stopping"));
      assertThat(first.err).isEmpty();
    }
  }

  @Test
  void withoutCrdsItServesANewClusterAndStartsTheOperatorOnceHelmHasInstalledTheChart()
      throws Exception {
    Path kubeconfig = dir.resolve("kc");
    try (EmbeddedProcess p = startWithoutCrds(kubeconfig)) {
      Kubectl kubectl = new Kubectl(kubeconfig, dir.resolve("kube-cache"));
      assertThat(kubectl.run("get", "namespace", "managedsecret-system").err())
          .contains("NotFound");
      assertThat(kubectl.run("get", "crd", "-o", "name").out()).isEmpty();

      HelmBinary helm = installChart(kubeconfig);
      p.awaitReady();
      assertThat(p.out).anySatisfy(l -> assertThat(l).startsWith("The CRDs are Established"));

      Kubectl.Result applied =
          kubectl.runWithInput(
              """
              apiVersion: managedsecrets.dev/v1alpha1
              kind: ManagedSecret
              metadata: {name: hello, namespace: default}
              spec: {data: {greeting: hello}}
              """,
              "apply",
              "-f",
              "-");
      assertThat(applied.exitCode()).as("%s", applied).isZero();
      Kubectl.Result ready =
          kubectl.run(
              "wait", "-n", "default", "--for=condition=Ready", "ms/hello", "--timeout=60s");
      assertThat(ready.exitCode()).as("%s", ready).isZero();
      Kubectl.Result listed = helm.run("list", "-n", "managedsecret-system", "-o", "json");
      assertThat(listed.out()).contains("\"status\":\"deployed\"");
    }
  }

  @Test
  void withoutCrdsTheChartInstallsAfterTheCrdsWereAppliedAndTheOperatorStartedFirst()
      throws Exception {
    Path kubeconfig = dir.resolve("kc");
    try (EmbeddedProcess p = startWithoutCrds(kubeconfig)) {
      Kubectl kubectl = new Kubectl(kubeconfig, dir.resolve("kube-cache"));
      Kubectl.Result crds =
          kubectl.run(
              "apply", "--server-side", "-f", Repo.chart().resolve("crds").toString() + "/");
      assertThat(crds.exitCode()).as("%s", crds).isZero();
      // The operator has started and made the Services it proxies (the re-seal endpoint's) before
      // the chart comes: Helm adopts them rather than refusing to install over them.
      p.awaitReady();
      assertThat(kubectl.run("get", "service", "-n", "managedsecret-system", "-o", "name").out())
          .contains("service/managedsecret-operator-reseal");
      HelmBinary helm = installChart(kubeconfig);
      Kubectl.Result listed = helm.run("list", "-n", "managedsecret-system", "-o", "json");
      assertThat(listed.out()).contains("\"status\":\"deployed\"");
    }
  }

  /** embedded --without-crds, once it has written the kubeconfig and waits for the CRDs. */
  private static EmbeddedProcess startWithoutCrds(Path kubeconfig) {
    return EmbeddedProcess.start(
            "--port", "0", "--kubeconfig-out", kubeconfig.toString(), "--without-crds")
        .awaitLine("No CRDs yet");
  }

  /** The README's helm install (its image aside), with the real helm; fails unless it exits 0. */
  private HelmBinary installChart(Path kubeconfig) {
    HelmBinary helm = new HelmBinary(kubeconfig, dir.resolve("helm"));
    Kubectl.Result installed =
        helm.run(
            "install",
            "managedsecret-operator",
            Repo.chart().toString(),
            "--namespace",
            "managedsecret-system",
            "--create-namespace");
    assertThat(installed.exitCode()).as("%s", installed).isZero();
    return helm;
  }

  @Test
  void withoutCrdsIsRefusedWithRegions() {
    EmbeddedProcess p =
        EmbeddedProcess.start(
            "--port",
            "0",
            "--kubeconfig-out",
            dir.resolve("kc").toString(),
            "--without-crds",
            "--regions",
            "us-east-1,eu-west-1");
    assertThat(p.awaitExit()).isEqualTo(2);
    assertThat(p.err)
        .containsExactly(
            "error: --without-crds starts one API server; it cannot be used with --regions");
  }
}
