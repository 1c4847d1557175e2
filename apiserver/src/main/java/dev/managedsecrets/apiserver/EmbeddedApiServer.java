package dev.managedsecrets.apiserver;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * An API server in this JVM: fabric8's CRUD mock over TLS on 127.0.0.1 ({@link LoopbackHttp}), with
 * the ManagedSecret CRDs installed, the namespaces default, kube-system and managedsecret-system,
 * the default RBAC policy of a cluster ({@link BootstrapPolicy}), and what kubectl needs ({@link
 * EmbeddedDispatcher}). Its state is in memory only. It answers only requests with the bearer token
 * it makes when it starts, which {@link #client()}, {@link #config()} and {@link #kubeconfig()}
 * carry (an administrator's), or with a ServiceAccount token it issued, whose requests RBAC
 * authorizes ({@link RequestGuard}, {@link RbacAuthorizer}).
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
          "META-INF/fabric8/kmskeys.managedsecrets.dev-v1.yml",
          "META-INF/fabric8/managedsecretreplicas.managedsecrets.dev-v1.yml");

  /** The names of those CRDs. */
  public static final List<String> CRD_NAMES =
      List.of(
          "managedsecrets.managedsecrets.dev",
          "kmskeys.managedsecrets.dev",
          "managedsecretreplicas.managedsecrets.dev");

  /** Namespaces that exist from the start, as in a new cluster plus the operator's own. */
  public static final List<String> NAMESPACES =
      List.of("default", "kube-system", "managedsecret-system");

  /** Namespaces of a new cluster: what {@link Options#withoutCrds()} starts with. */
  public static final List<String> CLUSTER_NAMESPACES = List.of("default", "kube-system");

  /** The name of the cluster, user and context of {@link #kubeconfig()}. */
  private static final String CONTEXT = "managedsecret-embedded";

  private final LoopbackHttp server;
  private final EmbeddedDispatcher dispatcher;
  private final KubernetesClient client;
  private final RequestCounts counts;
  private final String token;
  private final LoopbackCertificate certificate;
  private final ClientCertificates clients;

  private EmbeddedApiServer(
      LoopbackHttp server,
      EmbeddedDispatcher dispatcher,
      RequestCounts counts,
      String token,
      LoopbackCertificate certificate,
      ClientCertificates clients) {
    this.server = server;
    this.dispatcher = dispatcher;
    this.counts = counts;
    this.token = token;
    this.certificate = certificate;
    this.clients = clients;
    this.client = new KubernetesClientBuilder().withConfig(config()).build();
  }

  /** 256 random bits, the bearer token that every request must carry. */
  private static String newToken() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * One request as the server received it, before it is routed: its method, its path with the
   * query, its User-Agent header (null when none), its body as text ("" when none), and when the
   * server began to answer it ({@link System#nanoTime()}: only the difference of two is a time).
   */
  public record Request(
      String method, String path, String userAgent, String body, long receivedNanos) {}

  /**
   * What {@link #start(Options)} can change; {@link #options()} gives the defaults, which are what
   * {@link #start(int)} uses: any free port, no listener, every SelfSubjectRulesReview answered
   * with the requester's rules, admission on.
   */
  public static final class Options {
    int port;
    Consumer<Request> listener;
    Function<String, List<ResourceRule>> rules;
    Admission admission = new Admission();
    Clock clock = Clock.systemUTC();
    boolean crds = true;
    int watchHistory = 5000;

    private Options() {}

    /**
     * Starts as a new cluster: without the ManagedSecret CRDs and without the operator's namespace
     * managedsecret-system (only {@link #CLUSTER_NAMESPACES} and the bootstrap RBAC), for an
     * install that brings them, such as {@code helm install --create-namespace}.
     */
    public Options withoutCrds() {
      this.crds = false;
      return this;
    }

    /**
     * The server's clock (the wall clock by default): what it dates managed fields and the
     * ServiceAccount tokens it issues with, and checks a token's expiry against; e.g. one a test
     * moves past a token's expiry.
     */
    public Options clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** The port on 127.0.0.1; 0 (the default): any free port. */
    public Options port(int port) {
      this.port = port;
      return this;
    }

    /**
     * Calls {@code listener} with every request from a loopback Host with the token, on the thread
     * that answers it, before it is answered: e.g. to record what a client did. Requests are
     * answered concurrently; the listener must be thread-safe, quick, and must not throw.
     */
    public Options onRequest(Consumer<Request> listener) {
      this.listener = Objects.requireNonNull(listener);
      return this;
    }

    /**
     * Answers a SelfSubjectRulesReview for a namespace with the resource rules {@code rules} gives
     * for it, instead of the requester's (everything, for the administrator): e.g. a chart's roles,
     * to see what a client does when it believes it may do only that. Only the answer changes: the
     * requests themselves are authorized as before.
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
      this.admission = new Admission(false);
      return this;
    }

    /**
     * Keeps the latest {@code events} changes for watches (5000 by default); a watch from an older
     * resourceVersion is 410 Expired: for a test of the server itself.
     */
    Options watchHistory(int events) {
      this.watchHistory = events;
      return this;
    }

    /** Admits custom resources with {@code admission}: for a test of the server itself. */
    Options admission(Admission admission) {
      this.admission = Objects.requireNonNull(admission);
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
    RequestCounts counts = new RequestCounts();
    String token = newToken();
    LoopbackCertificate certificate = LoopbackCertificate.generate();
    Clock clock = options.clock;
    EmbeddedDispatcher dispatcher =
        new EmbeddedDispatcher(counts, clock, options, token, ServiceAccountTokens.generate(clock));
    ClientCertificates clients = ClientCertificates.generate();
    LoopbackHttp server = LoopbackHttp.start(options.port, dispatcher, certificate, clients);
    EmbeddedApiServer api =
        new EmbeddedApiServer(server, dispatcher, counts, token, certificate, clients);
    try {
      api.install(options.crds);
    } catch (RuntimeException e) {
      api.close();
      throw e;
    }
    return api;
  }

  /**
   * Installs the CRDs, namespaces and bootstrap RBAC. Each is created, or left as it is when it
   * exists already: on a loaded machine the client may send a create again after its first attempt
   * timed out though the server had done it, and the second must not fail the start.
   */
  private static void createIfAbsent(
      io.fabric8.kubernetes.client.dsl.Resource<? extends HasMetadata> resource) {
    try {
      resource.create();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 409 || resource.get() == null) {
        throw e;
      }
    }
  }

  private void install(boolean crds) {
    for (String resource : crds ? CRD_RESOURCES : List.<String>of()) {
      try (InputStream in =
          EmbeddedApiServer.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("CRD " + resource + " is not on the class path");
        }
        CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
        createIfAbsent(client.apiextensions().v1().customResourceDefinitions().resource(crd));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (String ns : crds ? NAMESPACES : CLUSTER_NAMESPACES) {
      createIfAbsent(
          client
              .namespaces()
              .resource(
                  new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()));
    }
    for (HasMetadata o : BootstrapPolicy.objects()) {
      createIfAbsent(client.resource(o));
    }
  }

  /**
   * Whether every ManagedSecret CRD is installed and Established: on a server started {@link
   * Options#withoutCrds()}, once an install (Helm, kubectl) has brought them.
   */
  public boolean crdsEstablished() {
    for (String name : CRD_NAMES) {
      CustomResourceDefinition crd =
          client.apiextensions().v1().customResourceDefinitions().withName(name).get();
      boolean established =
          crd != null
              && crd.getStatus() != null
              && crd.getStatus().getConditions().stream()
                  .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
      if (!established) {
        return false;
      }
    }
    return true;
  }

  /** A client of this server (closed with it). */
  public KubernetesClient client() {
    return client;
  }

  /**
   * A new client configuration for this server, with its token, namespace default: for a client of
   * one's own, e.g. with another User-Agent ({@code new
   * ConfigBuilder(api.config()).withUserAgent(...)}).
   */
  public Config config() {
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(url())
        .withCaCertData(certificateAuthorityData())
        .withOauthToken(token)
        .withNamespace("default")
        .withHttp2Disable(true)
        .build();
  }

  /** The server's URL, e.g. https://127.0.0.1:6443 */
  public String url() {
    return "https://127.0.0.1:" + server.port();
  }

  public int port() {
    return server.port();
  }

  /**
   * Answers every {@code method} request whose path starts with {@code pathPrefix} (e.g.
   * "/api/v1/namespaces/managedsecret-system/secrets") with HTTP {@code code} until the returned
   * handle is closed: an outage, for a test.
   */
  public AutoCloseable fail(String method, String pathPrefix, int code) {
    return fail(new EmbeddedDispatcher.Fault(method, pathPrefix, code, null, null));
  }

  /**
   * As {@link #fail(String, String, int)}, for the requests whose body contains {@code text} only:
   * e.g. the create of one kind of object, while other creates under the path succeed.
   */
  public AutoCloseable failWhenBodyContains(
      String method, String pathPrefix, String text, int code) {
    return fail(
        new EmbeddedDispatcher.Fault(method, pathPrefix, code, null, Objects.requireNonNull(text)));
  }

  /**
   * As {@link #fail(String, String, int)}, for the requests of one client only: those whose
   * User-Agent starts with {@code userAgent} (e.g. the operator's), while every other client is
   * answered as usual: a network fault between that client and the server.
   */
  public AutoCloseable failFor(String userAgent, String method, String pathPrefix, int code) {
    return fail(
        new EmbeddedDispatcher.Fault(
            method, pathPrefix, code, Objects.requireNonNull(userAgent), null));
  }

  /**
   * Answers the next {@code requests} requests of one client (its User-Agent starts with {@code
   * userAgent}) with {@code method} under {@code pathPrefix} with HTTP 429 Too Many Requests and
   * {@code Retry-After: retryAfterSeconds}, as API Priority and Fairness answers a client whose
   * priority level is full; the requests after those, and every other client's, are answered as
   * usual. Closing the handle ends the throttle early.
   */
  public AutoCloseable throttle(
      String userAgent, String method, String pathPrefix, int requests, int retryAfterSeconds) {
    EmbeddedDispatcher.Throttle throttle =
        new EmbeddedDispatcher.Throttle(
            Objects.requireNonNull(userAgent),
            Objects.requireNonNull(method),
            Objects.requireNonNull(pathPrefix),
            retryAfterSeconds,
            new AtomicInteger(requests));
    dispatcher.throttles.add(throttle);
    return () -> dispatcher.throttles.remove(throttle);
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

  /**
   * Answers the service proxy ({@code
   * /api/v1/namespaces/<namespace>/services/<service>:<port>/proxy/...}) of this Service port with
   * the HTTP server at {@code backend} (on loopback), as the API server forwards to a Service's
   * endpoint, until the returned handle is closed. The Service itself must exist, with that port
   * (its number, which a request may name by the port's name): the proxy reads it as the API server
   * does. There are no pods here; this stands for the Service's endpoints.
   */
  public AutoCloseable proxyService(
      String namespace, String service, int port, InetSocketAddress backend) {
    return dispatcher.proxy.register(new ServiceProxy.Port(namespace, service, port), backend);
  }

  /** Requests answered so far, by method. */
  public RequestCounts requests() {
    return counts;
  }

  /**
   * Writes a kubeconfig whose current context is this server (namespace default), with its token,
   * readable by its owner only ({@link KubeconfigFile}); answers the absolute path.
   *
   * @throws java.nio.file.FileSystemException when the path is a symbolic link or another user's
   */
  public Path writeKubeconfig(Path file) throws IOException {
    return write(file, kubeconfig());
  }

  /**
   * A kubeconfig whose current context is this server, namespace default, with the token that the
   * server requires of every request: keep it where only its owner can read it.
   */
  public String kubeconfig() {
    return kubeconfig(tokenCredentials(), "default");
  }

  /**
   * Writes a kubeconfig whose current context is this server, namespace {@code namespace}, with a
   * client certificate (and its key) of the server's client CA for {@code user} in {@code groups}
   * and no token, as a person's kubeconfig of a cluster with x509 client authentication holds;
   * readable by its owner only ({@link KubeconfigFile}). Answers the absolute path.
   *
   * @throws java.nio.file.FileSystemException when the path is a symbolic link or another user's
   */
  public Path writeClientCertificateKubeconfig(
      Path file, String user, List<String> groups, String namespace) throws IOException {
    ClientCertificates.Issued issued = clients.issue(user, groups);
    Base64.Encoder base64 = Base64.getEncoder();
    return write(
        file,
        kubeconfig(
            "client-certificate-data: "
                + base64.encodeToString(issued.certificatePem().getBytes(StandardCharsets.US_ASCII))
                + "\n    client-key-data: "
                + base64.encodeToString(issued.privateKeyPem().getBytes(StandardCharsets.US_ASCII)),
            namespace));
  }

  private static Path write(Path file, String kubeconfig) throws IOException {
    try (FileChannel channel = KubeconfigFile.open(file)) {
      KubeconfigFile.write(channel, kubeconfig);
    }
    return file.toAbsolutePath();
  }

  /**
   * One kubeconfig of several servers: per server a context named by its key (its cluster and user
   * of that name, namespace default, with the server's token), in the map's order, the first one
   * current. Keep it where only its owner can read it.
   */
  public static String kubeconfig(Map<String, EmbeddedApiServer> servers) {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("no server");
    }
    StringBuilder clusters = new StringBuilder();
    StringBuilder users = new StringBuilder();
    StringBuilder contexts = new StringBuilder();
    servers.forEach(
        (name, server) ->
            server.entries(name, server.tokenCredentials(), "default", clusters, users, contexts));
    return document(clusters, users, contexts, servers.keySet().iterator().next());
  }

  private String tokenCredentials() {
    return "token: \"" + token + "\"";
  }

  /** A kubeconfig of this server whose user has {@code credentials} (YAML lines of user:). */
  private String kubeconfig(String credentials, String namespace) {
    StringBuilder clusters = new StringBuilder();
    StringBuilder users = new StringBuilder();
    StringBuilder contexts = new StringBuilder();
    entries(CONTEXT, credentials, namespace, clusters, users, contexts);
    return document(clusters, users, contexts, CONTEXT);
  }

  /** This server's cluster, user and context entries, all named {@code name}. */
  private void entries(
      String name,
      String credentials,
      String namespace,
      StringBuilder clusters,
      StringBuilder users,
      StringBuilder contexts) {
    clusters.append(
        """
        - name: %s
          cluster:
            server: %s
            certificate-authority-data: %s
        """
            .formatted(name, url(), certificateAuthorityData()));
    users.append(
        """
        - name: %s
          user:
            %s
        """
            .formatted(name, credentials));
    contexts.append(
        """
        - name: %s
          context:
            cluster: %s
            user: %s
            namespace: %s
        """
            .formatted(name, name, name, namespace));
  }

  private static String document(
      CharSequence clusters, CharSequence users, CharSequence contexts, String current) {
    return "apiVersion: v1\nkind: Config\nclusters:\n"
        + clusters
        + "users:\n"
        + users
        + "contexts:\n"
        + contexts
        + "current-context: "
        + current
        + "\npreferences: {}\n";
  }

  /** The server's certificate, which clients trust: base64 of its PEM. */
  private String certificateAuthorityData() {
    return Base64.getEncoder()
        .encodeToString(certificate.certificatePem().getBytes(StandardCharsets.US_ASCII));
  }

  /** The token every request must carry: for a test that makes its own requests. */
  String token() {
    return token;
  }

  /** A TLS context that trusts this server: for a test that makes its own requests. */
  SSLContext trust() {
    return certificate.trust();
  }

  @Override
  public void close() {
    client.close();
    server.close();
  }

  public static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
