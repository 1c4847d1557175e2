package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitReady;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.condition;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.ready;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.RotationSpec;
import dev.managedsecrets.core.projection.Projection;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.operator.metrics.OperatorMetrics;
import dev.managedsecrets.operator.reconcile.Checkpoints.Point;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rotation with the generate strategy against the in-memory API server: AWS's four steps move
 * AWSCURRENT to a new version of the generate keys only, on the rotate-now annotation and on the
 * schedule; the next reconcile keeps the rotated value; a crash between the steps resumes with the
 * same token; values the spec sets and strategies not built yet are refused.
 */
class RotationIT {

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

  /** A login: username from data, password generated; rotation on a schedule, not at once. */
  static Consumer<ManagedSecretSpec> login(String schedule) {
    return s -> {
      s.data = Map.of("username", "orders");
      s.generate = Map.of("password", new GenerateSpec());
      s.rotation = new RotationSpec();
      s.rotation.scheduleExpression = schedule;
      s.rotation.rotateImmediately = false;
    };
  }

  @Test
  void rotateNowMovesAwsCurrentToNewGeneratedValuesOnceAndKeepsTheKeysTheSpecSets() {
    create(cluster.client, managedSecret("team-a", "login", login("rate(30 days)")));
    ManagedSecret synced = awaitSynced(cluster.client, "team-a", "login");
    String first = synced.getStatus().versionId;
    assertThat(synced.getStatus().rotationEnabled).isTrue();
    assertThat(synced.getStatus().nextRotationDate).isNotNull();
    assertThat(synced.getStatus().lastRotatedDate).isNull();
    Map<String, String> before = text(secret(cluster.client, "team-a", "login"));

    annotate("login", "1");
    ManagedSecret rotated = awaitRotated("login", first);

    String second = rotated.getStatus().versionId;
    assertThat(rotated.getStatus().versionIdsToStages)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(second, List.of("AWSCURRENT"), first, List.of("AWSPREVIOUS")));
    assertThat(rotated.getStatus().rotateNowHandled).isEqualTo("1");
    assertThat(ready(rotated).getStatus()).isEqualTo("True");
    assertThat(condition(rotated, "Rotating").getStatus()).isEqualTo("False");
    assertThat(condition(rotated, "Rotating").getReason()).isEqualTo("RotationSucceeded");
    Map<String, String> after = text(secret(cluster.client, "team-a", "login"));
    assertThat(after.get("username")).isEqualTo("orders");
    assertThat(after.get("password")).hasSize(32).isNotEqualTo(before.get("password"));
    assertThat(secret(cluster.client, "team-a", "login").getMetadata().getAnnotations())
        .containsEntry(Projection.VERSION_ANNOTATION, second);
    assertThat(rotationEvents("login"))
        .contains("RotationStarted", "RotationStepSucceeded", "SecretRotated")
        .doesNotContain("RotationFailed");
    assertNoValueNamed("login", after);

    // A spec edit (the same annotation still there) neither rotates again nor puts the old
    // password back, nor makes a version from the spec.
    edit(cluster.client, "team-a", "login", s -> s.description = "orders login");
    ManagedSecret edited = awaitSynced(cluster.client, "team-a", "login");
    assertThat(edited.getStatus().versionId).isEqualTo(second);
    assertThat(record("login").versions()).hasSize(2);
    assertThat(text(secret(cluster.client, "team-a", "login"))).isEqualTo(after);

