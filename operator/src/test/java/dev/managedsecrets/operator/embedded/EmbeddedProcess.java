package dev.managedsecrets.operator.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar managedsecret-operator.jar embedded ...} in its own JVM, as a user starts it
 * (the shaded jar that {@code mvn package} built; without it, the test class path and Main).
 */
final class EmbeddedProcess implements AutoCloseable {

  final Process process;
  final List<String> out = new CopyOnWriteArrayList<>();
  final List<String> err = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final List<Thread> pumps = new ArrayList<>();

  private EmbeddedProcess(Process process) {
    this.process = process;
    pump(process.getInputStream(), out, true);
    pump(process.getErrorStream(), err, false);
  }

  /** Starts {@code embedded} with these arguments; does not wait for it to be ready. */
  static EmbeddedProcess start(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    String jar = System.getProperty("embedded.jar");
    if (jar != null && Files.isRegularFile(Path.of(jar))) {
      command.add("-jar");
      command.add(jar);
    } else {
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add("dev.managedsecrets.operator.command.Main");
    }
    command.add("embedded");
    command.addAll(List.of(args));
    if (!command.contains("--endpoint-port")) {
      command.addAll(List.of("--endpoint-port", "0")); // tests never take a fixed port
    }
    try {
      return new EmbeddedProcess(new ProcessBuilder(command).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void pump(java.io.InputStream in, List<String> lines, boolean stdout) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                  if (stdout && line.startsWith("Ready")) {
                    ready.complete(null);
                  }
                }
              } catch (IOException e) {
                // the process ended
              } finally {
                if (stdout) {
                  ready.completeExceptionally(new IllegalStateException("ended before Ready"));
                }
              }
            },
            stdout ? "embedded-stdout" : "embedded-stderr");
    t.setDaemon(true);
    t.start();
    pumps.add(t);
  }

  /** Waits for the line starting with Ready; fails with what the process printed. */
  EmbeddedProcess awaitReady() {
    try {
      ready.get(90, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(
          "embedded did not become ready: "
              + e
              + "\nstdout:\n"
              + String.join("\n", out)
              + "\nstderr:\n"
              + String.join("\n", err),
          e);
    }
    return this;
  }

  /** Waits for a line of stdout that starts with {@code prefix}; fails with what was printed. */
  EmbeddedProcess awaitLine(String prefix) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (out.stream().noneMatch(l -> l.startsWith(prefix))) {
      if (System.nanoTime() > deadline || !process.isAlive()) {
        throw new IllegalStateException(
            "embedded printed no line starting with "
                + prefix
                + "\nstdout:\n"
                + String.join("\n", out)
                + "\nstderr:\n"
                + String.join("\n", err));
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return this;
  }

  /** Waits for the process to end; answers its exit code. */
  int awaitExit() {
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("embedded did not end");
      }
      for (Thread pump : pumps) {
        pump.join(10_000); // the last lines
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.toHandle().destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
