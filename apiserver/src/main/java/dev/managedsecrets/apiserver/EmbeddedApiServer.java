package dev.managedsecrets.apiserver;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;

/**
 * An API server in this JVM: fabric8's KubernetesMockServer in CRUD mode on 127.0.0.1, with the
 * ManagedSecret CRDs installed, the namespaces default, kube-system and managedsecret-system, and
 * what kubectl needs ({@link EmbeddedDispatcher}). Its state is in memory only.
 *
 * <p>Integration tests start one per class: {@code try (var api = EmbeddedApiServer.start(0)) { ...
 * api.client() ... }}, or with {@link Options}: {@code
 * EmbeddedApiServer.start(EmbeddedApiServer.options().onRequest(requests::add))}.
 */
public final class EmbeddedApiServer implements AutoCloseable {

  /** The CRDs the api module generates, as they are in its jar. */
  public static final List<String> CRD_RESOURCES =
      List.of(
          "META-INF/fabric8/managedsecrets.managedsecrets.dev-v1.yml",
          "META-INF/fabric8/kmskeys.managedsecrets.dev-v1.yml");

  /** Namespaces that exist from the start, as in a new cluster plus the operator's own. */
  public static final List<String> NAMESPACES =
      List.of("default", "kube-system", "managedsecret-system");

  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger(MockWebServer.class.getName());

  private final KubernetesMockServer server;
  private final EmbeddedDispatcher dispatcher;
  private final KubernetesClient client;
  private final RequestCounts counts;

  private EmbeddedApiServer(
      KubernetesMockServer server,
      EmbeddedDispatcher dispatcher,
      KubernetesClient client,
      RequestCounts counts) {
    this.server = server;
    this.dispatcher = dispatcher;
    this.client = client;
    this.counts = counts;
  }

  /**
   * One request as the server received it, before it is routed: its method, its path with the
   * query, its User-Agent header (null when none) and its body as text ("" when none).
   */
  public record Request(String method, String path, String userAgent, String body) {}

  /**
   * What {@link #start(Options)} can change; {@link #options()} gives the defaults, which are what
   * {@link #start(int)} uses: any free port, no listener, every SelfSubjectRulesReview answered
   * with everything allowed, admission on.
   */
  public static final class Options {
    int port;
    Consumer<Request> listener;
    Function<String, List<ResourceRule>> rules;
    boolean admission = true;

    private Options() {}

    /** The port on 127.0.0.1; 0 (the default): any free port. */
    public Options port(int port) {
      this.port = port;
      return this;
    }

    /**
     * Calls {@code listener} with every request, on the server's thread, before it is answered:
     * e.g. to record what a client did. The listener must be quick and must not throw.
     */
    public Options onRequest(Consumer<Request> listener) {
      this.listener = Objects.requireNonNull(listener);
      return this;
    }

    /**
     * Answers a SelfSubjectRulesReview for a namespace with the resource rules {@code rules} gives
     * for it, instead of everything allowed: e.g. a chart's roles, to see what a client does when
     * it may do only that. The server itself still authorizes nothing.
     */
    public Options rules(Function<String, List<ResourceRule>> rules) {
      this.rules = Objects.requireNonNull(rules);
      return this;
    }

    /**
     * Stores custom resources without admission: no pruning, no schema, no CEL rules, as an API
     * server whose CRD has no such checks (an older CRD that {@code helm upgrade} left in place, or
     * one installed by hand). Only for a test of what a controller does with an object that the
     * current CRD refuses; everything else keeps admission on, as a real API server has it.
     */
    public Options withoutAdmission() {
      this.admission = false;
      return this;
    }
  }

  /** The defaults, to change for {@link #start(Options)}. */
  public static Options options() {
    return new Options();
  }

  /**
   * Starts the server on 127.0.0.1:{@code port} (0: any free port), installs the CRDs and creates
   * the namespaces.
   *
   * @throws IllegalStateException when the port cannot be bound
   */
  public static EmbeddedApiServer start(int port) {
    return start(options().port(port));
  }

