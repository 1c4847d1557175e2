package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Workloads.named;
import static dev.managedsecrets.operator.it.Workloads.restarting;
import static dev.managedsecrets.operator.it.Workloads.selecting;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.RolloutRestartTarget;
import dev.managedsecrets.api.v1alpha1.RotationSpec;
import dev.managedsecrets.api.v1alpha1.WorkloadSelector;
import dev.managedsecrets.operator.OperatorClient;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * target.rolloutRestart against the in-memory API server: a new AWSCURRENT restarts the named or
 * selected workloads once, after the projected Secret holds it; nothing else restarts them.
 */
class RolloutRestartIT {

  private static final String NS = "team-a";

  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aValueChangeRestartsEachNamedDeploymentOnceAfterTheSecretHoldsTheNewValue() {
    deployment("api", Map.of("app", "api"));
    deployment("worker", Map.of("app", "worker"));
    create(
        cluster.client,
        managedSecret(
            NS,
            "named",
            s -> {
              s.secretString = "one";
              s.target = restarting(named("Deployment", "api"), named("Deployment", "worker"));
            }));
    String first = awaitSynced(cluster.client, NS, "named").getStatus().versionId;
    assertThat(restartedAt("Deployment", "api")).as("after the first version").isNull();
    assertThat(restartedAt("Deployment", "worker")).as("after the first version").isNull();
    cluster.drainRequests();

    edit(cluster.client, NS, "named", s -> s.secretString = "two");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                restartedAt("Deployment", "api") != null
                    && restartedAt("Deployment", "worker") != null);
    ManagedSecret synced = awaitSynced(cluster.client, NS, "named");
    assertThat(synced.getStatus().versionId).isNotEqualTo(first);
    assertThat(synced.getStatus().restartedForVersionId).isEqualTo(synced.getStatus().versionId);

    List<String> writes =
        cluster.drainRequests().stream()
            .filter(r -> OperatorClient.USER_AGENT.equals(r.userAgent()))
            .filter(r -> !"GET".equals(r.method()))
            .map(r -> r.method() + " " + r.path())
            .toList();
    String secretWrite = "/api/v1/namespaces/team-a/secrets/named";
    String api = "PATCH /apis/apps/v1/namespaces/team-a/deployments/api";
    String worker = "PATCH /apis/apps/v1/namespaces/team-a/deployments/worker";
    assertThat(writes).as("the operator's writes").containsOnlyOnce(api, worker);
    int secretIndex = indexOfEndingWith(writes, secretWrite);
    assertThat(secretIndex).as("the projected Secret's write in %s", writes).isNotNegative();
    assertThat(writes.indexOf(api)).isGreaterThan(secretIndex);
    assertThat(writes.indexOf(worker)).isGreaterThan(secretIndex);
    assertThat(events("named"))
        .filteredOn(e -> "RolloutRestarted".equals(e.getReason()))
        .hasSize(2);

