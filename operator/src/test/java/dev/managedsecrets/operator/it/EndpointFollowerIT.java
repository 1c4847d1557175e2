package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.reconcile.StoreWrites;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Two replicas with leader election, both serving the endpoint: a value written through the one
 * that does not lead is projected into the native Secret at once (the leader is told through an
 * annotation), not at the leader's next resync of the object (ten minutes by default).
 */
class EndpointFollowerIT {

  static Map<String, String> electing() {
    Map<String, String> config = new HashMap<>(EndpointClients.CONFIG);
    config.putAll(
        Map.of(
            "MANAGEDSECRET_LEADER_ELECTION", "true",
            "MANAGEDSECRET_LEASE_DURATION", "PT6S",
            "MANAGEDSECRET_LEASE_RENEW_DEADLINE", "PT5S",
            "MANAGEDSECRET_LEASE_RETRY_PERIOD", "PT1S"));
    return config;
  }

  @Test
  void aValueWrittenThroughTheReplicaThatDoesNotLeadIsProjectedAtOnce() {
    try (TestCluster cluster = TestCluster.withoutOperator();
        OperatorRuntime leader =
            cluster.newOperator(
                TestCluster.testConfig(electing()), new SimpleMeterRegistry(), () -> {})) {
      await().atMost(Fixtures.WAIT).until(leader::isLeader);
      try (OperatorRuntime follower =
              cluster.newOperator(
                  TestCluster.testConfig(electing()), new SimpleMeterRegistry(), () -> {});
          SecretsManagerClient viaLeader = EndpointClients.client(leader);
          SecretsManagerClient viaFollower = EndpointClients.client(follower)) {
        assertThat(follower.isLeader()).isFalse();
        viaLeader.createSecret(r -> r.name("follower/db").secretString("{\"password\":\"one\"}"));
        ManagedSecret ms = EndpointSdkIT.object(cluster, "follower/db");
        String target = ms.getMetadata().getName();
        await()
            .atMost(Fixtures.WAIT)
            .untilAsserted(
                () ->
                    assertThat(text(secret(cluster.client, "default", target)))
                        .isEqualTo(Map.of("password", "one")));

        viaFollower.putSecretValue(
            r -> r.secretId("follower/db").secretString("{\"password\":\"two\"}"));

        await()
            .atMost(Fixtures.WAIT)
            .untilAsserted(
                () ->
                    assertThat(text(secret(cluster.client, "default", target)))
                        .isEqualTo(Map.of("password", "two")));
        assertThat(Fixtures.get(cluster.client, "default", target).getMetadata().getAnnotations())
            .containsKey(StoreWrites.STORE_WRITTEN);
      }
    }
  }
}
