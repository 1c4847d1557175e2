package dev.managedsecrets.operator.apiclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A rate-limited fabric8 client against the embedded API server: which of its requests take a
 * token. Its bucket holds one token and its clock stands still, so the waits it records (and does
 * not sleep) count the tokens taken: the n-th token past the first is due n seconds later.
 */
class RateLimitedClientIT {

  private static final String AGENT = "rate-limited-client-test";

  private final Queue<EmbeddedApiServer.Request> requests = new ConcurrentLinkedQueue<>();
  private final List<Long> waits = new CopyOnWriteArrayList<>();
  private EmbeddedApiServer api;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    api = EmbeddedApiServer.start(EmbeddedApiServer.options().onRequest(requests::add));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    client =
        ApiClients.build(
            new ConfigBuilder(api.config()).withUserAgent(AGENT).build(),
            new RateLimitInterceptor(
                new TokenBucket(1, 1, () -> 0L),
                waits::add,
                OperatorMetrics.apiRequestsWaited(registry, "test"),
                OperatorMetrics.apiRateLimitWait(registry, "test")));
  }

  @AfterEach
  void stop() {
    client.close();
    api.close();
  }

  private List<EmbeddedApiServer.Request> ours(String method, String path) {
    return requests.stream()
        .filter(r -> AGENT.equals(r.userAgent()))
        .filter(r -> r.method().equals(method) && r.path().startsWith(path))
        .toList();
  }

  private static long seconds(long n) {
    return Duration.ofSeconds(n).toNanos();
  }

  @Test
  void aRequestAnswered429IsSentAgainAfterRetryAfterAndEachAttemptTakesAToken() {
    String path = "/api/v1/namespaces/default/configmaps";
    try (AutoCloseable throttled = api.throttle(AGENT, "GET", path, 2, 1)) {
      assertThat(client.configMaps().inNamespace("default").list().getItems()).isEmpty();
    } catch (Exception e) {
      throw new AssertionError(e);
    }

    List<EmbeddedApiServer.Request> sent = ours("GET", path);
    assertThat(sent).as("two answered 429, the third answered").hasSize(3);
    for (int i = 1; i < sent.size(); i++) {
      assertThat(sent.get(i).receivedNanos() - sent.get(i - 1).receivedNanos())
          .as("attempt %d came at least Retry-After (1 s) after the one before", i + 1)
          .isGreaterThanOrEqualTo(seconds(1));
    }
    assertThat(waits)
        .as("the first attempt took the bucket's token, each retry one more")
        .containsExactly(seconds(1), seconds(2));
  }

  @Test
  void aWatchTakesOneTokenWhenItOpensAndNoneForWhatItStreams() throws Exception {
    AtomicInteger events = new AtomicInteger();
    try (Watch watch =
        client
            .configMaps()
            .inNamespace("default")
            .watch(
                new Watcher<ConfigMap>() {
                  @Override
                  public void eventReceived(Action action, ConfigMap resource) {
                    events.incrementAndGet();
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                })) {
      for (int i = 0; i < 5; i++) {
        api.client()
            .configMaps()
            .inNamespace("default")
            .resource(
                new ConfigMapBuilder().withNewMetadata().withName("c" + i).endMetadata().build())
            .create();
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> events.get() == 5);
      assertThat(waits).as("the watch took the one token without waiting").isEmpty();

      client.configMaps().inNamespace("default").withName("c0").get();
      assertThat(waits)
          .as("the next request is the second token: the stream took none")
          .containsExactly(seconds(1));
    }
  }
}