  /**
   * Starts the server with these options, installs the CRDs and creates the namespaces.
   *
   * @throws IllegalStateException when the port cannot be bound
   */
  public static EmbeddedApiServer start(Options options) {
    int port = options.port;
    MOCK_LOG.setLevel(Level.WARNING); // the mock logs every request at INFO
    MockWebServer web = new MockWebServer();
    RequestCounts counts = new RequestCounts();
    // The mock keeps every request for takeRequest(); nobody takes them here, so drop them.
    EmbeddedDispatcher dispatcher =
        new EmbeddedDispatcher(counts, Clock.systemUTC(), web::reset, options);
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()), web, new HashMap<>(), dispatcher, false);
    try {
      server.init(InetAddress.getLoopbackAddress(), port);
    } catch (RuntimeException e) {
      safeShutdown(server);
      throw new IllegalStateException(
          "Could not listen on 127.0.0.1:" + port + ": " + rootMessage(e), e);
    }
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl("http://127.0.0.1:" + server.getPort())
            .withNamespace("default")
            .withHttp2Disable(true)
            .build();
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    EmbeddedApiServer api = new EmbeddedApiServer(server, dispatcher, client, counts);
    try {
      api.install();
    } catch (RuntimeException e) {
      api.close();
      throw e;
    }
    return api;
  }

  private void install() {
    for (String resource : CRD_RESOURCES) {
      try (InputStream in =
          EmbeddedApiServer.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("CRD " + resource + " is not on the class path");
        }
        CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (String ns : NAMESPACES) {
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
  }

  /** A client of this server (closed with it). */
  public KubernetesClient client() {
    return client;
  }

  /** The server's URL, e.g. http://127.0.0.1:6443 */
  public String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  public int port() {
    return server.getPort();
  }

  /**
   * Answers every {@code method} request whose path starts with {@code pathPrefix} (e.g.
   * "/api/v1/namespaces/managedsecret-system/secrets") with HTTP {@code code} until the returned
   * handle is closed: an outage, for a test.
   */
  public AutoCloseable fail(String method, String pathPrefix, int code) {
    return fail(new EmbeddedDispatcher.Fault(method, pathPrefix, code, null));
  }

  /**
   * As {@link #fail(String, String, int)}, for the requests of one client only: those whose
   * User-Agent starts with {@code userAgent} (e.g. the operator's), while every other client is
   * answered as usual: a network fault between that client and the server.
   */
  public AutoCloseable failFor(String userAgent, String method, String pathPrefix, int code) {
    return fail(
        new EmbeddedDispatcher.Fault(method, pathPrefix, code, Objects.requireNonNull(userAgent)));
  }

  private AutoCloseable fail(EmbeddedDispatcher.Fault fault) {
    dispatcher.faults.add(fault);
    return () -> dispatcher.faults.remove(fault);
  }

  /**
   * Closes every WebSocket watch open now (fabric8 clients watch over WebSocket), as an API server
   * does when it restarts; the clients watch again, and a {@link #fail} on GET refuses that too.
   * Answers how many were closed.
   */
  public int dropWatches() {
    return dispatcher.dropWatches();
  }

  /** Requests answered so far, by method. */
  public RequestCounts requests() {
    return counts;
  }

  /**
   * Writes a kubeconfig whose current context is this server (namespace default), readable by its
   * owner only; answers the absolute path.
   */
  public Path writeKubeconfig(Path file) throws IOException {
    Path target = file.toAbsolutePath();
    Path tmp = Files.createTempFile(target.getParent(), ".kubeconfig", ".tmp");
    try {
      Files.writeString(tmp, kubeconfig(), StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return target;
  }

  /** A kubeconfig whose current context is this server, namespace default, no credentials. */
  public String kubeconfig() {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: managedsecret-embedded
          cluster:
            server: %s
        users:
        - name: managedsecret-embedded
          user: {}
        contexts:
        - name: managedsecret-embedded
          context:
            cluster: managedsecret-embedded
            user: managedsecret-embedded
            namespace: default
        current-context: managedsecret-embedded
        preferences: {}
        """
        .formatted(url());
  }

  @Override
  public void close() {
    client.close();
    safeShutdown(server);
  }

  private static void safeShutdown(KubernetesMockServer server) {
    try {
      server.destroy();
    } catch (RuntimeException e) {
      // already stopped, or never started
    }
  }

  public static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
