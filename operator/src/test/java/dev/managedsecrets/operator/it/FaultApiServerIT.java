package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.operator.OperatorClient;
import dev.managedsecrets.operator.config.OperatorConfig;
import io.fabric8.kubernetes.client.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API server fails every request of the operator, reads with 500 and writes with 429, and drops
 * its watches, for an outage of {@link #OUTAGE} (the minute, compressed), while users keep
 * changing ManagedSecrets. The operator backs off: it makes no more requests than its back-offs
 * allow, counted request by request; and it recovers in full after, without a restart.
 */
class FaultApiServerIT {

  private static final Logger LOG = LoggerFactory.getLogger(FaultApiServerIT.class);

  /** The outage: "a minute", compressed to 20 s. */
  static final Duration OUTAGE = Duration.ofSeconds(20);

  static final int SECRETS = 4;

  /** The retry policy of the test (the configuration's retry section). */
  static final Map<String, String> RETRY =
      Map.of(
          "MANAGEDSECRET_RETRY_INITIAL_INTERVAL", "PT1S",
          "MANAGEDSECRET_RETRY_MULTIPLIER", "2",
          "MANAGEDSECRET_RETRY_MAX_INTERVAL", "PT4S");

  /**
   * Requests of a failed reconcile: the one that failed, the Warning Event (when the failure is
   * news) and the status.
   */
  static final int REQUESTS_PER_RECONCILE = 3;

  /** Requests of an informer that starts again: a list and a watch. */
  static final int REQUESTS_PER_REWATCH = 2;

  @Test
  void aFailingApiServerGetsNoMoreRequestsThanTheBackOffAllowsAndEverythingRecoversAfter()
      throws Exception {
    try (TestCluster cluster = TestCluster.withoutOperator()) {
      cluster.configure = RETRY;
      cluster.startOperator();
      for (int i = 0; i < SECRETS; i++) {
        String value = "before-" + i;
        create(cluster.client, managedSecret("team-a", name(i), s -> s.secretString = value));
      }
      List<String> before = new ArrayList<>();
      for (int i = 0; i < SECRETS; i++) {
        before.add(awaitSynced(cluster.client, "team-a", name(i)).getStatus().versionId);
      }
      cluster.drainRequests();

      // The outage: every request of the operator fails; the users' requests do not.
      String operator = OperatorClient.USER_AGENT;
      List<AutoCloseable> faults = new ArrayList<>();
      faults.add(cluster.api.failFor(operator, "GET", "/", 500));
      for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
        faults.add(cluster.api.failFor(operator, method, "/", 429));
      }
      long started = System.nanoTime();
      for (int i = 0; i < SECRETS; i++) {
        String value = "during-" + i;
        edit(cluster.client, "team-a", name(i), s -> s.secretString = value);
      }
      // The watches delivered the edits (each reconcile has read its record), then they drop.
      List<EmbeddedApiServer.Request> outage = new ArrayList<>();
      await()
          .atMost(Fixtures.WAIT)
          .until(
              () -> {
                outage.addAll(cluster.drainRequests());
                return outage.stream()
                        .filter(r -> operator.equals(r.userAgent()) && storeRead(r))
                        .map(r -> r.path())
                        .distinct()
                        .count()
                    >= SECRETS;
              });
      int dropped = cluster.api.dropWatches();
      Thread.sleep(OUTAGE.toMillis());
      for (int i = 0; i < SECRETS; i++) {
        // Nothing changed meanwhile: the Secret keeps its value, the status its version.
        assertThat(text(secret(cluster.client, "team-a", name(i))))
            .containsExactly(Map.entry("secretString", "before-" + i));
        assertThat(get(cluster.client, "team-a", name(i)).getStatus().versionId)
            .isEqualTo(before.get(i));
      }
      outage.addAll(cluster.drainRequests());
      for (AutoCloseable fault : faults) {
        fault.close();
      }
      Duration window = Duration.ofNanos(System.nanoTime() - started);

      // Counted: the operator's requests while it failed, against what its back-offs allow in
      // that window, each request answered at once (the most there can be).
      List<EmbeddedApiServer.Request> ours =
          outage.stream().filter(r -> operator.equals(r.userAgent())).toList();
      long reconciles = ours.stream().filter(r -> !informer(r)).count();
      long informers = ours.stream().filter(FaultApiServerIT::informer).count();
      Config client = cluster.operatorClient.getConfiguration();
      OperatorConfig config = TestCluster.testConfig(RETRY);
      long reconcileAllowance =
          SECRETS
              * Backoff.mostRequests(
                  window,
                  Backoff.reconciles(
                      config.retry(), REQUESTS_PER_RECONCILE, Backoff.clientRetries(client)));
      long informerAllowance =
          dropped * Backoff.mostRequests(window, Backoff.rewatches(client, REQUESTS_PER_REWATCH));
      LOG.info(
          "Outage of {}: {} watches dropped; requests of failed reconciles {} (allowed {}), of"
              + " informers {} (allowed {})",
          window,
          dropped,
          reconciles,
          reconcileAllowance,
          informers,
          informerAllowance);
      assertThat(dropped).as("watches dropped").isPositive();
      assertThat(reconciles)
          .as("requests of failed reconciles in %s (allowed: %s)", window, reconcileAllowance)
          .isPositive()
          .isLessThanOrEqualTo(reconcileAllowance);
      assertThat(informers)
          .as("requests of informers in %s (allowed: %s)", window, informerAllowance)
          .isPositive()
          .isLessThanOrEqualTo(informerAllowance);

      // Recovery, without a restart: every change made during the outage is stored and projected
      // once, the informers watch again, and a change made now is seen through them.
      for (int i = 0; i < SECRETS; i++) {
        String was = before.get(i);
        String name = name(i);
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> !was.equals(get(cluster.client, "team-a", name).getStatus().versionId));
        var status = awaitSynced(cluster.client, "team-a", name).getStatus();
        assertThat(status.versionIdsToStages)
            .containsExactlyInAnyOrderEntriesOf(
                Map.of(status.versionId, List.of("AWSCURRENT"), was, List.of("AWSPREVIOUS")));
        assertThat(text(secret(cluster.client, "team-a", name)))
            .containsExactly(Map.entry("secretString", "during-" + i));
      }
      await()
          .atMost(Fixtures.WAIT)
          .until(() -> cluster.runtime().unhealthyEventSources().isEmpty());
      String during = get(cluster.client, "team-a", name(0)).getStatus().versionId;
      edit(cluster.client, "team-a", name(0), s -> s.secretString = "after");
      await()
          .atMost(Fixtures.WAIT)
          .until(
              () -> !during.equals(get(cluster.client, "team-a", name(0)).getStatus().versionId));
      assertThat(text(secret(cluster.client, "team-a", name(0))))
          .containsExactly(Map.entry("secretString", "after"));
    }
  }

  private static String name(int i) {
    return "outage-" + i;
  }

  /** A request of an informer: a list or a watch of a collection. */
  private static boolean informer(EmbeddedApiServer.Request r) {
    if (!r.method().equals("GET")) {
      return false;
    }
    String path = r.path().contains("?") ? r.path().substring(0, r.path().indexOf('?')) : r.path();
    String last = path.substring(path.lastIndexOf('/') + 1);
    return r.path().contains("watch=true")
        || last.equals("secrets")
        || last.equals("managedsecrets")
        || last.equals("kmskeys");
  }

  /** A read of a store record: the first request of every reconcile of a stored secret. */
  private static boolean storeRead(EmbeddedApiServer.Request r) {
    return r.method().equals("GET")
        && r.path()
            .startsWith("/api/v1/namespaces/" + TestCluster.OPERATOR_NAMESPACE + "/secrets/");
  }
}
