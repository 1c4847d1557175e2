package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/** The faults a test injects: errors for one client's requests, and dropped watches. */
class FaultsTest {

  private static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";

  /** A client with this User-Agent that neither retries a failed request nor waits to watch. */
  private static KubernetesClient client(EmbeddedApiServer api, String userAgent) {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder(api.config())
                .withUserAgent(userAgent)
                .withRequestRetryBackoffLimit(0)
                .withWatchReconnectInterval(100)
                .build())
        .build();
  }

  private static ConfigMap configMap(String name) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .addToData("k", "v")
        .build();
  }

  @Test
  void aFaultForOneUserAgentFailsThatClientsRequestsOnlyUntilItIsClosed() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0);
        KubernetesClient failing = client(api, "failing-agent/1");
        KubernetesClient other = client(api, "other-agent/1")) {
      api.client().configMaps().inNamespace("default").resource(configMap("one")).create();

      try (AutoCloseable fault = api.failFor("failing-agent", "GET", CONFIGMAPS, 429)) {
        assertThatThrownBy(() -> failing.configMaps().inNamespace("default").withName("one").get())
            .isInstanceOfSatisfying(
                KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(429));
        assertThat(other.configMaps().inNamespace("default").withName("one").get()).isNotNull();
        // Another method is not refused.
        failing.configMaps().inNamespace("default").resource(configMap("two")).create();
      }

      assertThat(failing.configMaps().inNamespace("default").withName("one").get()).isNotNull();
    }
  }

  @Test
  void aDroppedWatchIsClosedAndItsClientSeesChangesOnceItCanWatchAgain() throws Exception {
    Queue<EmbeddedApiServer.Request> requests = new ConcurrentLinkedQueue<>();
    try (EmbeddedApiServer api =
            EmbeddedApiServer.start(EmbeddedApiServer.options().onRequest(requests::add));
        KubernetesClient watching = client(api, "watching-agent/1")) {
      Queue<String> seen = new ConcurrentLinkedQueue<>();
      try (Watch watch =
          watching
              .configMaps()
              .inNamespace("default")
              .watch(
                  new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, ConfigMap resource) {
                      seen.add(action + " " + resource.getMetadata().getName());
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                  })) {
        api.client().configMaps().inNamespace("default").resource(configMap("before")).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("ADDED before"));

        try (AutoCloseable refused = api.failFor("watching-agent", "GET", CONFIGMAPS, 500)) {
          assertThat(api.dropWatches()).isEqualTo(1);
          int watchesBefore = watchRequests(requests);
          api.client().configMaps().inNamespace("default").resource(configMap("during")).create();
          // The client watches again and is refused: the change made meanwhile is not seen yet.
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> watchRequests(requests) > watchesBefore + 1);
          assertThat(seen).containsExactly("ADDED before");
          assertThat(api.dropWatches()).as("no watch is open").isZero();
        }

        // Watching again, the client gets what it missed (the mock's watch starts with every
        // object as ADDED, so "before" comes again too).
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("ADDED during"));
      }
    }
  }

  private static int watchRequests(Queue<EmbeddedApiServer.Request> requests) {
    return (int)
        requests.stream()
            .filter(
                r ->
                    "watching-agent/1".equals(r.userAgent())
                        && r.method().equals("GET")
                        && r.path().startsWith(CONFIGMAPS)
                        && r.path().contains("watch=true"))
            .count();
  }
}
