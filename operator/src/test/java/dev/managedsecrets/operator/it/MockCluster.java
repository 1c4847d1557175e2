package dev.managedsecrets.operator.it;

import dev.managedsecrets.operator.OperatorClient;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A Kubernetes API server in this JVM (fabric8's mock in CRUD mode) with the CRDs installed, and
 * the real operator running against it. Each test class makes its own. The operator has its own
 * client, with the operator's User-Agent, so that its requests can be told from the test's.
 */
final class MockCluster implements AutoCloseable {

  static final String OPERATOR_NAMESPACE = "managedsecret-system";
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

  final KubernetesMockServer server;
  final MockApiDispatcher dispatcher = new MockApiDispatcher();
  final KubernetesClient client;
  final KubernetesClient operatorClient;
  final MutableClock clock = new MutableClock(Instant.now());
  SimpleMeterRegistry registry;
  private OperatorRuntime runtime;

  /** Changes the operator's configuration before each start, e.g. to select another store. */
  Consumer<OperatorConfig> configure = config -> {};

  private MockCluster() {
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init();
    client = server.createClient();
    operatorClient =
        server.createClient(
            b -> b.editOrNewConfig().withUserAgent(OperatorClient.USER_AGENT).endConfig());
    for (String file :
        List.of("managedsecrets.managedsecrets.dev.yaml", "kmskeys.managedsecrets.dev.yaml")) {
      try (var crd = new FileInputStream(Path.of(System.getProperty("crds.dir"), file).toFile())) {
        client.apiextensions().v1().customResourceDefinitions().load(crd).create();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    for (String ns : List.of("default", "kube-system", OPERATOR_NAMESPACE, "team-a", "team-b")) {
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
    }
  }

  static MockCluster start() {
    MockCluster cluster = new MockCluster();
    cluster.startOperator();
    return cluster;
  }

  /** The API server with the CRDs and namespaces, and no operator yet: see startOperator(). */
  static MockCluster withoutOperator() {
    return new MockCluster();
  }

  void startOperator() {
    startOperator(c -> {});
  }

  /** Starts the operator with the tests' configuration, changed by {@code customize}. */
  void startOperator(Consumer<OperatorConfig> customize) {
    OperatorConfig config = testConfig();
    configure.accept(config);
    customize.accept(config);
    startOperator(config);
  }

  /** Starts the operator with this configuration. */
  void startOperator(OperatorConfig config) {
    registry = new SimpleMeterRegistry();
    runtime = newOperator(config, registry, () -> {});
  }

  /** The tests' configuration: short poll interval, fixed account, the operator's namespace. */
  static OperatorConfig testConfig() {
    OperatorConfig config = new OperatorConfig();
    config.namespace = OPERATOR_NAMESPACE;
    config.accountId = "123456789012";
    config.fromSecretPollInterval = Duration.ofSeconds(2);
    return config;
  }

  /**
   * Starts one more operator on this API server (the caller closes it), with its own client (the
   * operator's User-Agent) and metrics in {@code registry}.
   */
  OperatorRuntime newOperator(
      OperatorConfig config, MeterRegistry registry, Runnable onLeadershipLost) {
    config.check();
    return OperatorRuntime.start(operatorClient, config, registry, clock, onLeadershipLost);
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

  /** Takes every request recorded since the last call. */
  List<RecordedRequest> drainRequests() {
    List<RecordedRequest> out = new ArrayList<>();
    try {
      RecordedRequest r;
      while ((r = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
        out.add(r);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  /** The write requests (POST, PUT, PATCH, DELETE) among those since the last drain. */
  List<String> drainWrites() {
    return drainRequests().stream()
        .filter(r -> WRITES.contains(r.getMethod()))
        .map(r -> r.getMethod() + " " + r.getPath())
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
    stopOperator();
    operatorClient.close();
    client.close();
    server.destroy();
  }

  /** A clock the tests move forward, e.g. past a recovery window. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
