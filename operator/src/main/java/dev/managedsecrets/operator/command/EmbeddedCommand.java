package dev.managedsecrets.operator.command;

import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.apiserver.KubeconfigFile;
import dev.managedsecrets.core.sealing.ResealRequest;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.endpoint.AccessKeys;
import dev.managedsecrets.operator.endpoint.AdminCredentials;
import dev.managedsecrets.operator.endpoint.Principal;
import dev.managedsecrets.operator.endpoint.SecretsManagerEndpoint;
import dev.managedsecrets.operator.reseal.ResealServer;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code managedsecret-operator embedded}: an API server and the operator in this JVM, for trying
 * the project without a cluster and for driving it with the real kubectl. Its state is in memory.
 */
@Command(
    name = "embedded",
    mixinStandardHelpOptions = true,
    description = {
      "Run an in-memory Kubernetes API server (fabric8's mock server, with the CRDs installed) and"
          + " the operator against it, in this process.",
      "Writes a kubeconfig for kubectl, with the token the server requires (readable by its owner"
          + " only). State is kept in memory only: it is gone when the process stops."
    })
public final class EmbeddedCommand implements Callable<Integer> {

  /** The Secrets Manager endpoint's Service, as the chart names it with its defaults. */
  public static final String ENDPOINT_SERVICE = "managedsecret-operator-endpoint";

  /** Its port's name here: the endpoint serves plain HTTP in embedded mode. */
  public static final String ENDPOINT_PORT_NAME = "http";

  @Option(
      names = "--port",
      defaultValue = "6443",
      description = "Port on 127.0.0.1 (0: any free port). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(
      names = "--kubeconfig-out",
      defaultValue = "embedded.kubeconfig",
      description =
          "Where to write the kubeconfig, readable by you only (not a symbolic link). Default:"
              + " ./${DEFAULT-VALUE}.")
  Path kubeconfig;

  @Option(names = "--config", description = "The operator's YAML configuration file.")
  Path config;

  @Option(
      names = "--endpoint-port",
      defaultValue = "8443",
      description =
          "Port of the Secrets Manager endpoint on 127.0.0.1, plain HTTP (0: any free port)."
              + " Default: ${DEFAULT-VALUE}.")
  int endpointPort;

  @Spec CommandSpec spec;

