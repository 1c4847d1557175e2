package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitReady;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.ready;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.TargetSpec;
import dev.managedsecrets.operator.OperatorClient;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
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

  // ---- target.deletionPolicy Retain

  private static void delete(String name) {
    cluster.client.resources(ManagedSecret.class).inNamespace(NS).withName(name).delete();
    await().atMost(Fixtures.WAIT).until(() -> get(cluster.client, NS, name) == null);
  }

  @Test
  void aRetainedSecretOutlivesItsManagedSecretUnownedAndOnlyAManagedSecretOfThatNameTakesItBack() {
    create(
        cluster.client,
        managedSecret(
            NS,
            "kept",
            s -> {
              s.data = Map.of("password", "p1");
              s.target =
                  target(
                      t -> {
                        t.deletionPolicy = "Retain";
                        t.labels = Map.of("app", "kept");
                      });
            }));
    awaitSynced(cluster.client, NS, "kept");
    Secret before = secret(cluster.client, NS, "kept");

    delete("kept");
    Secret retained = secret(cluster.client, NS, "kept");
    assertThat(retained.getMetadata().getUid()).isEqualTo(before.getMetadata().getUid());
    assertThat(text(retained)).containsExactly(Map.entry("password", "p1"));
    assertThat(retained.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(retained.getMetadata().getLabels()).containsExactly(Map.entry("app", "kept"));
    assertThat(retained.getMetadata().getAnnotations())
        .containsExactly(Map.entry("managedsecrets.dev/retained-from", "kept"));

    // Another ManagedSecret naming it as its target is refused, and the Secret stays as it was.
    create(
        cluster.client,
        managedSecret(
            NS,
            "other",
            s -> {
              s.secretString = "theirs";
              s.target = target(t -> t.name = "kept");
            }));
    ManagedSecret refused =
        awaitReady(cluster.client, NS, "other", "False", "ResourceExistsException");
    assertThat(ready(refused).getMessage()).contains("Secret kept already exists");
    assertThat(secret(cluster.client, NS, "kept").getMetadata().getResourceVersion())
        .isEqualTo(retained.getMetadata().getResourceVersion());
    delete("other");

    // A ManagedSecret of its name takes it back: owned again, the same Secret, the new value.
    create(
        cluster.client,
        managedSecret(
            NS,
            "kept",
            s -> {
              s.data = Map.of("password", "p2");
              s.target = target(t -> t.deletionPolicy = "Retain");
            }));
    ManagedSecret adopted = awaitSynced(cluster.client, NS, "kept");
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> "p2".equals(text(secret(cluster.client, NS, "kept")).get("password")));
    Secret back = secret(cluster.client, NS, "kept");
    assertThat(back.getMetadata().getUid()).isEqualTo(before.getMetadata().getUid());
    assertThat(back.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(r -> assertThat(r.getUid()).isEqualTo(adopted.getMetadata().getUid()));
    assertThat(back.getMetadata().getAnnotations())
        .doesNotContainKey("managedsecrets.dev/retained-from")
        .containsEntry("managedsecrets.dev/version-id", adopted.getStatus().versionId);
    assertThat(back.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "managedsecret-operator");
  }

  @Test
  void withDeletionPolicyDeleteTheSecretGoesWithItsManagedSecret() {
    create(
        cluster.client,
        managedSecret(
            NS,
            "gone",
            s -> {
              s.secretString = "v";
              s.target = target(t -> t.deletionPolicy = "Delete");
            }));
    awaitSynced(cluster.client, NS, "gone");
    delete("gone");
    assertThat(secret(cluster.client, NS, "gone")).isNull();
  }

  // ---- merging into a Secret that opted in

  private static Secret existing(String name, Map<String, String> annotations) {
    return cluster
        .client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels("team", "a")
                .addToAnnotations(annotations)
                .endMetadata()
                .withType("kubernetes.io/basic-auth")
                .addToData("username", Fixtures.b64("orders"))
                .build())
        .create();
  }

  @Test
  void aSecretWithoutTheMergeAnnotationIsNeverMergedInto() {
    Secret foreign = existing("unasked", Map.of("owner", "team-a"));
    create(cluster.client, managedSecret(NS, "unasked", s -> s.data = Map.of("password", "p")));

    ManagedSecret refused =
        awaitReady(cluster.client, NS, "unasked", "False", "ResourceExistsException");
    assertThat(ready(refused).getMessage()).contains("managedsecrets.dev/merge-from");
    Secret after = secret(cluster.client, NS, "unasked");
    assertThat(after.getMetadata().getResourceVersion())
        .isEqualTo(foreign.getMetadata().getResourceVersion());
    assertThat(text(after)).containsExactly(Map.entry("username", "orders"));
  }

  @Test
  void aSecretThatAsksForTheKeysGetsThemMergedAndLosesOnlyThemWhenTheManagedSecretGoes() {
    Secret asked = existing("shared", Map.of("managedsecrets.dev/merge-from", "orders-db"));
    create(
        cluster.client,
        managedSecret(
            NS,
            "orders-db",
            s -> {
              s.data = Map.of("password", "p1", "host", "db");
              s.target = target(t -> t.name = "shared");
            }));
    awaitSynced(cluster.client, NS, "orders-db");

    Secret merged = secret(cluster.client, NS, "shared");
    assertThat(text(merged))
        .containsOnly(
            Map.entry("username", "orders"), Map.entry("password", "p1"), Map.entry("host", "db"));
    assertThat(merged.getMetadata().getUid()).isEqualTo(asked.getMetadata().getUid());
    assertThat(merged.getType()).isEqualTo("kubernetes.io/basic-auth");
    assertThat(merged.getMetadata().getOwnerReferences()).isNullOrEmpty();
    assertThat(merged.getMetadata().getLabels()).containsEntry("team", "a");
    assertThat(merged.getMetadata().getAnnotations())
        .containsEntry("managedsecrets.dev/merge-from", "orders-db");

    // A change of the Secret's own keys reconciles the ManagedSecret, which writes nothing.
    double before = cluster.reconciles();
    cluster
        .client
        .secrets()
        .inNamespace(NS)
        .withName("shared")
        .edit(s -> new SecretBuilder(s).addToData("username", Fixtures.b64("payments")).build());
    cluster.drainWrites();
    await().atMost(Fixtures.WAIT).until(() -> cluster.reconciles() > before);
    assertThat(cluster.drainWrites()).as("writes by a reconcile with nothing new").isEmpty();

    // A key removed from the value leaves the Secret; the Secret's own keys stay.
    edit(cluster.client, NS, "orders-db", s -> s.data = Map.of("password", "p2"));
    await()
        .atMost(Fixtures.WAIT)
        .untilAsserted(
            () ->
                assertThat(text(secret(cluster.client, NS, "shared")))
                    .containsOnly(Map.entry("username", "payments"), Map.entry("password", "p2")));

    delete("orders-db");
    Secret left = secret(cluster.client, NS, "shared");
    assertThat(left.getMetadata().getUid()).isEqualTo(asked.getMetadata().getUid());
    assertThat(text(left)).containsExactly(Map.entry("username", "payments"));
    assertThat(left.getMetadata().getLabels()).containsExactly(Map.entry("team", "a"));
    assertThat(left.getMetadata().getAnnotations())
        .containsExactly(Map.entry("managedsecrets.dev/merge-from", "orders-db"));
  }

  @Test
  void aMergeIntoASecretOfAnotherTypeIsRefusedAndWritesNothing() {
    Secret asked = existing("typed", Map.of("managedsecrets.dev/merge-from", "typed"));
    create(
        cluster.client,
        managedSecret(
            NS,
            "typed",
            s -> {
              s.data = Map.of("password", "p");
              s.target = target(t -> t.type = "Opaque");
            }));

    ManagedSecret refused =
        awaitReady(cluster.client, NS, "typed", "False", "InvalidParameterException");
    assertThat(ready(refused).getMessage())
        .contains("Secret typed is of type kubernetes.io/basic-auth")
        .doesNotContain("password");
    assertThat(secret(cluster.client, NS, "typed").getMetadata().getResourceVersion())
        .isEqualTo(asked.getMetadata().getResourceVersion());
  }
}
