package dev.managedsecrets.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.metrics.OperatorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Two replicas serving the endpoint: a value read through one and kept there is replaced there by a
 * value written through the other as soon as the store's watch brings the write, without the first
 * reading the record again.
 */
class EndpointReplicasIT {

  static TestCluster cluster;
  static OperatorRuntime second;
  static SecretsManagerClient first;
  static SecretsManagerClient other;

  @BeforeAll
  static void start() {
    cluster = EndpointClients.start();
    second =
        cluster.newOperator(
            TestCluster.testConfig(cluster.configure), new SimpleMeterRegistry(), () -> {});
    first = EndpointClients.client(cluster, EndpointClients.administrator(cluster));
    other = EndpointClients.client(second);
  }

  @AfterAll
  static void stop() {
    other.close();
    first.close();
    second.close();
    cluster.close();
  }

  @Test
  void aValueWrittenThroughOneReplicaIsServedByAnotherFromItsWatch() {
    first.createSecret(r -> r.name("replicas/db").secretString("before"));
    EndpointSdkIT.object(cluster, "replicas/db");
    assertThat(first.getSecretValue(r -> r.secretId("replicas/db")).secretString())
        .isEqualTo("before");
    assertThat(first.getSecretValue(r -> r.secretId("replicas/db")).secretString())
        .isEqualTo("before");

    double fromServer = recordReads("server");
    double fromWatch = recordReads("watch");

    other.putSecretValue(r -> r.secretId("replicas/db").secretString("after"));
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> first.getSecretValue(r -> r.secretId("replicas/db")).secretString(),
            "after"::equals);

    assertThat(recordReads("server"))
        .as("the first replica's reads of the record from the API server")
        .isEqualTo(fromServer);
    assertThat(recordReads("watch")).isGreaterThan(fromWatch);
  }

  /** The first replica's endpoint reads of records, served from its watch or from the server. */
  static double recordReads(String from) {
    return cluster
        .registry
        .find(OperatorMetrics.STORE_RECORD_READS)
        .tag("from", from)
        .functionCounter()
        .count();
  }
}
