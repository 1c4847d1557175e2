package dev.managedsecrets.operator.it;

import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
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
 * the real operator running against it. Each test class makes its own.
 */
final class MockCluster implements AutoCloseable {

  static final String OPERATOR_NAMESPACE = "managedsecret-system";
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

  final KubernetesMockServer server;
  final KubernetesClient client;
  final MutableClock clock = new MutableClock(Instant.now());
  SimpleMeterRegistry registry;
  private OperatorRuntime runtime;

  /** Changes the operator's configuration before each start, e.g. to select another store. */
  Consumer<OperatorConfig> configure = config -> {};

  private MockCluster() {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init();
    client = server.createClient();
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
    OperatorConfig config = new OperatorConfig();
    config.namespace = OPERATOR_NAMESPACE;
    config.accountId = "123456789012";
    config.fromSecretPollInterval = Duration.ofSeconds(2);
    configure.accept(config);
    registry = new SimpleMeterRegistry();
    runtime = OperatorRuntime.start(client, config, registry, clock);
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
