package dev.managedsecrets.operator.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The real kubectl binary, run against one kubeconfig with its own discovery cache. */
public final class Kubectl {

  /** What a kubectl run printed and how it ended. */
  public record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  private final Path kubeconfig;
  private final Path cacheDir;

  public Kubectl(Path kubeconfig, Path cacheDir) {
    this.kubeconfig = kubeconfig;
    this.cacheDir = cacheDir;
  }

  /** The kubectl to run: $KUBECTL, else the first kubectl on the PATH. */
  static String binary() {
    String configured = System.getenv("KUBECTL");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir, "kubectl");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException(
        "kubectl is not installed: these tests drive the real kubectl, 1.27 or newer (run"
            + " ./test.sh, which fetches kubectl 1.32 into .tools/, or set KUBECTL)");
  }

  /**
   * Fails unless kubectl is 1.27 or newer: older ones (Debian's kubernetes-client is 1.20) need
   * OpenAPI v2 in protobuf and know no server-side field validation.
   */
  public void requireSupportedVersion() {
    Result r = run("version", "--client", "-o", "json");
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"minor\":\\s*\"(\\d+)").matcher(r.out());
    if (r.exitCode() != 0 || !m.find() || Integer.parseInt(m.group(1)) < 27) {
      throw new IllegalStateException(
          "kubectl 1.27 or newer is needed; " + binary() + " answered: " + r);
    }
  }

  public Result run(String... args) {
    return runWithInput(null, args);
  }

  /** Runs kubectl with {@code stdin} (may be null) as its standard input. */
  public Result runWithInput(String stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary());
    command.add("--cache-dir=" + cacheDir);
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    try {
      Process p = pb.start();
      CompletableFuture<String> out = read(p.getInputStream());
      CompletableFuture<String> err = read(p.getErrorStream());
      if (stdin != null) {
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      p.getOutputStream().close();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not end");
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Reads a process's stream to its end on another thread (so a full pipe never blocks it). */
  public static CompletableFuture<String> read(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
