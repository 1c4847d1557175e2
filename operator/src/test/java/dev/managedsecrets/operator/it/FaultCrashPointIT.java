package dev.managedsecrets.operator.it;

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
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.operator.reconcile.Checkpoints.Point;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator stopped at the crash points of a reconcile (test hooks in the reconciler, {@link
 * dev.managedsecrets.operator.reconcile.Checkpoints}), as a process that dies there: after the
 * store write and before the projection, and after the projection and before the status write.
 * Nothing after the point runs; the test closes that operator and starts another, which converges
 * with every version the store took, each once: none lost, none written twice, no envelope left
 * behind.
 */
class FaultCrashPointIT {

  static final Crash crash = new Crash();
  static TestCluster cluster;
  static StoreView store;

  @BeforeAll
  static void start() {
    cluster = TestCluster.withoutOperator();
    cluster.checkpoints = crash;
    cluster.startOperator();
    store = new StoreView(cluster.client);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aRestartAfterACrashBetweenStoreWriteAndProjectionLosesAndDuplicatesNoVersion()
      throws Exception {
    String first = synced("stored");
    Secret projected = secret(cluster.client, "team-a", "stored");
    int envelopes = store.envelopes();

    crashOnEdit(Point.VERSION_STORED, "stored");

    // Dead between the steps: the store has the new version as AWSCURRENT, nothing else does.
    StoredSecret stored = record("stored");
    assertThat(values(stored)).containsExactly("first", "second");
    String second = stored.current().orElseThrow().versionId();
    Secret during = secret(cluster.client, "team-a", "stored");
    assertThat(during.getMetadata().getResourceVersion())
        .isEqualTo(projected.getMetadata().getResourceVersion());
    assertThat(text(during)).containsExactly(Map.entry("secretString", "first"));
    assertThat(get(cluster.client, "team-a", "stored").getStatus().versionId).isEqualTo(first);

    cluster.startOperator();

    await().atMost(Fixtures.WAIT).until(() -> second.equals(status("stored").versionId));
    assertConverged("stored", List.of(first, second), "second");
    assertThat(store.envelopes())
        .as("envelopes: one more, the stored one")
        .isEqualTo(envelopes + 1);
  }

  @Test
  void aRestartAfterACrashBetweenProjectionAndStatusWriteLosesAndDuplicatesNoVersion()
      throws Exception {
    String first = synced("projected");
    int envelopes = store.envelopes();

    crashOnEdit(Point.SECRET_PROJECTED, "projected");

    // Dead between the steps: the store and the Secret hold the new version, the status does not.
    StoredSecret stored = record("projected");
    assertThat(values(stored)).containsExactly("first", "second");
    String second = stored.current().orElseThrow().versionId();
    Secret during = secret(cluster.client, "team-a", "projected");
    assertThat(text(during)).containsExactly(Map.entry("secretString", "second"));
    assertThat(during.getMetadata().getAnnotations())
        .containsEntry(Projection.VERSION_ANNOTATION, second);
    ManagedSecret stale = get(cluster.client, "team-a", "projected");
    assertThat(stale.getStatus().versionId).isEqualTo(first);
    assertThat(stale.getStatus().observedGeneration)
        .isLessThan(stale.getMetadata().getGeneration());

    cluster.startOperator();

    await().atMost(Fixtures.WAIT).until(() -> second.equals(status("projected").versionId));
    assertConverged("projected", List.of(first, second), "second");
    assertThat(secret(cluster.client, "team-a", "projected").getMetadata().getResourceVersion())
        .as("the Secret held the version already: not written again")
        .isEqualTo(during.getMetadata().getResourceVersion());
    assertThat(store.envelopes()).isEqualTo(envelopes + 1);
  }

  @Test
  void aRestartAfterACrashOnStoringTheFirstVersionProjectsThatVersionAndMakesNoOther()
      throws Exception {
    int envelopes = store.envelopes();
    crash.arm(Point.VERSION_STORED, "team-b", "new");
    create(cluster.client, managedSecret("team-b", "new", s -> s.secretString = "only"));
    crash.awaitCrash();
    cluster.stopOperator();

    StoredSecret stored = store.record("team-b", "team-b/new").orElseThrow();
    assertThat(stored.versions()).hasSize(1);
    String only = stored.current().orElseThrow().versionId();
    assertThat(secret(cluster.client, "team-b", "new")).isNull();
    ManagedSecret never = get(cluster.client, "team-b", "new");
    assertThat(never.getStatus() == null ? null : never.getStatus().arn)
        .as("the status never got the ARN")
        .isNull();

    cluster.startOperator();

    ManagedSecret synced = awaitSynced(cluster.client, "team-b", "new");
    assertThat(synced.getStatus().versionId).isEqualTo(only);
    assertThat(synced.getStatus().arn).isEqualTo(stored.arn());
    assertThat(store.record("team-b", "team-b/new").orElseThrow().versions())
        .extracting(StoredVersion::versionId)
        .containsExactly(only);
    assertThat(text(secret(cluster.client, "team-b", "new")))
        .containsExactly(Map.entry("secretString", "only"));
    assertThat(store.envelopes()).isEqualTo(envelopes + 1);
  }

  // ---- helpers ----

  /** A ManagedSecret of team-a with the value "first", synced; answers its version. */
  private static String synced(String name) {
    create(cluster.client, managedSecret("team-a", name, s -> s.secretString = "first"));
    return awaitSynced(cluster.client, "team-a", name).getStatus().versionId;
  }

  /** Changes the value to "second"; the operator crashes at {@code point} of that reconcile. */
  private static void crashOnEdit(Point point, String name) throws InterruptedException {
    crash.arm(point, "team-a", name);
    edit(cluster.client, "team-a", name, s -> s.secretString = "second");
    crash.awaitCrash();
    cluster.stopOperator();
  }

  /** The store, the Secret and the status agree on the versions (oldest first) and the value. */
  private static void assertConverged(String name, List<String> versionIds, String value) {
    ManagedSecret ms = awaitSynced(cluster.client, "team-a", name);
    StoredSecret stored = record(name);
    assertThat(stored.versions()).extracting(StoredVersion::versionId).isEqualTo(versionIds);
    String current = versionIds.get(versionIds.size() - 1);
    String previous = versionIds.get(versionIds.size() - 2);
    assertThat(stored.current().orElseThrow().versionId()).isEqualTo(current);
    assertThat(ms.getStatus().versionId).isEqualTo(current);
    assertThat(ms.getStatus().versionIdsToStages)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(current, List.of("AWSCURRENT"), previous, List.of("AWSPREVIOUS")));
    assertThat(ready(ms).getObservedGeneration()).isEqualTo(ms.getMetadata().getGeneration());
    Secret projected = secret(cluster.client, "team-a", name);
    assertThat(text(projected)).containsExactly(Map.entry("secretString", value));
    assertThat(projected.getMetadata().getAnnotations())
        .containsEntry(Projection.VERSION_ANNOTATION, current);
  }

  private static StoredSecret record(String name) {
    return store.record("team-a", "team-a/" + name).orElseThrow();
  }

  /** Each version's value, oldest first. */
  private static List<String> values(StoredSecret stored) {
    return stored.versions().stream().map(v -> store.open(stored, v)).toList();
  }

  private static dev.managedsecrets.api.v1alpha1.ManagedSecretStatus status(String name) {
    return get(cluster.client, "team-a", name).getStatus();
  }
}
