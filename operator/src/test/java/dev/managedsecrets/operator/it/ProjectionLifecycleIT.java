package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.TargetSpec;
import dev.managedsecrets.operator.OperatorClient;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The projected Secret's lifecycle (target.immutable, target.deletionPolicy, merging into a Secret
 * that opts in) against the in-memory API server, which refuses an immutable Secret's data change
 * as a real one does.
 */
class ProjectionLifecycleIT {

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

  private static TargetSpec target(java.util.function.Consumer<TargetSpec> settings) {
    TargetSpec t = new TargetSpec();
    settings.accept(t);
    return t;
  }

  // ---- target.immutable

  @Test
  void anImmutableSecretIsReplacedOnAValueChangeAndTheWorkloadsRestartAfterward() {
    Workloads.deployment(cluster.client, NS, "frozen-app", Map.of("app", "frozen-app"));
    create(
        cluster.client,
        managedSecret(
            NS,
            "frozen",
            s -> {
              s.secretString = "one";
              s.target =
                  target(
                      t -> {
                        t.immutable = true;
                        t.rolloutRestart = List.of(Workloads.named("Deployment", "frozen-app"));
                      });
            }));
    awaitSynced(cluster.client, NS, "frozen");
    Secret first = secret(cluster.client, NS, "frozen");
    assertThat(first.getImmutable()).isTrue();
    assertThat(text(first)).containsExactly(Map.entry("secretString", "one"));
    assertThat(Workloads.restartedAt(cluster.client, NS, "Deployment", "frozen-app")).isNull();
    cluster.drainRequests();

    edit(cluster.client, NS, "frozen", s -> s.secretString = "two");
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> Workloads.restartedAt(cluster.client, NS, "Deployment", "frozen-app") != null);
    ManagedSecret synced = awaitSynced(cluster.client, NS, "frozen");
    assertThat(synced.getStatus().restartedForVersionId).isEqualTo(synced.getStatus().versionId);
    Secret second = secret(cluster.client, NS, "frozen");
    assertThat(text(second)).containsExactly(Map.entry("secretString", "two"));
    assertThat(second.getImmutable()).isTrue();
    assertThat(second.getMetadata().getUid()).isNotEqualTo(first.getMetadata().getUid());
    // Replaced, never updated (the API server refuses that), and the restart after the create.
    List<String> writes =
        cluster.drainRequests().stream()
            .filter(r -> OperatorClient.USER_AGENT.equals(r.userAgent()))
            .filter(r -> !"GET".equals(r.method()))
            .map(r -> r.method() + " " + r.path().replaceFirst("\\?.*", ""))
            .toList();
    String delete = "DELETE /api/v1/namespaces/team-a/secrets/frozen";
    String post = "POST /api/v1/namespaces/team-a/secrets";
    String restart = "PATCH /apis/apps/v1/namespaces/team-a/deployments/frozen-app";
    assertThat(writes).contains(delete, post).containsOnlyOnce(restart);
    assertThat(writes).doesNotContain("PUT /api/v1/namespaces/team-a/secrets/frozen");
    assertThat(writes.indexOf(delete)).isLessThan(writes.indexOf(post));
    assertThat(writes.indexOf(post)).isLessThan(writes.indexOf(restart));
  }

  @Test
  void turningImmutableOnAndOffReplacesTheSecret() {
    create(cluster.client, managedSecret(NS, "thawed", s -> s.secretString = "v"));
    awaitSynced(cluster.client, NS, "thawed");
    Secret mutable = secret(cluster.client, NS, "thawed");
    assertThat(mutable.getImmutable()).isNotEqualTo(Boolean.TRUE);

    edit(cluster.client, NS, "thawed", s -> s.target = target(t -> t.immutable = true));
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> Boolean.TRUE.equals(secret(cluster.client, NS, "thawed").getImmutable()));
    Secret frozen = secret(cluster.client, NS, "thawed");
    assertThat(frozen.getMetadata().getUid()).isNotEqualTo(mutable.getMetadata().getUid());
    assertThat(text(frozen)).containsExactly(Map.entry("secretString", "v"));

    edit(cluster.client, NS, "thawed", s -> s.target.immutable = null);
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> !Boolean.TRUE.equals(secret(cluster.client, NS, "thawed").getImmutable()));
    Secret again = secret(cluster.client, NS, "thawed");
    assertThat(again.getMetadata().getUid()).isNotEqualTo(frozen.getMetadata().getUid());
    assertThat(text(again)).containsExactly(Map.entry("secretString", "v"));
    awaitSynced(cluster.client, NS, "thawed");
  }
}
