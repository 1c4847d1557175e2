package dev.managedsecrets.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
