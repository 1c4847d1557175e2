package dev.managedsecrets.operator.chart;

import dev.managedsecrets.operator.embedded.Kubectl;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code helm} binary (Helm 3), run against one kubeconfig with its cache, configuration
 * and data in a directory of its own, so that nothing of the user's Helm is read or written.
 */
public final class HelmBinary {

  /**
   * How long one helm command may take. Each takes about a second against the embedded server; a
   * server that never marks a CRD Established makes {@code helm install} wait 60 s and fail, so
   * this limit makes that a clear failure rather than a slow one.
   */
  private static final long TIMEOUT_SECONDS = 45;

  private final Path kubeconfig;
  private final Path home;

  public HelmBinary(Path kubeconfig, Path home) {
    this.kubeconfig = kubeconfig;
    this.home = home;
  }

  /** helm: $HELM, else the first on the PATH (./test.sh sets both to the layer's Helm 3.17). */
  static String binary() {
    String configured = System.getenv("HELM");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(d, "helm");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException(
        "helm is not on the PATH: run ./test.sh (it fetches Helm 3.17 into .tools/), or set HELM");
  }

  /** Runs helm with these arguments; answers how it ended. */
  public Kubectl.Result run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = pb.environment();
    env.remove("KUBECONFIG");
    env.put("HELM_CACHE_HOME", home.resolve("cache").toString());
    env.put("HELM_CONFIG_HOME", home.resolve("config").toString());
    env.put("HELM_DATA_HOME", home.resolve("data").toString());
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      CompletableFuture<String> out = Kubectl.read(p.getInputStream());
      CompletableFuture<String> err = Kubectl.read(p.getErrorStream());
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(
            "helm " + String.join(" ", args) + " did not end in " + TIMEOUT_SECONDS + " s");
      }
      return new Kubectl.Result(p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
