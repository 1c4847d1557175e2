package dev.managedsecrets.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.apiserver.RequestCounts;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

/**
 * What the endpoint costs the API server: nothing while no one calls it; reading values writes
 * nothing but the reviews that authorise the reads; writing one is one write of the store.
 */
class EndpointIdleIT {

  /** Longer than the tests' fromSecret poll interval (2 s) and the authorisation cache's 5 s. */
  static final long IDLE_MILLIS = 7_000;

  static TestCluster cluster;
  static SecretsManagerClient sm;

  @BeforeAll
  static void start() {
    cluster = EndpointClients.start();
    sm = EndpointClients.client(cluster, EndpointClients.administrator(cluster));
  }

  @AfterAll
  static void stop() {
    sm.close();
    cluster.close();
  }

  static List<String> names() {
    return IntStream.range(0, 3).mapToObj(i -> "idle/db-" + i).toList();
  }

  @Test
  void anIdleEndpointMakesNoApiWriteAndReadsWriteNothingButReviews() throws InterruptedException {
    for (String name : names()) {
      sm.createSecret(r -> r.name(name).secretString("{\"password\":\"" + name + "\"}"));
      EndpointSdkIT.object(cluster, name);
    }
    names().forEach(name -> sm.getSecretValue(r -> r.secretId(name)));
    cluster.drainRequests();

    Thread.sleep(IDLE_MILLIS);
    assertThat(cluster.drainWrites()).as("API writes while the endpoint is idle").isEmpty();

    for (int round = 0; round < 3; round++) {
      names().forEach(name -> sm.getSecretValue(r -> r.secretId(name)));
    }
    assertThat(cluster.drainWrites())
        .as("API writes of 9 reads")
        .allMatch(w -> w.endsWith("/subjectaccessreviews"));
  }

  @Test
  void aValueReadAgainIsServedWithoutAnyApiRequest() {
    String name = "idle/again";
    sm.createSecret(r -> r.name(name).secretString("{\"password\":\"again\"}"));
    EndpointSdkIT.object(cluster, name);
    sm.getSecretValue(r -> r.secretId(name));
    cluster.drainRequests();

    for (int i = 0; i < 5; i++) {
      assertThat(sm.getSecretValue(r -> r.secretId(name)).secretString())
          .isEqualTo("{\"password\":\"again\"}");
    }

    assertThat(cluster.drainRequests())
        .as("API requests of 5 reads of one value, read once before")
        .filteredOn(r -> !r.path().contains("watch"))
        .isEmpty();
  }

  @Test
  void aValueWrittenIsReadBackAtOnceThroughTheCaches() {
    String name = "idle/changed";
    sm.createSecret(r -> r.name(name).secretString("first"));
    EndpointSdkIT.object(cluster, name);
    assertThat(sm.getSecretValue(r -> r.secretId(name)).secretString()).isEqualTo("first");

    for (int i = 0; i < 5; i++) {
      String value = "value-" + i;
      sm.putSecretValue(r -> r.secretId(name).secretString(value));
      assertThat(sm.getSecretValue(r -> r.secretId(name)).secretString()).isEqualTo(value);
    }
    sm.deleteSecret(r -> r.secretId(name).forceDeleteWithoutRecovery(true));
    assertThat(
            catchThrowableOfType(
                ResourceNotFoundException.class, () -> sm.getSecretValue(r -> r.secretId(name))))
        .isNotNull();
  }

  @Test
  void createSecretWithAValueWritesTheRecordAndItsFirstVersionToTheStoreInOneWrite() {
    cluster.drainRequests();
    String version =
        sm.createSecret(r -> r.name("writes/db").secretString("{\"password\":\"one\"}"))
            .versionId();
    EndpointSdkIT.object(cluster, "writes/db");

    // One create with the envelope in it, and no update after it. (The reconciles that the new
    // object starts try to create its record too, as for any new ManagedSecret, and the API
    // server refuses them: those creates hold no version.)
    List<EmbeddedApiServer.Request> writes = storeWritesUntilQuiet();
    assertThat(writes).allMatch(w -> w.method().equals("POST")).hasSizeBetween(1, 3);
    assertThat(writes).filteredOn(w -> w.body().contains("\"envelope.")).hasSize(1);
    assertThat(sm.getSecretValue(r -> r.secretId("writes/db")).versionId()).isEqualTo(version);

    // A value put afterwards is one write more: the record with the new version.
    sm.putSecretValue(r -> r.secretId("writes/db").secretString("{\"password\":\"two\"}"));
    assertThat(storeWritesUntilQuiet())
        .singleElement()
        .satisfies(w -> assertThat(w.method()).isEqualTo("PATCH"));
    assertThat(sm.getSecretValue(r -> r.secretId("writes/db")).secretString())
        .isEqualTo("{\"password\":\"two\"}");
  }

  /** The writes of store objects (Secrets in the operator's namespace) until they stop. */
  private static List<EmbeddedApiServer.Request> storeWritesUntilQuiet() {
    String store = "/namespaces/" + TestCluster.OPERATOR_NAMESPACE + "/secrets";
    return cluster.drainUntilQuiet(
        r -> RequestCounts.WRITE_METHODS.contains(r.method()) && r.path().contains(store));
  }
}
