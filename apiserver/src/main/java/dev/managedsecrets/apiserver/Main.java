package dev.managedsecrets.apiserver;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The API server alone, without the operator: {@code java -jar managedsecret-apiserver.jar [--port
 * N] [--kubeconfig-out FILE] [--without-crds]}. Writes a kubeconfig for kubectl (with the server's
 * certificate and token, readable by its owner only) and serves until stopped (Ctrl-C or SIGTERM).
 * Its state is in memory only.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    // Before any logger exists: this jar's own configuration, quiet but for warnings.
    System.setProperty("logback.configurationFile", "apiserver-logback.xml");
    int port = 6443;
    Path kubeconfig = Path.of("apiserver.kubeconfig");
    boolean crds = true;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--port" -> port = parsePort(value);
        case "--kubeconfig-out" -> kubeconfig = Path.of(require(value, "--kubeconfig-out"));
        case "--without-crds" -> {
          crds = false;
          continue;
        }
        case "-h", "--help" -> {
          System.out.println(
              "Usage: java -jar managedsecret-apiserver.jar [--port N (6443; 0: any free)]"
                  + " [--kubeconfig-out FILE (apiserver.kubeconfig)]"
                  + " [--without-crds (a new cluster: no CRDs, no managedsecret-system)]");
          return;
        }
        default -> fail("unknown option " + args[i] + " (see --help)");
      }
      i++;
    }
    EmbeddedApiServer server;
    Path written;
    try {
      EmbeddedApiServer.Options options = EmbeddedApiServer.options().port(port);
      server = EmbeddedApiServer.start(crds ? options : options.withoutCrds());
    } catch (RuntimeException e) {
      fail(EmbeddedApiServer.rootMessage(e));
      return;
    }
    try {
      written = server.writeKubeconfig(kubeconfig);
    } catch (IOException e) {
      server.close();
      fail("cannot write the kubeconfig " + kubeconfig + ": " + EmbeddedApiServer.rootMessage(e));
      return;
    }
    System.out.println(
        "API server on "
            + server.url()
            + (crds ? " with the ManagedSecret CRDs" : " without CRDs (a new cluster)")
            + "; state in memory only.");
    System.out.println("export KUBECONFIG=" + written);
    System.out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                }));
    stopped.await();
  }

  private static int parsePort(String value) {
    try {
      int port = Integer.parseInt(require(value, "--port"));
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    fail("--port must be 0-65535; it is " + value);
    return -1;
  }

  private static String require(String value, String option) {
    if (value == null) {
      fail(option + " needs a value");
    }
    return value;
  }

  private static void fail(String message) {
    System.err.println("error: " + message);
    System.exit(2);
  }
}