    // A changed data key makes a new version that keeps the rotated password.
    edit(cluster.client, "team-a", "login", s -> s.data = Map.of("username", "orders2"));
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> !second.equals(get(cluster.client, "team-a", "login").getStatus().versionId));
    awaitSynced(cluster.client, "team-a", "login");
    assertThat(text(secret(cluster.client, "team-a", "login")))
        .containsEntry("username", "orders2")
        .containsEntry("password", after.get("password"));
  }

  @Test
  void aFailedRotationLeavesAwsCurrentAndTheSecretAloneAndANewRequestRotates() throws Exception {
    create(cluster.client, managedSecret("team-a", "outage", login("rate(30 days)")));
    String first = awaitSynced(cluster.client, "team-a", "outage").getStatus().versionId;
    Map<String, String> before = text(secret(cluster.client, "team-a", "outage"));

    // The store refuses the pending version's write (an object of its own, or a patch of its
    // record's object, which keeps small ones): createSecret fails.
    try (AutoCloseable outage =
            cluster.api.fail("POST", "/api/v1/namespaces/managedsecret-system/secrets", 503);
        AutoCloseable patches =
            cluster.api.fail("PATCH", "/api/v1/namespaces/managedsecret-system/secrets", 503)) {
      annotate("outage", "1");
      await()
          .atMost(Fixtures.WAIT)
          .until(() -> rotationEvents("outage").contains("RotationFailed"));
    }
    ManagedSecret failed =
        await()
            .atMost(Fixtures.WAIT)
            .until(
                () -> get(cluster.client, "team-a", "outage"),
                ms -> "1".equals(ms.getStatus().rotateNowHandled));

    assertThat(failed.getStatus().versionId).isEqualTo(first);
    assertThat(ready(failed).getStatus()).isEqualTo("True");
    assertThat(condition(failed, "Rotating").getStatus()).isEqualTo("False");
    assertThat(condition(failed, "Rotating").getReason()).isEqualTo("RotationFailed");
    assertThat(condition(failed, "Rotating").getMessage()).contains("AWSCURRENT", "unchanged");
    assertThat(failed.getStatus().lastRotatedDate).isNull();
    assertThat(text(secret(cluster.client, "team-a", "outage"))).isEqualTo(before);
    assertThat(record("outage").current().orElseThrow().versionId()).isEqualTo(first);
    assertNoValueNamed("outage", before);

    // The store is back: a new request rotates.
    annotate("outage", "2");
    ManagedSecret rotated = awaitRotated("outage", first);
    assertThat(condition(rotated, "Rotating").getReason()).isEqualTo("RotationSucceeded");
    assertThat(text(secret(cluster.client, "team-a", "outage")).get("password"))
        .isNotEqualTo(before.get("password"));
    // Counted by strategy and outcome, with no label per secret.
    for (String outcome : List.of("Failed", "Succeeded")) {
      assertThat(
              cluster
                  .registry
                  .get(OperatorMetrics.ROTATIONS)
                  .tags("strategy", "generate", "outcome", outcome)
                  .counter()
                  .count())
          .as(outcome)
          .isGreaterThanOrEqualTo(1);
      assertThat(
              cluster
                  .registry
                  .get(OperatorMetrics.ROTATION_DURATION)
                  .tags("strategy", "generate", "outcome", outcome)
                  .timer()
                  .count())
          .isGreaterThanOrEqualTo(1);
    }
    assertThat(cluster.registry.find(OperatorMetrics.ROTATIONS).meters())
        .allSatisfy(m -> assertThat(m.getId().getTags()).hasSize(2));
  }

  @Test
  void anIdleScheduleRotatesOnlyOnceItsWindowOpens() {
    create(cluster.client, managedSecret("team-a", "daily", login("rate(1 day)")));
    ManagedSecret synced = awaitSynced(cluster.client, "team-a", "daily");
    String first = synced.getStatus().versionId;
    Instant next = Instant.parse(synced.getStatus().nextRotationDate);
    assertThat(next).isAfter(cluster.clock.instant());
    assertThat(next)
        .isEqualTo(
            cluster
                .clock
                .instant()
                .truncatedTo(java.time.temporal.ChronoUnit.DAYS)
                .plus(Duration.ofDays(1)));

    // Before the window: a reconcile (a spec edit) makes no rotation.
    edit(cluster.client, "team-a", "daily", s -> s.description = "before");
    assertThat(awaitSynced(cluster.client, "team-a", "daily").getStatus().versionId)
        .isEqualTo(first);

    // The window opened: the next reconcile rotates.
    cluster.clock.advance(Duration.between(cluster.clock.instant(), next).plusMinutes(5));
    edit(cluster.client, "team-a", "daily", s -> s.description = "in the window");
    ManagedSecret rotated = awaitRotated("daily", first);
    assertThat(Instant.parse(rotated.getStatus().nextRotationDate))
        .isEqualTo(next.plus(Duration.ofDays(1)));
    assertThat(record("daily").versions()).hasSize(2);
  }

  @Test
  void aCrashBetweenCreateSecretAndFinishSecretResumesWithTheSameToken() throws Exception {
    create(cluster.client, managedSecret("team-a", "crash", login("rate(30 days)")));
    String first = awaitSynced(cluster.client, "team-a", "crash").getStatus().versionId;

    crash.arm(Point.ROTATION_PENDING_STORED, "team-a", "crash");
    annotate("crash", "now");
    crash.awaitCrash();
    cluster.stopOperator();

    StoredSecret during = record("crash");
    assertThat(during.versions()).hasSize(2);
    StoredVersion pending = during.versionWithStage("AWSPENDING").orElseThrow();
    assertThat(pending.hasStage("AWSCURRENT")).isFalse();
    assertThat(during.current().orElseThrow().versionId()).isEqualTo(first);
    assertThat(secret(cluster.client, "team-a", "crash").getMetadata().getAnnotations())
        .containsEntry(Projection.VERSION_ANNOTATION, first);

    cluster.startOperator();

    ManagedSecret rotated = awaitRotated("crash", first);
    assertThat(rotated.getStatus().versionId).isEqualTo(pending.versionId());
    StoredSecret after = record("crash");
    assertThat(after.versions())
        .extracting(StoredVersion::versionId)
        .containsExactly(first, pending.versionId());
    assertThat(after.versionWithStage("AWSPENDING")).isEmpty();
    assertThat(after.version(first).orElseThrow().stages()).containsExactly("AWSPREVIOUS");
  }

  @Test
  void rotatingAValueTheSpecSetsIsRefused() {
    create(
        cluster.client,
        managedSecret(
            "team-b",
            "spec-value",
            s -> {
              s.data = Map.of("password", "set-in-git");
              s.rotation = new RotationSpec();
              s.rotation.automaticallyAfterDays = 30;
            }));
    ManagedSecret refused =
        awaitReady(cluster.client, "team-b", "spec-value", "False", "InvalidParameterException");
    assertThat(ready(refused).getMessage()).contains("generate keys").doesNotContain("set-in-git");
  }

  @Test
  void aDatabaseStrategyIsRefusedWhileTheOperatorListsNoDatabaseHost() {
    Consumer<ManagedSecretSpec> spec =
        login("rate(30 days)").andThen(s -> s.rotation.strategy = "postgres-single-user");
    create(cluster.client, managedSecret("team-b", "postgres", spec));
    ManagedSecret refused =
        awaitReady(cluster.client, "team-b", "postgres", "False", "InvalidParameterException");
    assertThat(ready(refused).getMessage())
        .contains("rotation.databaseHosts", "connects to no database host");
  }

  @Test
  void aBadScheduleIsRefusedWithAwsExceptionAndMessage() {
    create(cluster.client, managedSecret("team-b", "often", login("rate(2 hours)")));
    ManagedSecret refused =
        awaitReady(cluster.client, "team-b", "often", "False", "InvalidParameterException");
    assertThat(ready(refused).getMessage()).contains("every four hours");
  }

  // ---- helpers ----

  private static void annotate(String name, String value) {
    Fixtures.annotate(cluster.client, "team-a", name, "managedsecrets.dev/rotate-now", value);
  }

  private static ManagedSecret awaitRotated(String name, String from) {
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> {
              ManagedSecret ms = get(cluster.client, "team-a", name);
              return ms.getStatus() != null
                  && ms.getStatus().lastRotatedDate != null
                  && !from.equals(ms.getStatus().versionId);
            });
    return get(cluster.client, "team-a", name);
  }

  private static StoredSecret record(String name) {
    return store.record("team-a", "team-a/" + name).orElseThrow();
  }

  private static List<String> rotationEvents(String name) {
    return events(name).stream().map(Event::getReason).toList();
  }

  private static List<Event> events(String name) {
    return Fixtures.events(cluster.client, "team-a", name);
  }

  /** No Event and no status field carries a value, nor the name of a generated key. */
  private static void assertNoValueNamed(String name, Map<String, String> values) {
    String status = String.valueOf(get(cluster.client, "team-a", name).getStatus().conditions);
    for (Event e : events(name)) {
      assertThat(e.getMessage()).doesNotContain(values.get("password")).doesNotContain("password");
    }
    assertThat(status).doesNotContain(values.get("password")).doesNotContain("password");
  }
}
