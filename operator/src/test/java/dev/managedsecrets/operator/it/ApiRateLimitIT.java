package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.operator.OperatorClient;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The operator's client-side rate limit (api.qps, api.burst) against a burst of changes, and its
 * answer to 429 Too Many Requests, counted at the API server by the operator's User-Agent.
 */
class ApiRateLimitIT {

  /** The burst of changes: new ManagedSecrets made at once by the test's own (unlimited) client. */
  static final int CHANGES = 2000;

  /**
   * The rate under test. The 2,000 creates cost the operator about 22,000 requests (11 each:
   * finalizer, store record and version, projection, three Events, status, and their reads), which
   * this rate lets out in about 45 s; unlimited, the operator sends them about three times as fast
   * on a quiet machine (10,000 creates in 60-100 s, docs/BENCHMARKS.md). A machine too busy to
   * reach the rate only sends slower: the bounds below hold all the more.
   */
  static final double QPS = 500;

  static final int BURST = 100;

  /**
   * The server sees a request after the client released it, by a transit that varies on a loaded
   * machine (threads, connections); requests released apart can be seen closer together. The
   * windows checked at the server allow the rate over this much more time.
   */
  static final Duration TRANSIT = Duration.ofMillis(500);

  @Test
  void aBurstOfTwoThousandNewManagedSecretsAllConvergeWhileTheOperatorStaysWithinItsRate()
      throws Exception {
    try (TestCluster cluster = TestCluster.withoutOperator()) {
      long[] sent;
      double waited;
      try (LimitedOperator operator = LimitedOperator.start(cluster, QPS, BURST)) {
        createAll(cluster.client);
        await()
            .atMost(Duration.ofMinutes(5))
            .pollInterval(Duration.ofSeconds(1))
            .until(() -> ready(cluster.client) == CHANGES);
        Map<String, Secret> projected =
            cluster.client.secrets().inNamespace("team-a").list().getItems().stream()
                .collect(Collectors.toMap(s -> s.getMetadata().getName(), s -> s));
        for (int i = 0; i < CHANGES; i++) {
          Secret s = projected.get(name(i));
          assertThat(s).as("the projected Secret of %s", name(i)).isNotNull();
          assertThat(text(s)).containsEntry("secretString", "value-" + i);
        }
        waited = operator.waited();
      }
      sent =
          cluster.drainRequests().stream()
              .filter(r -> OperatorClient.USER_AGENT.equals(r.userAgent()))
              .mapToLong(EmbeddedApiServer.Request::receivedNanos)
              .sorted()
              .toArray();
      assertThat(sent.length)
          .as(
              "the operator's requests (%.0f of them waited for a token): at least one for each"
                  + " change",
              waited)
          .isGreaterThanOrEqualTo(CHANGES);
      assertWithinRate(sent);
    }
  }

  /**
   * No window of the run holds more of the operator's requests than the bucket lets out in it
   * (burst + qps × its length, and the transit): windows of one second, and the whole run.
   */
  private static void assertWithinRate(long[] sent) {
    double transit = TRANSIT.toNanos() / 1e9;
    int most = 0;
    for (int first = 0, last = 0; first < sent.length; first++) {
      while (last + 1 < sent.length && sent[last + 1] - sent[first] <= 1_000_000_000L) {
        last++;
      }
      most = Math.max(most, last - first + 1);
    }
    assertThat((double) most)
        .as("the operator's most requests in one second (of %d in all)", sent.length)
        .isLessThanOrEqualTo(BURST + QPS * (1 + transit));
    double run = (sent[sent.length - 1] - sent[0]) / 1e9;
    assertThat((double) sent.length)
        .as("the operator's requests over the whole run of %.1f s", run)
        .isLessThanOrEqualTo(BURST + QPS * (run + transit));
  }

  @Test
  void aRequestAnswered429IsSentAgainAfterItsRetryAfterAndTheChangeConverges() throws Exception {
    try (TestCluster cluster = TestCluster.withoutOperator();
        LimitedOperator operator = LimitedOperator.start(cluster, 50, 100)) {
      String path = "/api/v1/namespaces/team-b/secrets";
      cluster.drainRequests();
      try (AutoCloseable throttled =
          cluster.api.throttle(OperatorClient.USER_AGENT, "POST", path, 3, 1)) {
        create(cluster.client, managedSecret("team-b", "throttled", s -> s.secretString = "v"));
        awaitSynced(cluster.client, "team-b", "throttled");
      }
      assertThat(text(secret(cluster.client, "team-b", "throttled")))
          .containsEntry("secretString", "v");

      List<EmbeddedApiServer.Request> creates =
          cluster.drainRequests().stream()
              .filter(r -> OperatorClient.USER_AGENT.equals(r.userAgent()))
              .filter(r -> r.method().equals("POST") && r.path().startsWith(path))
              .toList();
      assertThat(creates)
          .as("three creates of the projected Secret answered 429, then the one answered: no more")
          .hasSize(4);
      for (int i = 1; i < creates.size(); i++) {
        assertThat(creates.get(i).receivedNanos() - creates.get(i - 1).receivedNanos())
            .as("attempt %d came at least Retry-After (1 s) after the one before", i + 1)
            .isGreaterThanOrEqualTo(Duration.ofSeconds(1).toNanos());
      }
    }
  }

  /**
   * The operator on a client built as the product builds it ({@link OperatorClient}), with the rate
   * set through its environment variables.
   */
  record LimitedOperator(
      KubernetesClient client, OperatorRuntime runtime, SimpleMeterRegistry registry)
      implements AutoCloseable {

    static LimitedOperator start(TestCluster cluster, double qps, int burst) {
      OperatorConfig config =
          TestCluster.testConfig(
              Map.of(
                  "MANAGEDSECRET_API_QPS", String.valueOf(qps),
                  "MANAGEDSECRET_API_BURST", String.valueOf(burst)));
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      KubernetesClient client = OperatorClient.build(cluster.api.config(), config.api(), registry);
      try {
        return new LimitedOperator(client, cluster.newOperator(client, config, registry), registry);
      } catch (RuntimeException e) {
        client.close();
        throw e;
      }
    }

    /** The operator's requests that waited for a token. */
    double waited() {
      return registry
          .get(OperatorMetrics.API_REQUESTS_WAITED)
          .tag("client", "operator")
          .counter()
          .count();
    }

    @Override
    public void close() {
      try {
        runtime.close();
      } finally {
        client.close();
      }
    }
  }

  private static String name(int i) {
    return "burst-" + i;
  }

  /** Creates the ManagedSecrets from 8 threads of the test's own client. */
  private static void createAll(KubernetesClient client) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<ManagedSecret>> made =
          IntStream.range(0, CHANGES)
              .mapToObj(
                  i ->
                      pool.submit(
                          () ->
                              create(
                                  client,
                                  managedSecret(
                                      "team-a", name(i), s -> s.secretString = "value-" + i))))
              .toList();
      for (Future<ManagedSecret> f : made) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** How many ManagedSecrets of team-a are Ready=True for their generation. */
  private static long ready(KubernetesClient client) {
    return client.resources(ManagedSecret.class).inNamespace("team-a").list().getItems().stream()
        .filter(
            ms -> {
              var c = Fixtures.ready(ms);
              return c != null
                  && "True".equals(c.getStatus())
                  && ms.getMetadata().getGeneration().equals(c.getObservedGeneration());
            })
        .count();
  }
}