  private final CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (port < 0 || port > 65535 || endpointPort < 0 || endpointPort > 65535) {
      err.println("error: --port and --endpoint-port must be 0-65535");
      err.flush();
      return 2;
    }
    Path target = kubeconfig.toAbsolutePath().normalize();
    FileChannel channel = null;
    EmbeddedApiServer api = null;
    OperatorRuntime runtime = null;
    AutoCloseable reseal = null;
    try {
      OperatorConfig cfg = OperatorConfig.load(config, environment());
      channel = lockKubeconfig(target);
      api = EmbeddedApiServer.start(port);
      out.println(
          "Embedded API server on "
              + api.url()
              + ". Its state is in memory only: everything is lost when this process stops.");
      out.flush();
      runtime =
          OperatorRuntime.start(api.client(), cfg, new SimpleMeterRegistry(), Clock.systemUTC());
      reseal = serveReseal(api, runtime, cfg);
      writeKubeconfig(channel, api);
      out.println("export KUBECONFIG=" + target);
      SecretsManagerEndpoint endpoint = runtime.endpoint().orElseThrow();
      proxyEndpoint(api, cfg, endpoint);
      AccessKeys.AccessKey admin = administrator(credentialsFile(target), cfg, endpoint.url());
      endpoint.accessKeys().add(admin);
      out.println(
          "Secrets Manager endpoint on "
              + endpoint.url()
              + "; its local administrator (a user in system:masters, names in namespace "
              + cfg.endpoint().adminNamespace()
              + ", key also in "
              + credentialsFile(target)
              + "):");
      out.println(AdminCredentials.exports(admin, cfg.region(), endpoint.url()));
      api.client().getApiGroups(); // kubectl's first request: discovery answers
      out.println(
          "Ready: kubectl can be used now, e.g. kubectl apply -f examples/. Stop with Ctrl-C.");
      out.flush();
    } catch (EmbeddedException | IllegalArgumentException | IllegalStateException e) {
      stopAll(reseal, runtime, api, channel);
      err.println("error: " + e.getMessage());
      err.flush();
      return 1;
    } catch (RuntimeException e) {
      stopAll(reseal, runtime, api, channel);
      err.println("error: could not start: " + EmbeddedApiServer.rootMessage(e));
      err.flush();
      return 1;
    }
    AutoCloseable resealing = reseal;
    OperatorRuntime started = runtime;
    EmbeddedApiServer serving = api;
    FileChannel locked = channel;
    AtomicBoolean stopping = new AtomicBoolean();
    Runnable shutdown =
        () -> {
          if (stopping.compareAndSet(false, true)) {
            out.println("Stopping: the operator, then the API server (its state is discarded).");
            out.flush();
            stopAll(resealing, started, serving, locked);
          }
        };
    Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "embedded-shutdown"));
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    shutdown.run();
    return 0;
  }

  /**
   * The environment the configuration is read with: the endpoint on, at --endpoint-port, on
   * 127.0.0.1 over plain HTTP unless the environment says otherwise.
   */
  private Map<String, String> environment() {
    Map<String, String> env = new HashMap<>();
    env.put("MANAGEDSECRET_ENDPOINT_ENABLED", "true");
    env.put("MANAGEDSECRET_ENDPOINT_ADDRESS", "127.0.0.1");
    env.put("MANAGEDSECRET_ENDPOINT_TLS_MODE", "none");
    env.putAll(System.getenv());
    env.put("MANAGEDSECRET_ENDPOINT_ENABLED", "true");
    env.put("MANAGEDSECRET_ENDPOINT_PORT", String.valueOf(endpointPort));
    return env;
  }

  /** The administrator's credentials file beside the kubeconfig: embedded.aws-credentials. */
  static Path credentialsFile(Path kubeconfig) {
    String name = kubeconfig.getFileName().toString();
    String base = name.endsWith(".kubeconfig") ? name.substring(0, name.length() - 11) : name;
    return kubeconfig.resolveSibling(base + ".aws-credentials");
  }

  /**
   * The local administrator's key: the one the credentials file holds from a run before, else a new
   * one, written there readable by its owner only (never through a symbolic link, nor into another
   * user's file).
   */
  private static AccessKeys.AccessKey administrator(Path file, OperatorConfig cfg, String url) {
    Principal principal = Principal.administrator(cfg.endpoint().adminNamespace());
    try {
      String before =
          Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Files.readString(file) : "";
      try (FileChannel channel = KubeconfigFile.open(file)) {
        AccessKeys.AccessKey key =
            AdminCredentials.read(before, principal)
                .orElseGet(() -> AccessKeys.generate(principal));
        KubeconfigFile.write(channel, AdminCredentials.file(key, cfg.region(), url));
        return key;
      }
    } catch (IOException | SecurityException e) {
      throw new EmbeddedException("cannot write the credentials " + file + ": " + reason(e));
    }
  }

  /** Stops a running {@link #call()} (as Ctrl-C does); for running the command in a test. */
  public void stop() {
    stop.countDown();
  }

  /**
   * Serves the re-seal endpoint as the chart does: a server on loopback (any free port) behind the
   * Service {@value ResealRequest#SERVICE} (port {@value ResealRequest#PORT_NAME}, numbered
   * sealing.resealPort) of the operator's namespace, which the API server's service proxy reaches.
   * Closing the handle stops the server.
   */
  public static AutoCloseable serveReseal(
      EmbeddedApiServer api, OperatorRuntime runtime, OperatorConfig config) {
    int port = config.sealing().resealPort() == 0 ? 8082 : config.sealing().resealPort();
    service(
        api, config.namespace(), ResealRequest.SERVICE, "reseal", ResealRequest.PORT_NAME, port);
    ResealServer server =
        ResealServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), runtime::reseal);
    AutoCloseable proxied =
        api.proxyService(
            config.namespace(),
            ResealRequest.SERVICE,
            port,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
    return () -> {
      proxied.close();
      server.close();
    };
  }

  /**
   * Puts the Secrets Manager endpoint behind the Service {@value #ENDPOINT_SERVICE} (port {@value
   * #ENDPOINT_PORT_NAME}, plain HTTP, numbered as the endpoint's port) of the operator's namespace,
   * which the API server's service proxy reaches as the chart's Service ({@code kubectl
   * managedsecret credentials --endpoint-service managedsecret-operator-endpoint:http}), until the
   * API server stops.
   */
  public static void proxyEndpoint(
      EmbeddedApiServer api, OperatorConfig config, SecretsManagerEndpoint endpoint) {
    service(
        api,
        config.namespace(),
        ENDPOINT_SERVICE,
        "secretsmanager-endpoint",
        ENDPOINT_PORT_NAME,
        endpoint.port());
    api.proxyService(
        config.namespace(),
        ENDPOINT_SERVICE,
        endpoint.port(),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), endpoint.port()));
  }

  /** A Service of one TCP port, made or replaced: what the API server's proxy reads. */
  private static void service(
      EmbeddedApiServer api,
      String namespace,
      String name,
      String component,
      String portName,
      int port) {
    api.client()
        .services()
        .inNamespace(namespace)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .addToLabels("app.kubernetes.io/component", component)
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName(portName)
                .withPort(port)
                .withProtocol("TCP")
                .endPort()
                .endSpec()
                .build())
        .createOr(existing -> existing.update());
  }

  private static void stopAll(
      AutoCloseable reseal, OperatorRuntime runtime, EmbeddedApiServer api, FileChannel lock) {
    if (reseal != null) {
      try {
        reseal.close();
      } catch (Exception e) {
        // stopping anyway
      }
    }
    if (runtime != null) {
      try {
        runtime.close();
      } catch (RuntimeException e) {
        // stopping anyway
      }
    }
    if (api != null) {
      api.close();
    }
    if (lock != null) {
      try {
        lock.close();
      } catch (IOException e) {
        // released with the process
      }
    }
  }

  /**
   * Opens and locks the kubeconfig file, so that two instances never share one; it holds the
   * server's token, so it is readable by its owner only, and never a symbolic link or another
   * user's file ({@link KubeconfigFile}).
   */
  private static FileChannel lockKubeconfig(Path target) {
    FileChannel channel;
    try {
      channel = KubeconfigFile.open(target);
    } catch (IOException | SecurityException e) {
      throw new EmbeddedException("cannot write the kubeconfig " + target + ": " + reason(e));
    }
    try {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        throw new EmbeddedException(
            "another embedded instance is running with the kubeconfig " + target);
      }
    } catch (IOException e) {
      throw new EmbeddedException("cannot lock the kubeconfig " + target + ": " + reason(e));
    }
    return channel;
  }

  private static void writeKubeconfig(FileChannel channel, EmbeddedApiServer api) {
    try {
      KubeconfigFile.write(channel, api.kubeconfig());
    } catch (IOException e) {
      throw new EmbeddedException("cannot write the kubeconfig: " + reason(e));
    }
  }

  private static String reason(Exception e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such directory";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** A failure that is reported as one line, without a stack trace. */
  static final class EmbeddedException extends RuntimeException {
    EmbeddedException(String message) {
      super(message, null, false, false);
    }
  }
}
