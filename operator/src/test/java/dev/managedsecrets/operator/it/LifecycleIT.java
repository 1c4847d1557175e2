package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Updates, idle reconciles, drift, deletion, restore and purge through the running operator. */
class LifecycleIT {

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
  void updateCreatesANewVersionAndMovesAwsCurrentAndAwsPrevious() {
    create(cluster.client, managedSecret("default", "rolling", s -> s.secretString = "one"));
    String first = awaitSynced(cluster.client, "default", "rolling").getStatus().versionId;

    edit(cluster.client, "default", "rolling", s -> s.secretString = "two");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> !first.equals(get(cluster.client, "default", "rolling").getStatus().versionId));
    ManagedSecret ms = awaitSynced(cluster.client, "default", "rolling");
    String second = ms.getStatus().versionId;
    assertThat(ms.getStatus().versionIdsToStages)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(second, List.of("AWSCURRENT"), first, List.of("AWSPREVIOUS")));
    assertThat(text(secret(cluster.client, "default", "rolling")))
        .containsEntry("secretString", "two");

    edit(cluster.client, "default", "rolling", s -> s.secretString = "three");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> !second.equals(get(cluster.client, "default", "rolling").getStatus().versionId));
    ms = awaitSynced(cluster.client, "default", "rolling");
    assertThat(ms.getStatus().versionIdsToStages)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                ms.getStatus().versionId, List.of("AWSCURRENT"), second, List.of("AWSPREVIOUS")));
  }

  @Test
  void aDescriptionOnlyChangeMakesNoNewVersion() {
    create(cluster.client, managedSecret("default", "described", s -> s.secretString = "same"));
    ManagedSecret before = awaitSynced(cluster.client, "default", "described");
    edit(cluster.client, "default", "described", s -> s.description = "now described");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> {
              ManagedSecret ms = get(cluster.client, "default", "described");
              return ms.getStatus().observedGeneration.equals(ms.getMetadata().getGeneration());
            });
    ManagedSecret after = get(cluster.client, "default", "described");
    assertThat(after.getStatus().versionId).isEqualTo(before.getStatus().versionId);
    assertThat(after.getStatus().versionIdsToStages).hasSize(1);
  }

  @Test
  void anIdleReconcileMakesNoApiWriteAndNoKmsCall() {
    create(
        cluster.client,
        managedSecret(
            "default",
            "idle",
            s -> {
              s.data = Map.of("a", "1");
              s.generate = Map.of("b", new dev.managedsecrets.api.v1alpha1.GenerateSpec());
            }));
    awaitSynced(cluster.client, "default", "idle");
    cluster.stopOperator();
    cluster.drainRequests();

    // A cold start reconciles every ManagedSecret; nothing has changed, so nothing is written.
    cluster.startOperator();
    long resources =
        cluster.client.resources(ManagedSecret.class).inAnyNamespace().list().getItems().size();
    await().atMost(Fixtures.WAIT).until(() -> cluster.reconciles() >= resources);
    List<String> coldWrites = cluster.drainWrites();
    assertThat(coldWrites).as("writes after a cold start (events: %s)", eventsOf("idle")).isEmpty();

    // An event on the projected Secret that changes nothing of ours triggers another idle pass.
    double before = cluster.reconciles();
    cluster
        .client
        .secrets()
        .inNamespace("default")
        .withName("idle")
        .edit(
            s ->
                new SecretBuilder(s)
                    .editMetadata()
                    .addToLabels("unrelated", "label")
                    .endMetadata()
                    .build());
    List<String> ours = cluster.drainWrites();
    await().atMost(Fixtures.WAIT).until(() -> cluster.reconciles() > before);
    List<String> after = cluster.drainWrites();

    assertThat(ours)
        .as("only the test's own edit")
        .containsExactly("PATCH /api/v1/namespaces/default/secrets/idle");
    assertThat(after).as("writes by the idle reconcile").isEmpty();
    assertThat(cluster.kmsCalls()).as("KMS calls").isZero();
  }

  @Test
  void anEditedOrDeletedProjectedSecretIsPutBack() {
    create(
        cluster.client,
        managedSecret("default", "drift", s -> s.data = Map.of("user", "u1", "pass", "p1")));
    awaitSynced(cluster.client, "default", "drift");

    cluster
        .client
        .secrets()
        .inNamespace("default")
        .withName("drift")
        .edit(
            s ->
                new SecretBuilder(s)
                    .addToData("pass", Fixtures.b64("tampered"))
                    .addToData("extra", Fixtures.b64("x"))
                    .build());
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                text(secret(cluster.client, "default", "drift"))
                    .equals(Map.of("user", "u1", "pass", "p1")));

    cluster.client.secrets().inNamespace("default").withName("drift").delete();
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> {
              Secret s = secret(cluster.client, "default", "drift");
              return s != null && text(s).equals(Map.of("user", "u1", "pass", "p1"));
            });
  }

  @Test
  void deleteRemovesTheSecretAndReCreateInsideTheWindowRestoresArnAndHistory() {
    create(
        cluster.client,
        managedSecret(
            "team-a",
            "restorable",
            s -> {
              s.secretName = "team-a/Restorable";
              s.secretString = "v1";
            }));
    awaitSynced(cluster.client, "team-a", "restorable");
    edit(cluster.client, "team-a", "restorable", s -> s.secretString = "v2");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                get(cluster.client, "team-a", "restorable").getStatus().versionIdsToStages.size()
                    == 2);
    ManagedSecret before = awaitSynced(cluster.client, "team-a", "restorable");

    cluster
        .client
        .resources(ManagedSecret.class)
        .inNamespace("team-a")
        .withName("restorable")
        .delete();
    await().atMost(Fixtures.WAIT).until(() -> get(cluster.client, "team-a", "restorable") == null);
    assertThat(secret(cluster.client, "team-a", "restorable")).isNull();

    create(
        cluster.client,
        managedSecret(
            "team-a",
            "restorable",
            s -> {
              s.secretName = "team-a/Restorable";
              s.secretString = "v2";
            }));
    ManagedSecret after = awaitSynced(cluster.client, "team-a", "restorable");
    assertThat(after.getStatus().arn).isEqualTo(before.getStatus().arn);
    assertThat(after.getStatus().versionIdsToStages)
        .isEqualTo(before.getStatus().versionIdsToStages);
    assertThat(after.getStatus().versionId).isEqualTo(before.getStatus().versionId);
    assertThat(after.getStatus().deletedDate).isNull();
    assertThat(text(secret(cluster.client, "team-a", "restorable")))
        .containsEntry("secretString", "v2");
    assertThat(cluster.client.v1().events().inNamespace("team-a").list().getItems())
        .anyMatch(e -> "SecretRestored".equals(e.getReason()));
  }

  @Test
  void afterTheRecoveryWindowThePurgeRemovesEverythingAndTheNameGetsANewArn() {
    create(
        cluster.client,
        managedSecret(
            "team-b",
            "purged",
            s -> {
              s.secretString = "v";
              s.recoveryWindowInDays = 7;
            }));
    String arn = awaitSynced(cluster.client, "team-b", "purged").getStatus().arn;
    int storeObjects = storeObjects();

    cluster.client.resources(ManagedSecret.class).inNamespace("team-b").withName("purged").delete();
    await().atMost(Fixtures.WAIT).until(() -> get(cluster.client, "team-b", "purged") == null);
    assertThat(storeObjects()).as("kept for the recovery window").isEqualTo(storeObjects);
    assertThat(cluster.runtime().purgeExpired()).isZero();

    cluster.clock.advance(Duration.ofDays(7).plusMinutes(1));
    assertThat(cluster.runtime().purgeExpired()).isEqualTo(1);
    // Its record, which holds its one (small) version.
    assertThat(storeObjects()).isEqualTo(storeObjects - 1);

    create(cluster.client, managedSecret("team-b", "purged", s -> s.secretString = "v"));
    String newArn = awaitSynced(cluster.client, "team-b", "purged").getStatus().arn;
    assertThat(newArn).isNotEqualTo(arn);
    assertThat(newArn.substring(0, newArn.length() - 6))
        .isEqualTo(arn.substring(0, arn.length() - 6));
  }

  @Test
  void forceDeleteWithoutRecoveryPurgesAtOnce() {
    create(
        cluster.client,
        managedSecret(
            "team-b",
            "forced",
            s -> {
              s.secretString = "v";
              s.forceDeleteWithoutRecovery = true;
            }));
    awaitSynced(cluster.client, "team-b", "forced");
    int storeObjects = storeObjects();
    cluster.client.resources(ManagedSecret.class).inNamespace("team-b").withName("forced").delete();
    await().atMost(Fixtures.WAIT).until(() -> get(cluster.client, "team-b", "forced") == null);
    assertThat(storeObjects()).isEqualTo(storeObjects - 1); // its record, with its version
    assertThat(secret(cluster.client, "team-b", "forced")).isNull();
  }

  private static List<String> eventsOf(String name) {
    return cluster.client.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .map(e -> e.getType() + " " + e.getReason() + ": " + e.getMessage())
        .toList();
  }

  private int storeObjects() {
    return new StoreView(cluster.client).objects().size();
  }
}
