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
import dev.managedsecrets.operator.replication.Replicas;
import dev.managedsecrets.operator.reseal.ResealServer;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
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

  @Option(
      names = "--without-crds",
      description =
          "Start as a new cluster: no CRDs and no operator namespace, for installing them with"
              + " helm install --create-namespace or kubectl apply. The operator starts once the"
              + " CRDs are Established. Not with --regions.")
  boolean withoutCrds;

  @Spec CommandSpec spec;

  /** How often a server started --without-crds is asked whether its CRDs are Established. */
  private static final Duration CRD_POLL = Duration.ofMillis(250);

  /** The regions of --regions, in their order; empty: one API server and operator, as before. */
  private List<String> regions = List.of();

  /** The team namespace that embedded mode has from the start, kubectl's default. */
  static final String TEAM_NAMESPACE = "default";

  /** The most regions --regions starts. */
  static final int MAX_REGIONS = 5;

  private static final Pattern REGION = Pattern.compile("[a-z][a-z0-9-]{0,31}");

  @Option(
      names = "--regions",
      paramLabel = "REGION[,REGION...]",
      description = {
        "Start one region per name (1-"
            + MAX_REGIONS
            + ", e.g. us-east-1,eu-west-1), each its own in-memory API server and operator, peers"
            + " of each other for spec.replicaRegions. The kubeconfig gets one context per region,"
            + " named after it, the first one current; the namespace "
            + TEAM_NAMESPACE
            + " accepts replicas in every region. The API servers listen on --port, --port+1, ..."
            + " and the Secrets Manager endpoints on --endpoint-port, --endpoint-port+1, ... (0:"
            + " any free ports)."
      })
  void regions(String value) {
    try {
      regions = parseRegions(value);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "Invalid value for option '--regions': " + e.getMessage());
    }
  }

  /**
   * The regions of a --regions value: 1-{@value #MAX_REGIONS} distinct names, comma-separated, each
   * a lowercase letter then at most 31 of lowercase letters, digits and -.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static List<String> parseRegions(String value) {
    String[] names = value.split(",", -1);
    if (names.length > MAX_REGIONS) {
      throw new IllegalArgumentException(
          "at most " + MAX_REGIONS + " regions, comma-separated; it names " + names.length);
    }
    Set<String> seen = new LinkedHashSet<>();
    for (String name : names) {
      if (!REGION.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "each region is a lowercase letter then at most 31 of a-z, 0-9 and -, comma-separated"
                + " (e.g. us-east-1,eu-west-1); '"
                + (name.length() > 40 ? name.substring(0, 40) + "..." : name)
                + "' is not");
      }
      if (!seen.add(name)) {
        throw new IllegalArgumentException("region " + name + " is named more than once");
      }
    }
    return List.copyOf(seen);
  }

  private final CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int last = Math.max(regions.size() - 1, 0);
    if (port < 0
        || offset(port, last) > 65535
        || endpointPort < 0
        || offset(endpointPort, last) > 65535) {
      err.println(
          regions.isEmpty()
              ? "error: --port and --endpoint-port must be 0-65535"
              : "error: --port and --endpoint-port must be 0-65535, with room for one port per"
                  + " region above them");
      err.flush();
      return 2;
    }
    if (withoutCrds && !regions.isEmpty()) {
      err.println("error: --without-crds starts one API server; it cannot be used with --regions");
      err.flush();
      return 2;
    }
    Path target = kubeconfig.toAbsolutePath().normalize();
    FileChannel channel = null;
    List<EmbeddedRegion> started = new ArrayList<>();
    try {
      List<OperatorConfig> configs = configs();
      channel = lockKubeconfig(target);
      if (regions.isEmpty()) {
        startOne(configs.get(0), channel, target, started, out);
      } else {
        startRegions(configs, channel, target, started, out);
      }
      out.flush();
    } catch (EmbeddedException | IllegalArgumentException | IllegalStateException e) {
      stopAll(started, channel);
      err.println("error: " + e.getMessage());
      err.flush();
      return 1;
    } catch (RuntimeException e) {
      stopAll(started, channel);
      err.println("error: could not start: " + EmbeddedApiServer.rootMessage(e));
      err.flush();
      return 1;
    }
    FileChannel locked = channel;
    AtomicBoolean stopping = new AtomicBoolean();
    Runnable shutdown =
        () -> {
          if (stopping.compareAndSet(false, true)) {
            out.println(
                regions.isEmpty()
                    ? "Stopping: the operator, then the API server (its state is discarded)."
                    : "Stopping: the operators, then the API servers (their state is discarded).");
            out.flush();
            stopAll(started, locked);
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

  /** One API server and the operator, as without --regions. */
  private void startOne(
      OperatorConfig cfg,
      FileChannel channel,
      Path target,
      List<EmbeddedRegion> started,
      PrintWriter out) {
    EmbeddedRegion region = EmbeddedRegion.serve(port, !withoutCrds);
    started.add(region);
    out.println(
        "Embedded API server on "
            + region.api().url()
            + ". Its state is in memory only: everything is lost when this process stops.");
    out.flush();
    if (withoutCrds) {
      writeKubeconfig(channel, region.api().kubeconfig());
      out.println("export KUBECONFIG=" + target);
      out.println(
          "No CRDs yet (--without-crds): install them, e.g. helm install managedsecret-operator"
              + " helm/managedsecret-operator --namespace "
              + cfg.namespace()
              + " --create-namespace, or kubectl apply --server-side -f"
              + " helm/managedsecret-operator/crds/. The operator starts once they are"
              + " Established.");
      out.flush();
      awaitCrds(region.api());
      region.createNamespace(cfg.namespace());
      out.println("The CRDs are Established: starting the operator.");
      out.flush();
      region.startOperator(cfg);
    } else {
      region.startOperator(cfg);
      writeKubeconfig(channel, region.api().kubeconfig());
      out.println("export KUBECONFIG=" + target);
    }
    SecretsManagerEndpoint endpoint = region.serveEndpoint(cfg);
    AccessKeys.AccessKey admin = administrator(credentialsFile(target), cfg, endpoint.url());
    endpoint.accessKeys().add(admin);
    printAdministrator(out, cfg, target, endpoint.url());
    out.println(AdminCredentials.exports(admin, cfg.region(), endpoint.url()));
    region.api().client().getApiGroups(); // kubectl's first request: discovery answers
    out.println(
        "Ready: kubectl can be used now, e.g. kubectl apply -f examples/. Stop with Ctrl-C.");
  }

  /**
   * Waits until an install has brought the CRDs and they are Established, or until {@link #stop()}
   * (then it throws, and the caller stops the API server).
   */
  private void awaitCrds(EmbeddedApiServer api) {
    try {
      while (!api.crdsEstablished()) {
        if (stop.await(CRD_POLL.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new EmbeddedException("stopped before the CRDs were installed");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EmbeddedException("stopped before the CRDs were installed");
    }
  }

  /**
   * One API server and operator per region, peers of each other: each region's operator namespace
   * holds the Secret peer-&lt;region&gt; with each other region's kubeconfig before its operator
   * starts, and its namespace {@value #TEAM_NAMESPACE} accepts replicas.
   */
  private void startRegions(
      List<OperatorConfig> configs,
      FileChannel channel,
      Path target,
      List<EmbeddedRegion> started,
      PrintWriter out) {
    Map<String, EmbeddedApiServer> servers = new LinkedHashMap<>();
    for (int i = 0; i < regions.size(); i++) {
      EmbeddedRegion region = EmbeddedRegion.serve(offset(port, i));
      started.add(region);
      servers.put(regions.get(i), region.api());
      out.println("Region " + regions.get(i) + ": embedded API server on " + region.api().url());
      out.flush();
    }
    out.println("Their state is in memory only: everything is lost when this process stops.");
    for (int i = 0; i < regions.size(); i++) {
      EmbeddedRegion region = started.get(i);
      region.acceptReplicas(TEAM_NAMESPACE);
      for (int j = 0; j < regions.size(); j++) {
        if (j != i) {
          region.holdPeerKubeconfig(
              configs.get(i).namespace(),
              peerSecret(regions.get(j)),
              started.get(j).api().kubeconfig());
        }
      }
    }
    for (int i = 0; i < regions.size(); i++) {
      started.get(i).startOperator(configs.get(i));
    }
    writeKubeconfig(channel, EmbeddedApiServer.kubeconfig(servers));
    out.println("export KUBECONFIG=" + target);
    AccessKeys.AccessKey admin = null;
    for (int i = 0; i < regions.size(); i++) {
      OperatorConfig cfg = configs.get(i);
      SecretsManagerEndpoint endpoint = started.get(i).serveEndpoint(cfg);
      if (admin == null) {
        admin = administrator(credentialsFile(target), cfg, endpoint.url());
        out.print("Region " + regions.get(i) + ": ");
        printAdministrator(out, cfg, target, endpoint.url());
      } else {
        out.println(
            "Region "
                + regions.get(i)
                + ": Secrets Manager endpoint on "
                + endpoint.url()
                + "; the same administrator:");
      }
      endpoint.accessKeys().add(admin);
      out.println(AdminCredentials.exports(admin, cfg.region(), endpoint.url()));
    }
    String first = regions.get(0);
    if (regions.size() > 1) {
      String other = regions.get(1);
      out.println(
          "One kubeconfig context per region, named after it; "
              + first
              + " is the current one. Another region: kubectl --context "
              + other
              + " get managedsecrets -A");
      out.println(
          "The namespace "
              + TEAM_NAMESPACE
              + " accepts replicas (label "
              + Replicas.ACCEPT
              + "=true) in every region. To watch a replica appear: create a ManagedSecret in "
              + first
              + " with spec.replicaRegions: [{region: "
              + other
              + "}], then kubectl --context "
              + other
              + " get managedsecrets,secrets -n "
              + TEAM_NAMESPACE);
    } else {
      out.println(
          "One kubeconfig context, "
              + first
              + "; with more regions in --regions, each is a peer for spec.replicaRegions.");
    }
    for (EmbeddedRegion region : started) {
      region.api().client().getApiGroups(); // kubectl's first request: discovery answers
    }
    out.println(
        "Ready: kubectl can be used now, e.g. kubectl apply -f examples/. Stop with Ctrl-C.");
  }

  /** The name of the Secret that holds a peer region's kubeconfig. */
  static String peerSecret(String region) {
    return "peer-" + region;
  }

  /** The i-th port from {@code base}; 0 stays 0 (any free port). */
  private static int offset(int base, int i) {
    return base == 0 ? 0 : base + i;
  }

  private static void printAdministrator(
      PrintWriter out, OperatorConfig cfg, Path target, String url) {
    out.println(
        "Secrets Manager endpoint on "
            + url
            + "; its local administrator (a user in system:masters, names in namespace "
            + cfg.endpoint().adminNamespace()
            + ", key also in "
            + credentialsFile(target)
            + "):");
  }

  /**
   * The operator's configuration, one per region with --regions: that region's, with the others as
   * its peers (Secrets peer-&lt;region&gt;) and its endpoint's port.
   */
  private List<OperatorConfig> configs() {
    if (regions.isEmpty()) {
      return List.of(OperatorConfig.load(config, environment(endpointPort)));
    }
    List<OperatorConfig> configs = new ArrayList<>();
    for (int i = 0; i < regions.size(); i++) {
      String own = regions.get(i);
      Map<String, String> env = environment(offset(endpointPort, i));
      env.put("MANAGEDSECRET_REGION", own);
      env.put(
          "MANAGEDSECRET_REPLICATION_PEERS",
          regions.stream()
              .filter(r -> !r.equals(own))
              .map(r -> "{region: " + r + ", kubeconfigSecret: " + peerSecret(r) + "}")
              .collect(Collectors.joining(", ", "[", "]")));
      configs.add(OperatorConfig.load(config, env));
    }
    return configs;
  }

  /**
   * The environment the configuration is read with: the endpoint on, at --endpoint-port, on
   * 127.0.0.1 over plain HTTP unless the environment says otherwise.
   */
  private Map<String, String> environment(int endpointPort) {
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
    return serveReseal(api, runtime, config, false);
  }

  /**
   * As {@link #serveReseal(EmbeddedApiServer, OperatorRuntime, OperatorConfig)}; with {@code
   * adoptable}, its Service carries the ownership marks of the chart's release {@value
   * #HELM_RELEASE} (--without-crds), so that a {@code helm install} that comes after adopts it.
   */
  static AutoCloseable serveReseal(
      EmbeddedApiServer api, OperatorRuntime runtime, OperatorConfig config, boolean adoptable) {
    int port = config.sealing().resealPort() == 0 ? 8082 : config.sealing().resealPort();
    service(
        api,
        config.namespace(),
        ResealRequest.SERVICE,
        "reseal",
        ResealRequest.PORT_NAME,
        port,
        adoptable);
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
    proxyEndpoint(api, config, endpoint, false);
  }

  /** As {@link #proxyEndpoint(EmbeddedApiServer, OperatorConfig, SecretsManagerEndpoint)}. */
  static void proxyEndpoint(
      EmbeddedApiServer api,
      OperatorConfig config,
      SecretsManagerEndpoint endpoint,
      boolean adoptable) {
    service(
        api,
        config.namespace(),
        ENDPOINT_SERVICE,
        "secretsmanager-endpoint",
        ENDPOINT_PORT_NAME,
        endpoint.port(),
        adoptable);
    api.proxyService(
        config.namespace(),
        ENDPOINT_SERVICE,
        endpoint.port(),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), endpoint.port()));
  }

  /**
   * The release name of the README's {@code helm install}: Services that {@code embedded
   * --without-crds} makes carry its ownership marks.
   */
  static final String HELM_RELEASE = "managedsecret-operator";

  /**
   * A Service of one TCP port, what the API server's proxy reads; one that exists already (the
   * chart's, installed into a server started --without-crds) is kept as it is. An {@code adoptable}
   * one carries Helm's ownership marks for the release {@value #HELM_RELEASE}: Helm refuses to
   * install over an object without them, and adopts one with them.
   */
  private static void service(
      EmbeddedApiServer api,
      String namespace,
      String name,
      String component,
      String portName,
      int port,
      boolean adoptable) {
    Map<String, String> labels = new HashMap<>(Map.of("app.kubernetes.io/component", component));
    Map<String, String> annotations = new HashMap<>();
    if (adoptable) {
      labels.put("app.kubernetes.io/managed-by", "Helm");
      annotations.put("meta.helm.sh/release-name", HELM_RELEASE);
      annotations.put("meta.helm.sh/release-namespace", namespace);
    }
    try {
      api.client()
          .services()
          .inNamespace(namespace)
          .resource(
              new ServiceBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(namespace)
                  .withLabels(labels)
                  .withAnnotations(annotations)
                  .endMetadata()
                  .withNewSpec()
                  .addNewPort()
                  .withName(portName)
                  .withPort(port)
                  .withProtocol("TCP")
                  .endPort()
                  .endSpec()
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  /** Stops every region's operator, then their API servers, then releases the kubeconfig. */
  private static void stopAll(List<EmbeddedRegion> regions, FileChannel lock) {
    regions.forEach(EmbeddedRegion::stopOperator);
    regions.forEach(EmbeddedRegion::stop);
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

  private static void writeKubeconfig(FileChannel channel, String text) {
    try {
      KubeconfigFile.write(channel, text);
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
