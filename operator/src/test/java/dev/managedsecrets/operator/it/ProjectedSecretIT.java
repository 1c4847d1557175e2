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
import dev.managedsecrets.core.projection.Projection;
import dev.managedsecrets.core.secret.StoredSecret;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The projected Secret as a dependent resource: it is written after the store, so a failure (or a
 * crash) between the two converges on the stored version without a second one; a Secret of the
 * target name that is not the operator's, unlabelled and so invisible to its informer, is refused
 * and left as it was.
 */
class ProjectedSecretIT {

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
  void aCrashBetweenTheStoreWriteAndTheProjectionConvergesOnTheStoredVersion() throws Exception {
    create(cluster.client, managedSecret("team-a", "crash", s -> s.secretString = "first"));
    String first = awaitSynced(cluster.client, "team-a", "crash").getStatus().versionId;
    StoreView store = new StoreView(cluster.client);

    // The store takes the new version; the projection of it fails, and the operator stops there.
    try (AutoCloseable outage =
        cluster.api.fail("PUT", "/api/v1/namespaces/team-a/secrets/crash", 503)) {
      edit(cluster.client, "team-a", "crash", spec -> spec.secretString = "second");
      ManagedSecret failed =
          awaitReady(cluster.client, "team-a", "crash", "False", "InternalServiceError");
      assertThat(ready(failed).getMessage()).contains("503");
      await().atMost(Fixtures.WAIT).until(() -> versions(store) == 2);
      assertThat(text(secret(cluster.client, "team-a", "crash")))
          .containsExactly(Map.entry("secretString", "first"));
      cluster.stopOperator();
    }

    // A new start finds the stored version ahead of the Secret and projects it: no third version.
    cluster.startOperator();
    ManagedSecret synced = awaitSynced(cluster.client, "team-a", "crash");
    StoredSecret record = store.record("team-a", "team-a/crash").orElseThrow();
    assertThat(record.versions()).hasSize(2);
    String second = record.current().orElseThrow().versionId();
    assertThat(second).isNotEqualTo(first);
    assertThat(synced.getStatus().versionId).isEqualTo(second);
    Secret projected = secret(cluster.client, "team-a", "crash");
    assertThat(text(projected)).containsExactly(Map.entry("secretString", "second"));
    assertThat(projected.getMetadata().getAnnotations())
        .containsEntry(Projection.VERSION_ANNOTATION, second);
  }

  @Test
  void aForeignSecretOfTheTargetNameKeepsItsContentAndItsResourceVersion() {
    Secret foreign =
        cluster
            .client
            .secrets()
            .inNamespace("team-b")
            .resource(
                new SecretBuilder()
                    .withNewMetadata()
                    .withName("theirs")
                    .addToLabels("team", "b")
                    .endMetadata()
                    .addToData("token", Fixtures.b64("keep me"))
                    .build())
            .create();
    create(
        cluster.client,
        managedSecret(
            "team-b",
            "mine",
            s -> {
              s.secretString = "ours";
              s.target = new dev.managedsecrets.api.v1alpha1.TargetSpec();
              s.target.name = "theirs";
            }));

    ManagedSecret refused =
        awaitReady(cluster.client, "team-b", "mine", "False", "ResourceExistsException");
    assertThat(ready(refused).getMessage())
        .contains("Secret theirs already exists and is not managed by this ManagedSecret");
    Secret after = secret(cluster.client, "team-b", "theirs");
    assertThat(after.getMetadata().getResourceVersion())
        .isEqualTo(foreign.getMetadata().getResourceVersion());
    assertThat(text(after)).containsExactly(Map.entry("token", "keep me"));
    assertThat(after.getMetadata().getLabels()).containsExactly(Map.entry("team", "b"));
  }

  @Test
  void aManagedSecretBlockedByAForeignSecretProjectsOnceThatSecretIsGone() {
    cluster
        .client
        .secrets()
        .inNamespace("team-b")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("squatted")
                .endMetadata()
                .addToData("token", Fixtures.b64("someone else's"))
                .build())
        .create();
    create(cluster.client, managedSecret("team-b", "squatted", s -> s.secretString = "ours"));
    awaitReady(cluster.client, "team-b", "squatted", "False", "ResourceExistsException");

    // Nothing of the ManagedSecret changes: the operator looks at the name again by itself.
    cluster.client.secrets().inNamespace("team-b").withName("squatted").delete();
    awaitSynced(cluster.client, "team-b", "squatted");
    assertThat(text(secret(cluster.client, "team-b", "squatted")))
        .containsExactly(Map.entry("secretString", "ours"));
  }

  @Test
  void aTypeChangeWhoseCreateFailsPutsTheOldSecretBackUntilTheNewOneCanBeMade() throws Exception {
    create(
        cluster.client,
        managedSecret("team-a", "retyped", s -> s.data = Map.of("username", "u", "password", "p")));
    awaitSynced(cluster.client, "team-a", "retyped");

    // As a policy that admits no Secret of the new type would: 422, which no client retries.
    try (AutoCloseable refused =
        cluster.api.failWhenBodyContains(
            "POST", "/api/v1/namespaces/team-a/secrets", "kubernetes.io/basic-auth", 422)) {
      edit(
          cluster.client,
          "team-a",
          "retyped",
          spec -> {
            spec.target = new dev.managedsecrets.api.v1alpha1.TargetSpec();
            spec.target.type = "kubernetes.io/basic-auth";
          });
      awaitReady(cluster.client, "team-a", "retyped", "False", "InternalServiceError");
      assertThat(ready(get(cluster.client, "team-a", "retyped")).getMessage()).contains("422");
      // The Secret of the old type is back for its consumers (but for the moment of each retry).
      await()
          .atMost(Fixtures.WAIT)
          .untilAsserted(
              () -> {
                Secret back = secret(cluster.client, "team-a", "retyped");
                assertThat(back).isNotNull();
                assertThat(back.getType()).isEqualTo("Opaque");
                assertThat(text(back))
                    .containsOnly(Map.entry("username", "u"), Map.entry("password", "p"));
              });
    }

    awaitSynced(cluster.client, "team-a", "retyped");
    assertThat(secret(cluster.client, "team-a", "retyped").getType())
        .isEqualTo("kubernetes.io/basic-auth");
  }

  private static int versions(StoreView store) {
    return store.record("team-a", "team-a/crash").map(r -> r.versions().size()).orElse(0);
  }
}
