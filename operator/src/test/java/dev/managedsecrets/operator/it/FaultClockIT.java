package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.operator.kms.Keyring;
import dev.managedsecrets.operator.metrics.OperatorMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator's clock (the {@link java.time.Clock} it is given) jumps a day forward and a day back
 * around a recovery window, with the purge job running every second: nothing is purged before the
 * window's end as the store's own dates say (a secret's purge date, a KMS key's deletion date), and
 * a secret re-created inside its window by those dates comes back with its versions.
 */
class FaultClockIT {

  static final Duration DAY = Duration.ofDays(1);

  static TestCluster cluster;
  static StoreView store;

  @BeforeAll
  static void start() {
    cluster = TestCluster.withoutOperator();
    cluster.configure = Map.of("MANAGEDSECRET_PURGE_INTERVAL", "PT1S");
    cluster.startOperator();
    store = new StoreView(cluster.client);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void clockJumpsOfADayEitherWayPurgeNoSecretBeforeTheEndOfItsRecoveryWindow() {
    create(
        cluster.client,
        managedSecret(
            "team-a",
            "windowed",
            s -> {
              s.secretString = "kept";
              s.recoveryWindowInDays = 7;
            }));
    awaitSynced(cluster.client, "team-a", "windowed");

    // Deleted while the clock is a day ahead.
    cluster.clock.advance(DAY);
    Instant deletedAt = cluster.clock.instant();
    cluster
        .client
        .resources(ManagedSecret.class)
        .inNamespace("team-a")
        .withName("windowed")
        .delete();
    await().atMost(Fixtures.WAIT).until(() -> get(cluster.client, "team-a", "windowed") == null);
    StoredSecret deleted = record("windowed");
    assertThat(deleted.deletedDate()).isEqualTo(deletedAt);
    Instant end = deleted.purgeAfter();
    assertThat(end).isEqualTo(deletedAt.plus(Duration.ofDays(7)));

    // A day back (before the deletion), a day back again, then forward to just before the end.
    for (Duration jump : List.of(DAY.negated(), DAY.negated(), DAY, DAY)) {
      cluster.clock.advance(jump);
      assertNothingPurged(deleted);
    }
    cluster.clock.advance(Duration.between(cluster.clock.instant(), end).minusMillis(1));
    assertNothingPurged(deleted);
    cluster.clock.advance(DAY.negated());
    assertNothingPurged(deleted);

    // At the end of the window by the store's dates, and only then, the purge job takes it.
    cluster.clock.advance(Duration.between(cluster.clock.instant(), end));
    await().atMost(Fixtures.WAIT).until(() -> store.record("team-a", "team-a/windowed").isEmpty());
  }

  @Test
  void aSecretReCreatedAfterTheClockJumpedBackIsRestoredWithItsVersions() {
    create(cluster.client, managedSecret("team-b", "returning", s -> s.secretString = "one"));
    String first = awaitSynced(cluster.client, "team-b", "returning").getStatus().versionId;
    edit(cluster.client, "team-b", "returning", s -> s.secretString = "two");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> !first.equals(get(cluster.client, "team-b", "returning").getStatus().versionId));
    ManagedSecretStatus before = awaitSynced(cluster.client, "team-b", "returning").getStatus();

    cluster.clock.advance(DAY);
    cluster
        .client
        .resources(ManagedSecret.class)
        .inNamespace("team-b")
        .withName("returning")
        .delete();
    await().atMost(Fixtures.WAIT).until(() -> get(cluster.client, "team-b", "returning") == null);
    StoredSecret deleted = store.record("team-b", "team-b/returning").orElseThrow();
    cluster.clock.advance(DAY.negated());
    cluster.clock.advance(DAY.negated());
    assertNothingPurged(deleted);

    create(cluster.client, managedSecret("team-b", "returning", s -> s.secretString = "two"));
    ManagedSecret after = awaitSynced(cluster.client, "team-b", "returning");
    assertThat(after.getStatus().arn).isEqualTo(before.arn);
    assertThat(after.getStatus().versionIdsToStages).isEqualTo(before.versionIdsToStages);
    assertThat(after.getStatus().versionId).isEqualTo(before.versionId);
    assertThat(after.getStatus().deletedDate).isNull();
    StoredSecret restored = store.record("team-b", "team-b/returning").orElseThrow();
    assertThat(restored.purgeAfter()).isNull();
    assertThat(restored.versions()).hasSize(2);
    assertThat(text(Fixtures.secret(cluster.client, "team-b", "returning")))
        .containsExactly(Map.entry("secretString", "two"));
    cluster.clock.advance(DAY);
  }