    // A reconcile with nothing new restarts nothing.
    double before = cluster.reconciles();
    cluster
        .client
        .secrets()
        .inNamespace(NS)
        .withName("named")
        .edit(
            s ->
                new SecretBuilder(s)
                    .editMetadata()
                    .addToLabels("unrelated", "label")
                    .endMetadata()
                    .build());
    cluster.drainWrites();
    await().atMost(Fixtures.WAIT).until(() -> cluster.reconciles() > before);
    assertThat(cluster.drainWrites()).as("writes by a reconcile with nothing new").isEmpty();
  }

  @Test
  void aRotationRestartsTheWorkloadOnceForItsNewVersion() {
    deployment("rotated-app", Map.of("app", "rotated-app"));
    create(
        cluster.client,
        managedSecret(
            NS,
            "rotated",
            s -> {
              s.data = Map.of("username", "orders");
              s.generate = Map.of("password", new GenerateSpec());
              s.rotation = new RotationSpec();
              s.rotation.scheduleExpression = "rate(30 days)";
              s.rotation.rotateImmediately = false;
              s.target = restarting(named("Deployment", "rotated-app"));
            }));
    String first = awaitSynced(cluster.client, NS, "rotated").getStatus().versionId;
    assertThat(restartedAt("Deployment", "rotated-app")).as("after the first version").isNull();
    cluster.drainRequests();

    Fixtures.rotateNow(cluster.client, NS, "rotated", "1");
    await().atMost(Fixtures.WAIT).until(() -> restartedAt("Deployment", "rotated-app") != null);
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> {
              ManagedSecret ms = get(cluster.client, NS, "rotated");
              return !first.equals(ms.getStatus().versionId)
                  && ms.getStatus().versionId.equals(ms.getStatus().restartedForVersionId);
            });
    assertThat(cluster.drainWrites())
        .as("the operator's writes")
        .containsOnlyOnce("PATCH /apis/apps/v1/namespaces/team-a/deployments/rotated-app");
  }

  @Test
  void aSelectorRestartsEveryMatchingStatefulSetAndDaemonSetAndNoOther() {
    Workloads.statefulSet(cluster.client, NS, "db-a", Map.of("tier", "db"));
    Workloads.statefulSet(cluster.client, NS, "cache", Map.of("tier", "cache"));
    Workloads.daemonSet(cluster.client, NS, "agent", Map.of("tier", "db"));
    create(
        cluster.client,
        managedSecret(
            NS,
            "selected",
            s -> {
              s.secretString = "one";
              s.target =
                  restarting(
                      selecting("StatefulSet", Map.of("tier", "db")),
                      selecting("DaemonSet", Map.of("tier", "db")));
            }));
    awaitSynced(cluster.client, NS, "selected");
    assertThat(restartedAt("StatefulSet", "db-a")).as("after the first version").isNull();

    edit(cluster.client, NS, "selected", s -> s.secretString = "two");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                restartedAt("StatefulSet", "db-a") != null
                    && restartedAt("DaemonSet", "agent") != null);
    awaitSynced(cluster.client, NS, "selected");
    assertThat(restartedAt("StatefulSet", "cache")).as("a StatefulSet not selected").isNull();
  }

  @Test
  void aMissingWorkloadGivesAWarningEventAndReadyStaysTrue() {
    create(
        cluster.client,
        managedSecret(
            NS,
            "ghostly",
            s -> {
              s.secretString = "one";
              s.target = restarting(named("Deployment", "ghost"));
            }));
    awaitSynced(cluster.client, NS, "ghostly");
    assertThat(events("ghostly")).noneMatch(e -> "Warning".equals(e.getType()));

    edit(cluster.client, NS, "ghostly", s -> s.secretString = "two");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                events("ghostly").stream()
                    .anyMatch(e -> "RolloutRestartFailed".equals(e.getReason())));
    ManagedSecret synced = awaitSynced(cluster.client, NS, "ghostly");
    assertThat(synced.getStatus().restartedForVersionId).isEqualTo(synced.getStatus().versionId);
    assertThat(events("ghostly"))
        .filteredOn(e -> "RolloutRestartFailed".equals(e.getReason()))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage())
                  .contains("Deployment ghost", "does not exist")
                  .doesNotContain("one")
                  .doesNotContain("two");
            });
  }

  @Test
  void aRestartTheOperatorMayNotMakeSaysWhichChartValueGrantsIt() throws Exception {
    deployment("locked", Map.of("app", "locked"));
    create(
        cluster.client,
        managedSecret(
            NS,
            "refused",
            s -> {
              s.secretString = "one";
              s.target = restarting(named("Deployment", "locked"));
            }));
    awaitSynced(cluster.client, NS, "refused");
    try (AutoCloseable forbidden =
        cluster.api.failFor(
            OperatorClient.USER_AGENT,
            "PATCH",
            "/apis/apps/v1/namespaces/team-a/deployments/locked",
            403)) {
      edit(cluster.client, NS, "refused", s -> s.secretString = "two");
      await()
          .atMost(Fixtures.WAIT)
          .until(
              () ->
                  events("refused").stream()
                      .anyMatch(e -> "RolloutRestartFailed".equals(e.getReason())));
      awaitSynced(cluster.client, NS, "refused");
    }
    assertThat(events("refused"))
        .filteredOn(e -> "RolloutRestartFailed".equals(e.getReason()))
        .singleElement()
        .satisfies(e -> assertThat(e.getMessage()).contains("rbac.rolloutRestart=true"));
    assertThat(restartedAt("Deployment", "locked")).isNull();
  }

  @Test
  void anEntryWithBothOrNeitherOfNameAndSelectorIsRefusedByTheApiServer() {
    RolloutRestartTarget both = named("Deployment", "api");
    both.selector = new WorkloadSelector(Map.of("app", "api"));
    RolloutRestartTarget neither = new RolloutRestartTarget();
    neither.kind = "Deployment";
    for (RolloutRestartTarget bad : List.of(both, neither)) {
      assertThat(
              catchThrowableOfType(
                  KubernetesClientException.class,
                  () ->
                      create(
                          cluster.client,
                          managedSecret(
                              NS,
                              "refused-entry",
                              s -> {
                                s.secretString = "one";
                                s.target = restarting(bad);
                              }))))
          .isNotNull()
          .satisfies(
              e -> {
                assertThat(e.getCode()).isEqualTo(422);
                assertThat(e.getMessage()).contains("exactly one of name and selector");
              });
    }
  }

  private static void deployment(String name, Map<String, String> labels) {
    Workloads.deployment(cluster.client, NS, name, labels);
  }

  private static String restartedAt(String kind, String name) {
    return Workloads.restartedAt(cluster.client, NS, kind, name);
  }

  private static int indexOfEndingWith(List<String> writes, String path) {
    for (int i = 0; i < writes.size(); i++) {
      if (writes.get(i).endsWith(path)) {
        return i;
      }
    }
    return -1;
  }

  private static List<Event> events(String name) {
    return cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }
}
