package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two operator replicas against one API server: only the Lease holder reconciles and purges; when
 * it stops, the other takes over once the Lease expires, and no version is created twice.
 */
class LeaderElectionIT {

  private static OperatorConfig electing() {
    // Short, so that a takeover happens within the test; renewals every second leave a stalled
    // leader five seconds before it gives up.
    return TestCluster.testConfig(
        Map.of(
            "MANAGEDSECRET_LEADER_ELECTION", "true",
            "MANAGEDSECRET_LEASE_DURATION", "PT6S",
            "MANAGEDSECRET_LEASE_RENEW_DEADLINE", "PT5S",
            "MANAGEDSECRET_LEASE_RETRY_PERIOD", "PT1S",
            "MANAGEDSECRET_PURGE_INTERVAL", "PT1S"));
  }

  @Test
  void onlyTheLeaderReconcilesAndTheFollowerTakesOverWithoutCreatingAVersionTwice() {
    try (TestCluster cluster = TestCluster.withoutOperator()) {
      SimpleMeterRegistry metricsA = new SimpleMeterRegistry();
      SimpleMeterRegistry metricsB = new SimpleMeterRegistry();
      AtomicInteger lost = new AtomicInteger();
      OperatorRuntime a = cluster.newOperator(electing(), metricsA, lost::incrementAndGet);
      OperatorRuntime b = null;
      try {
        await().atMost(Fixtures.WAIT).until(a::isLeader);
        String firstHolder = holder(cluster);
        b = cluster.newOperator(electing(), metricsB, lost::incrementAndGet);
        assertThat(b.isStarted()).as("the follower's informers are running").isTrue();

        create(cluster.client, managedSecret("default", "elected", s -> s.secretString = "one"));
        String first = awaitSynced(cluster.client, "default", "elected").getStatus().versionId;
        // The leader's purge job runs every second; the follower's does nothing.
        await().atMost(Fixtures.WAIT).until(() -> storeCalls(metricsA, "list") > 0);

        assertThat(b.isLeader()).as("the follower leads").isFalse();
        assertThat(count(metricsA, OperatorMetrics.RECONCILES)).isPositive();
        assertThat(count(metricsB, OperatorMetrics.RECONCILES)).as("follower reconciles").isZero();
        assertThat(storeCalls(metricsB, "list")).as("follower purges").isZero();
        assertThat(holder(cluster)).isEqualTo(firstHolder);

        // The leader stops without releasing the Lease: the follower takes over when it expires.
        a.close();
        OperatorRuntime follower = b;
        await().atMost(Fixtures.WAIT).until(follower::isLeader);
        assertThat(holder(cluster)).isNotEqualTo(firstHolder);

        edit(cluster.client, "default", "elected", s -> s.secretString = "two");
        await()
            .atMost(Fixtures.WAIT)
            .until(
                () ->
                    !first.equals(get(cluster.client, "default", "elected").getStatus().versionId));
        var status = awaitSynced(cluster.client, "default", "elected").getStatus();

        assertThat(count(metricsB, OperatorMetrics.RECONCILES)).isPositive();
        assertThat(status.versionIdsToStages)
            .containsExactlyInAnyOrderEntriesOf(
                Map.of(status.versionId, List.of("AWSCURRENT"), first, List.of("AWSPREVIOUS")));
        assertThat(count(metricsA, OperatorMetrics.VERSIONS_CREATED)).isEqualTo(1);
        assertThat(count(metricsB, OperatorMetrics.VERSIONS_CREATED))
            .as("versions the new leader created: the edit's only, none on takeover")
            .isEqualTo(1);
        assertThat(new StoreView(cluster.client).envelopes())
            .as("version objects in the store")
            .isEqualTo(2);
        assertThat(lost.get()).as("replicas that lost the Lease while running").isZero();
      } finally {
        a.close();
        if (b != null) {
          b.close();
        }
      }
    }
  }

  @Test
  void aLeaderThatLosesItsLeaseStopsLeadingAndCallsTheLossHandler() {
    try (TestCluster cluster = TestCluster.withoutOperator()) {
      AtomicInteger lost = new AtomicInteger();
      OperatorRuntime a =
          cluster.newOperator(electing(), new SimpleMeterRegistry(), lost::incrementAndGet);
      try {
        await().atMost(Fixtures.WAIT).until(a::isLeader);

        // Another holder takes the Lease (as after a long pause of this replica); its update
        // conflicts when the leader renews in between, and is then tried again.
        OperatorConfig config = electing();
        await()
            .atMost(Fixtures.WAIT)
            .ignoreExceptionsInstanceOf(KubernetesClientException.class)
            .until(
                () -> {
                  cluster
                      .client
                      .leases()
                      .inNamespace(config.namespace())
                      .withName(config.leaseName())
                      .edit(
                          l -> {
                            l.getSpec().setHolderIdentity("another-replica");
                            l.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
                            l.getSpec().setLeaseDurationSeconds(3600);
                            return l;
                          });
                  return true;
                });

        await().atMost(Fixtures.WAIT).until(() -> lost.get() == 1);
        assertThat(a.isLeader()).isFalse();
      } finally {
        a.close();
      }
      assertThat(lost.get()).as("a clean stop is not a loss").isEqualTo(1);
    }
  }

  private static String holder(TestCluster cluster) {
    OperatorConfig config = electing();
    Lease lease =
        cluster.client.leases().inNamespace(config.namespace()).withName(config.leaseName()).get();
    return lease.getSpec().getHolderIdentity();
  }

  private static double count(MeterRegistry registry, String name) {
    return registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private static long storeCalls(MeterRegistry registry, String operation) {
    return registry
        .find(OperatorMetrics.STORE_DURATION)
        .tag("operation", operation)
        .timers()
        .stream()
        .mapToLong(t -> t.count())
        .sum();
  }
}
