package dev.managedsecrets.operator.it;

import static org.awaitility.Awaitility.await;

import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.apiserver.RequestCounts;
import dev.managedsecrets.operator.MovingClock;
import dev.managedsecrets.operator.OperatorClient;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.TestRuntimes;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.reconcile.Checkpoints;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The embedded API server ({@link EmbeddedApiServer}: admission by the CRDs' schemas and CEL rules,
 * server-side apply, strategic merge patch, status writes, selectors), the namespaces team-a and
 * team-b, and the real operator running against it. Each test class makes its own. The operator has
 * its own client, with the operator's User-Agent, so that its requests can be told from the test's;
 * every request is recorded for {@link #drainRequests()}.
 */
final class TestCluster implements AutoCloseable {

  static final String OPERATOR_NAMESPACE = "managedsecret-system";

  /** The namespaces the tests use besides default and the operator's. */
  static final List<String> TEAM_NAMESPACES = List.of("team-a", "team-b");

  final EmbeddedApiServer api;
  final KubernetesClient client;
  final KubernetesClient operatorClient;
  final MutableClock clock = new MutableClock(Instant.now());
  SimpleMeterRegistry registry;
  private OperatorRuntime runtime;
  private final Queue<EmbeddedApiServer.Request> requests = new ConcurrentLinkedQueue<>();

  /**
   * Changes the operator's configuration before each start, e.g. to select another store: its
   * environment variables (MANAGEDSECRET_*).
   */
  Map<String, String> configure = Map.of();

  /** Where the operators started from now on stop a reconcile (the fault tests' crash points). */
  Checkpoints checkpoints = Checkpoints.NONE;

  private TestCluster(UnaryOperator<EmbeddedApiServer.Options> options) {
    api =
        EmbeddedApiServer.start(
            options.apply(EmbeddedApiServer.options().onRequest(requests::add)));
    try {
      client = api.client();
      Config config =
          new ConfigBuilder(api.config()).withUserAgent(OperatorClient.USER_AGENT).build();
      operatorClient = new KubernetesClientBuilder().withConfig(config).build();
      for (String ns : TEAM_NAMESPACES) {
        client
            .namespaces()
            .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .create();
      }
    } catch (RuntimeException e) {
      api.close();
      throw e;
    }
  }

  static TestCluster start() {
    return start(UnaryOperator.identity());
  }

  /**
   * The API server started with these options (e.g. {@link
   * EmbeddedApiServer.Options#withoutAdmission()}), and the operator.
   */
  static TestCluster start(UnaryOperator<EmbeddedApiServer.Options> options) {
    TestCluster cluster = new TestCluster(options);
    try {
      cluster.startOperator();
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** The API server with the CRDs and namespaces, and no operator yet: see startOperator(). */
  static TestCluster withoutOperator() {
    return withoutOperator(UnaryOperator.identity());
  }

  /**
   * The API server started with these options (e.g. {@link EmbeddedApiServer.Options#rules}), and
   * no operator yet.
   */
  static TestCluster withoutOperator(UnaryOperator<EmbeddedApiServer.Options> options) {
    return new TestCluster(options);
  }

  /** Starts the operator with the tests' configuration, changed by {@link #configure}. */
  void startOperator() {
    startOperator(testConfig(configure));
  }

  /** Starts the operator with this configuration. */
  void startOperator(OperatorConfig config) {
    registry = new SimpleMeterRegistry();
    runtime = newOperator(config, registry, () -> {});
  }

  /** The tests' configuration: short poll interval, fixed account, the operator's namespace. */
  static OperatorConfig testConfig() {
    return testConfig(Map.of());
  }

  /** The tests' configuration changed by these environment variables. */
  static OperatorConfig testConfig(Map<String, String> env) {
    Map<String, String> all =
        new HashMap<>(
            Map.of(
                "MANAGEDSECRET_NAMESPACE", OPERATOR_NAMESPACE,
                "MANAGEDSECRET_ACCOUNT_ID", "123456789012",
                "MANAGEDSECRET_FROM_SECRET_POLL_INTERVAL", "PT2S"));
    all.putAll(env);
    return OperatorConfig.load(null, all);
  }

  /**
   * Starts one more operator on this API server (the caller closes it), with its own client (the
   * operator's User-Agent) and metrics in {@code registry}.
   */
  OperatorRuntime newOperator(
      OperatorConfig config, MeterRegistry registry, Runnable onLeadershipLost) {
    return TestRuntimes.start(
        operatorClient, config, registry, clock, onLeadershipLost, checkpoints);
  }

  /**
   * A client for one more operator whose User-Agent is the operator's followed by {@code suffix},
   * so that a fault can be given to its requests alone ({@link EmbeddedApiServer#failFor}, with the
   * answered agent). The caller closes it after the operator started on it.
   */
  KubernetesClient operatorClient(String suffix) {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder(api.config())
                .withUserAgent(OperatorClient.USER_AGENT + " " + suffix)
                .build())
        .build();
  }

  /**
   * One more operator, as {@link #newOperator(OperatorConfig, MeterRegistry, Runnable)}, on {@code
   * client}.
   */
  OperatorRuntime newOperator(
      KubernetesClient client, OperatorConfig config, MeterRegistry registry) {
    return TestRuntimes.start(client, config, registry, clock, () -> {}, checkpoints);
  }

  void stopOperator() {
    if (runtime != null) {
      runtime.close();
      runtime = null;
    }
  }

  OperatorRuntime runtime() {
    return runtime;
  }

  /** Takes every request the API server received since the last call (or since it started). */
  List<EmbeddedApiServer.Request> drainRequests() {
    List<EmbeddedApiServer.Request> out = new ArrayList<>();
    EmbeddedApiServer.Request r;
    while ((r = requests.poll()) != null) {
      out.add(r);
    }
    return out;
  }

  /**
   * The requests that {@code which} picks among those since the last drain and those that arrive
   * until none has come for two seconds.
   */
  List<EmbeddedApiServer.Request> drainUntilQuiet(Predicate<EmbeddedApiServer.Request> which) {
    List<EmbeddedApiServer.Request> out = new ArrayList<>();
    await()
        .atMost(Fixtures.WAIT)
        .pollInterval(Duration.ofMillis(200))
        .during(Duration.ofSeconds(2))
        .until(
            () -> {
              List<EmbeddedApiServer.Request> more =
                  drainRequests().stream().filter(which).toList();
              out.addAll(more);
              return more.isEmpty();
            });
    return out;
  }

  /** The write requests (POST, PUT, PATCH, DELETE) among those since the last drain. */
  List<String> drainWrites() {
    return drainRequests().stream()
        .filter(r -> RequestCounts.WRITE_METHODS.contains(r.method()))
        .map(r -> r.method() + " " + r.path())
        .toList();
  }

  double kmsCalls() {
    return registry.find("managedsecret.kms.requests").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  double reconciles() {
    return registry.find("managedsecret.reconciles").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  @Override
  public void close() {
    try {
      stopOperator();
    } finally {
      operatorClient.close();
      api.close();
    }
  }

  /** A clock the tests move forward, e.g. past a recovery window. */
  static final class MutableClock extends MovingClock {
    MutableClock(Instant now) {
      super(now);
    }
  }
}
