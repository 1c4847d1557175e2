package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.WAIT;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static dev.managedsecrets.operator.it.ReplicationIT.EAST;
import static dev.managedsecrets.operator.it.ReplicationIT.NS;
import static dev.managedsecrets.operator.it.ReplicationIT.WEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ReplicaRegion;
import dev.managedsecrets.api.v1alpha1.ReplicationStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three live regions, each an in-memory API server with its own operator, store and keys, every one
 * a peer of the other two: a secret of us-east-1 replicated to both others holds the same versions
 * in each, under each region's own ARN; a change reaches both; removing one region removes only its
 * replica; and a secret of eu-west-1 replicates to the other two the same way (any region may be a
 * primary).
 */
class ThreeRegionsIT {

  /** The third region, live here (ReplicationIT's is unreachable). */
  static final String SOUTH = ReplicationIT.DOWN;

  static TestCluster east;
  static TestCluster west;
  static TestCluster south;

  @BeforeAll
  static void start() {
    east = TestCluster.withoutOperator();
    west = TestCluster.withoutOperator();
    south = TestCluster.withoutOperator();
    try {
      Map<String, TestCluster> regions = Map.of(EAST, east, WEST, west, SOUTH, south);
      for (var r : regions.entrySet()) {
        StringBuilder peers = new StringBuilder("[");
        for (var other : regions.entrySet()) {
          if (other.getKey().equals(r.getKey())) {
            continue;
          }
          String secretName = "peer-" + other.getKey();
          ReplicationIT.peer(r.getValue(), secretName, other.getValue().api.kubeconfig());
          peers
              .append(peers.length() > 1 ? ", " : "")
              .append("{region: ")
              .append(other.getKey())
              .append(", kubeconfigSecret: ")
              .append(secretName)
              .append('}');
        }
        r.getValue()
            .client
            .namespaces()
            .withName(NS)
            .edit(
                n -> {
                  n.getMetadata().setLabels(Map.of("managedsecrets.dev/accept-replicas", "true"));
                  return n;
                });
        r.getValue().configure =
            Map.of(
                "MANAGEDSECRET_REGION",
                r.getKey(),
                "MANAGEDSECRET_REPLICATION_PEERS",
                peers.append(']').toString());
      }
      for (TestCluster c : List.of(east, west, south)) {
        c.startOperator();
      }
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  @AfterAll
  static void stop() {
    for (TestCluster c : new TestCluster[] {east, west, south}) {
      if (c != null) {
        c.close();
      }
    }
  }

  static ManagedSecret replicated(
      TestCluster primary, String name, String value, String... regions) {
    return ReplicationIT.replicatedIn(primary, NS, name, value, regions);
  }

  static void awaitInSync(TestCluster primary, String name, String... regions) {
    await()
        .atMost(WAIT)
        .until(
            () -> {
              ManagedSecret ms = get(primary.client, NS, name);
              List<ReplicationStatus> all =
                  ms == null || ms.getStatus() == null ? null : ms.getStatus().replicationStatus;
              return all != null
                  && all.size() == regions.length
                  && all.stream().allMatch(s -> "InSync".equals(s.status));
            });
  }

  static void awaitValue(TestCluster region, String name, String value) {
    await()
        .atMost(WAIT)
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(text(secret(region.client, NS, name)))
                    .isEqualTo(Map.of("password", value)));
  }

  @Test
  void aSecretReplicatedToTwoRegionsHoldsTheSameVersionsInEachAndFollowsEveryChange() {
    replicated(east, "orders", "o1", WEST, SOUTH);

    awaitInSync(east, "orders", WEST, SOUTH);
    ManagedSecret primary = awaitSynced(east.client, NS, "orders");
    for (var r : Map.of(WEST, west, SOUTH, south).entrySet()) {
      awaitValue(r.getValue(), "orders", "o1");
      ManagedSecret replica = awaitSynced(r.getValue().client, NS, "orders");
      assertThat(replica.getStatus().versionIdsToStages)
          .isEqualTo(primary.getStatus().versionIdsToStages);
      assertThat(replica.getStatus().arn)
          .isEqualTo(primary.getStatus().arn.replace(":" + EAST + ":", ":" + r.getKey() + ":"));
    }

    edit(east.client, NS, "orders", s -> s.data = Map.of("password", "o2"));
    awaitValue(west, "orders", "o2");
    awaitValue(south, "orders", "o2");
    awaitInSync(east, "orders", WEST, SOUTH);
    String current = awaitSynced(east.client, NS, "orders").getStatus().versionId;
    await()
        .atMost(WAIT)
        .until(
            () ->
                current.equals(get(west.client, NS, "orders").getStatus().versionId)
                    && current.equals(get(south.client, NS, "orders").getStatus().versionId));

    // Removing one region removes only its replica.
    edit(
        east.client,
        NS,
        "orders",
        s -> {
          ReplicaRegion keep = new ReplicaRegion();
          keep.region = SOUTH;
          s.replicaRegions = List.of(keep);
        });
    await().atMost(WAIT).until(() -> get(west.client, NS, "orders") == null);
    awaitInSync(east, "orders", SOUTH);
    assertThat(text(secret(south.client, NS, "orders"))).isEqualTo(Map.of("password", "o2"));
  }

  @Test
  void anyRegionMayBeThePrimaryOfItsOwnSecrets() {
    replicated(west, "billing", "b1", EAST, SOUTH);

    awaitInSync(west, "billing", EAST, SOUTH);
    awaitValue(east, "billing", "b1");
    awaitValue(south, "billing", "b1");
    assertThat(get(east.client, NS, "billing").getMetadata().getAnnotations())
        .containsEntry(
            "managedsecrets.dev/replica-of",
            awaitSynced(west.client, NS, "billing").getStatus().arn);
  }
}
