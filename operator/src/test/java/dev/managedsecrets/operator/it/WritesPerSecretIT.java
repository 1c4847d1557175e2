package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.WAIT;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.apiserver.RequestCounts;
import dev.managedsecrets.operator.OperatorClient;
import dev.managedsecrets.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.api.model.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The API writes the operator makes per ManagedSecret, counted at the API server (never timed): a
 * create makes five (the finalizer, the store's record with its first version, the projected
 * Secret, the status, one Event), a value change four (the record with the new version, the
 * projected Secret, the status, one Event), and a reconcile with nothing to do none. The writes are
 * listed by method, resource and namespace, so a write added anywhere fails here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WritesPerSecretIT {

  static final String NS = "team-a";
  static final String STORE = TestCluster.OPERATOR_NAMESPACE;

  TestCluster cluster;

  @BeforeAll
  void start() {
    cluster = startCluster();
  }

  @AfterAll
  void stop() {
    stopCluster();
  }

  TestCluster startCluster() {
    return TestCluster.start();
  }

  void stopCluster() {
    cluster.close();
  }

  @Test
  void creatingAManagedSecretMakesFiveWritesAndOneEventThatSaysWhatHappened() {
    List<String> writes =
        writesWhile(
            () ->
                create(
                    cluster.client,
                    managedSecret(NS, "five", s -> s.data = Map.of("password", "p1"))),
            () -> events("five").size() == 1 && synced("five"));

    assertThat(writes)
        .containsExactlyInAnyOrder(
            with(
                storeWrites("POST secrets " + STORE), // the store's record, with its first version
                "PATCH managedsecrets " + NS, // the finalizer
                "POST secrets " + NS, // the projected Secret
                "PUT managedsecrets/status " + NS,
                "POST events " + NS));
    Event event = events("five").get(0);
    assertThat(event.getReason()).isEqualTo("SecretCreated");
    String version = awaitSynced(cluster.client, NS, "five").getStatus().versionId;
    assertThat(event.getMessage())
        .isEqualTo(
            "Created secret team-a/five; created version "
                + version
                + " as AWSCURRENT; created Secret five");
  }

  @Test
  void changingTheValueMakesFourWritesAndAReconcileWithNothingToDoMakesNone() {
    create(cluster.client, managedSecret(NS, "four", s -> s.data = Map.of("password", "p1")));
    await().atMost(WAIT).until(() -> events("four").size() == 1 && synced("four"));
    String before = awaitSynced(cluster.client, NS, "four").getStatus().versionId;

    List<String> writes =
        writesWhile(
            () -> edit(cluster.client, NS, "four", s -> s.data = Map.of("password", "p2")),
            () ->
                events("four").size() == 2
                    && synced("four")
                    && "p2".equals(text(secret(cluster.client, NS, "four")).get("password")));

    assertThat(writes)
        .containsExactlyInAnyOrder(
            with(
                storeWrites("PATCH secrets " + STORE), // the record and the version, in one write
                "PUT secrets " + NS,
                "PUT managedsecrets/status " + NS,
                "POST events " + NS));
    String after = awaitSynced(cluster.client, NS, "four").getStatus().versionId;
    assertThat(after).isNotEqualTo(before);
    assertThat(events("four"))
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo("VersionCreated");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "Created version "
                          + after
                          + " as AWSCURRENT; updated Secret four to version "
                          + after);
            });

    // The operator restarted: every ManagedSecret reconciled again, with nothing to do.
    cluster.stopOperator();
    List<String> none =
        writesWhile(
            cluster::startOperator,
            () -> {
              var synced =
                  cluster
                      .registry
                      .find(OperatorMetrics.RECONCILES)
                      .tag("result", "Synced")
                      .counter();
              return synced != null && synced.count() >= 2;
            });
    assertThat(none).isEmpty();
  }

  @Test
  void aValueTooLargeToKeepInItsRecordGetsAnObjectOfItsOwnInTheStore() {
    String large = "x".repeat(20_000);
    List<String> writes =
        writesWhile(
            () ->
                create(
                    cluster.client,
                    managedSecret(NS, "large", s -> s.data = Map.of("certificate", large))),
            () -> events("large").size() == 1 && synced("large"));

    assertThat(writes)
        .containsExactlyInAnyOrder(
            with(
                // The version's own object, then the record.
                storeWrites("POST secrets " + STORE, "POST secrets " + STORE),
                "PATCH managedsecrets " + NS,
                "POST secrets " + NS,
                "PUT managedsecrets/status " + NS,
                "POST events " + NS));
    assertThat(text(secret(cluster.client, NS, "large")).get("certificate")).isEqualTo(large);
  }

  /**
   * The store's API writes: those named with the Kubernetes store; none with a store outside the
   * API server.
   */
  List<String> storeWrites(String... writes) {
    return List.of(writes);
  }

  private static String[] with(List<String> store, String... others) {
    List<String> all = new ArrayList<>(store);
    all.addAll(List.of(others));
    return all.toArray(String[]::new);
  }

  /**
   * The operator's writes while {@code action} runs and until {@code done}, and then for as long as
   * any arrive (the writes must have stopped for two seconds): "METHOD resource namespace".
   */
  List<String> writesWhile(Runnable action, java.util.concurrent.Callable<Boolean> done) {
    cluster.drainRequests();
    action.run();
    await().atMost(WAIT).ignoreExceptions().until(done);
    return cluster
        .drainUntilQuiet(
            r ->
                r.userAgent() != null
                    && r.userAgent().startsWith(OperatorClient.USER_AGENT)
                    && RequestCounts.WRITE_METHODS.contains(r.method()))
        .stream()
        .map(r -> describe(r.method(), r.path()))
        .toList();
  }

  /** "PUT managedsecrets/status team-a" from the request's path. */
  static String describe(String method, String path) {
    String[] parts = path.replaceFirst("\\?.*", "").split("/");
    String namespace = null;
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      if ("namespaces".equals(parts[i]) && i + 1 < parts.length) {
        namespace = parts[++i];
        i++;
        for (; i < parts.length; i++) {
          rest.add(parts[i]);
        }
      }
    }
    String resource = rest.get(0) + (rest.size() > 2 ? "/" + rest.get(2) : "");
    return method + " " + resource + " " + namespace;
  }

  private boolean synced(String name) {
    ManagedSecret ms = Fixtures.get(cluster.client, NS, name);
    return ms != null
        && ms.getStatus() != null
        && ms.getStatus().conditions != null
        && ms.getStatus().conditions.stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))
        && secret(cluster.client, NS, name) != null;
  }

  private List<Event> events(String name) {
    return cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .filter(e -> "Normal".equals(e.getType()))
        .toList();
  }
}