  @Test
  void clockJumpsOfADayEitherWayDeleteNoKmsKeyBeforeTheEndOfItsPendingWindow() {
    KmsKey key =
        Fixtures.createKeySynced(
            cluster.client, "team-a", "waning", s -> s.pendingWindowInDays = 7);
    String keyId = key.getStatus().keyId;

    cluster.clock.advance(DAY);
    Instant deletedAt = cluster.clock.instant();
    cluster.client.resources(KmsKey.class).inNamespace("team-a").withName("waning").delete();
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                cluster
                        .client
                        .resources(KmsKey.class)
                        .inNamespace("team-a")
                        .withName("waning")
                        .get()
                    == null);
    Instant end = ownedKey(keyId).deletionDate();
    assertThat(end).isEqualTo(deletedAt.plus(Duration.ofDays(7)));

    for (Duration jump : List.of(DAY.negated(), DAY.negated(), DAY, DAY)) {
      cluster.clock.advance(jump);
      assertNoKeyDeleted(keyId);
    }
    cluster.clock.advance(Duration.between(cluster.clock.instant(), end).minusMillis(1));
    assertNoKeyDeleted(keyId);

    cluster.clock.advance(Duration.between(cluster.clock.instant(), end));
    await().atMost(Fixtures.WAIT).until(() -> store.keyring().ownedKeyById(keyId).isEmpty());
  }

  // ---- helpers ----

  /**
   * Neither a purge now nor the next two runs of the purge job remove the secret, whose record
   * keeps its dates and versions.
   */
  private static void assertNothingPurged(StoredSecret deleted) {
    assertThat(cluster.runtime().purgeExpired())
        .as("purged at %s", cluster.clock.instant())
        .isZero();
    awaitPurgeRuns(2);
    StoredSecret now = store.record(deleted.id().namespace(), deleted.id().name()).orElseThrow();
    assertThat(now.purgeAfter()).isEqualTo(deleted.purgeAfter());
    assertThat(now.deletedDate()).isEqualTo(deleted.deletedDate());
    assertThat(now.versions()).isEqualTo(deleted.versions());
  }

  /** Neither maintenance now nor the next two runs of the job delete the key. */
  private static void assertNoKeyDeleted(String keyId) {
    assertThat(cluster.runtime().maintainKmsKeys())
        .as("keys deleted at %s", cluster.clock.instant())
        .isZero();
    awaitPurgeRuns(2);
    assertThat(ownedKey(keyId).keyId()).isEqualTo(keyId);
  }

  private static Keyring.OwnedKey ownedKey(String keyId) {
    return store.keyring().ownedKeyById(keyId).orElseThrow();
  }

  /** Waits until the scheduled purge job has listed the store {@code runs} more times. */
  private static void awaitPurgeRuns(int runs) {
    long before = storeLists();
    await().atMost(Fixtures.WAIT).until(() -> storeLists() >= before + runs);
  }

  private static long storeLists() {
    return cluster
        .registry
        .find(OperatorMetrics.STORE_DURATION)
        .tag("operation", "list")
        .timers()
        .stream()
        .mapToLong(t -> t.count())
        .sum();
  }

  private static StoredSecret record(String name) {
    return store.record("team-a", "team-a/" + name).orElseThrow();
  }
}
