package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitReady;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static dev.managedsecrets.operator.it.Workloads.named;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.PreviousValueSpec;
import dev.managedsecrets.api.v1alpha1.TargetSpec;
import dev.managedsecrets.core.projection.Projection;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.operator.OperatorClient;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * target.previousValue against the in-memory API server: after each new AWSCURRENT the projected
 * Secret holds the AWSPREVIOUS version's keys under the suffix until the grace period after the
 * current version's creation ends (the operator's clock, which the tests move), then not; an idle
 * reconcile writes nothing and decrypts nothing; a suffix that collides is refused; the previous
 * keys leaving restarts no workload.
 */
class PreviousValueIT {

  private static final String NS = "team-a";

  static TestCluster cluster;
  static StoreView store;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start();
    store = new StoreView(cluster.client);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static TargetSpec keepingPrevious(String gracePeriod, String keySuffix) {
    TargetSpec t = new TargetSpec();
    t.previousValue = new PreviousValueSpec(gracePeriod, keySuffix);
    return t;
  }

  @Test
  void aValueChangeProjectsThePreviousKeysBesideTheCurrentOnesUntilTheGracePeriodEnds() {
    create(
        cluster.client,
        managedSecret(
            NS,
            "both",
            s -> {
              s.data = Map.of("username", "orders", "password", "one");
              s.target = keepingPrevious("2h", null);
            }));
    String first = awaitSynced(cluster.client, NS, "both").getStatus().versionId;
    assertThat(text(secret(cluster.client, NS, "both")))
        .as("no AWSPREVIOUS yet")
        .containsOnlyKeys("username", "password");

    edit(cluster.client, NS, "both", s -> s.data = Map.of("username", "orders", "password", "two"));
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> text(secret(cluster.client, NS, "both")).containsKey("password_PREVIOUS"));
    ManagedSecret synced = awaitSynced(cluster.client, NS, "both");
    String second = synced.getStatus().versionId;
    assertThat(second).isNotEqualTo(first);
    Secret both = secret(cluster.client, NS, "both");
    assertThat(text(both))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "username", "orders",
                "password", "two",
                "username_PREVIOUS", "orders",
                "password_PREVIOUS", "one"));
    StoredVersion current = store.record(NS, NS + "/both").orElseThrow().current().orElseThrow();
    Instant until = current.createdDate().plus(Duration.ofHours(2));
    assertThat(both.getMetadata().getAnnotations())
        .containsEntry(Projection.VERSION_ANNOTATION, second)
        .containsEntry(Projection.PREVIOUS_VERSION_ANNOTATION, first)
        .containsEntry(Projection.PREVIOUS_UNTIL_ANNOTATION, until.toString());

    // An idle reconcile (an unrelated label on the Secret) writes nothing and decrypts nothing.
    assertIdleReconcileWritesNothing("both");

    // Still within the grace period: the previous keys stay.
    cluster.clock.advance(Duration.between(cluster.clock.instant(), until).minusMinutes(1));
    edit(cluster.client, NS, "both", s -> s.description = "within the grace period");
    awaitSynced(cluster.client, NS, "both");
    assertThat(text(secret(cluster.client, NS, "both"))).containsKey("password_PREVIOUS");

    // The grace period is over: the next reconcile removes the previous keys and annotations.
    cluster.clock.advance(Duration.ofMinutes(2));
    edit(cluster.client, NS, "both", s -> s.description = "after the grace period");
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> !text(secret(cluster.client, NS, "both")).containsKey("password_PREVIOUS"));
    Secret after = secret(cluster.client, NS, "both");
    assertThat(text(after))
        .containsExactlyInAnyOrderEntriesOf(Map.of("username", "orders", "password", "two"));
    assertThat(after.getMetadata().getAnnotations())
        .containsEntry(Projection.VERSION_ANNOTATION, second)
        .doesNotContainKeys(
            Projection.PREVIOUS_VERSION_ANNOTATION, Projection.PREVIOUS_UNTIL_ANNOTATION);
    assertThat(awaitSynced(cluster.client, NS, "both").getStatus().versionId).isEqualTo(second);
    assertIdleReconcileWritesNothing("both");
    assertThat(events("both"))
        .as("no Event names a key or carries a value")
        .allSatisfy(
            e ->
                assertThat(e.getMessage())
                    .doesNotContain("password", "username", "orders", "one", "two"));
  }

  @Test
  void aRotationProjectsThePreviousGeneratedValueUnderTheSuffix() {
    create(
        cluster.client,
        managedSecret(
            NS,
            "rotated",
            RotationIT.login("rate(30 days)")
                .andThen(s -> s.target = keepingPrevious("30m", "-old"))));
    String first = awaitSynced(cluster.client, NS, "rotated").getStatus().versionId;
    String before = text(secret(cluster.client, NS, "rotated")).get("password");

    Fixtures.rotateNow(cluster.client, NS, "rotated", "1");
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> text(secret(cluster.client, NS, "rotated")).containsKey("password-old"));
    Map<String, String> data = text(secret(cluster.client, NS, "rotated"));
    assertThat(data.get("password-old")).isEqualTo(before);
    assertThat(data.get("password")).isNotEqualTo(before);
    assertThat(data).containsEntry("username-old", "orders");
    assertThat(secret(cluster.client, NS, "rotated").getMetadata().getAnnotations())
        .containsEntry(Projection.PREVIOUS_VERSION_ANNOTATION, first);
  }

  @Test
  void aSuffixThatMakesAPreviousKeyACurrentKeyIsRefusedAndTheSecretKeepsWhatItHeld() {
    create(
        cluster.client,
        managedSecret(
            NS,
            "clash",
            s -> {
              s.data = Map.of("password", "one", "password_OLD", "kept");
              s.target = keepingPrevious(null, "_OLD");
            }));
    String first = awaitSynced(cluster.client, NS, "clash").getStatus().versionId;

    edit(
        cluster.client,
        NS,
        "clash",
        s -> s.data = Map.of("password", "two", "password_OLD", "kept"));
    ManagedSecret refused =
        awaitReady(cluster.client, NS, "clash", "False", "InvalidParameterException");
    assertThat(Fixtures.ready(refused).getMessage())
        .contains("choose another keySuffix")
        .doesNotContain("password");
    Secret kept = secret(cluster.client, NS, "clash");
    assertThat(kept.getMetadata().getAnnotations())
        .containsEntry(Projection.VERSION_ANNOTATION, first);
    assertThat(text(kept)).containsEntry("password", "one");
  }

  @Test
  void aPreviousVersionThatTheTargetCannotProjectIsLeftOutWithAWarningAndTheNewValueDelivered() {
    create(
        cluster.client,
        managedSecret(
            NS,
            "unprojectable",
            s -> {
              s.data = Map.of("password", "one");
              s.target = keepingPrevious(null, null);
            }));
    String first = awaitSynced(cluster.client, NS, "unprojectable").getStatus().versionId;

    // The template names a key the previous version lacks.
    edit(
        cluster.client,
        NS,
        "unprojectable",
        s -> {
          s.data = Map.of("password", "two", "host", "db");
          s.target.template = Map.of("url", "{{host}}");
        });
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> text(secret(cluster.client, NS, "unprojectable")).containsKey("url"));
    awaitSynced(cluster.client, NS, "unprojectable");
    Secret s = secret(cluster.client, NS, "unprojectable");
    assertThat(text(s))
        .containsExactlyInAnyOrderEntriesOf(Map.of("password", "two", "host", "db", "url", "db"));
    assertThat(s.getMetadata().getAnnotations())
        .containsEntry(Projection.PREVIOUS_VERSION_ANNOTATION, first);
    assertThat(events("unprojectable"))
        .filteredOn(e -> "PreviousValueNotProjected".equals(e.getReason()))
        .singleElement()
        .satisfies(
            e -> assertThat(e.getMessage()).contains("placeholder 1").doesNotContain("host"));
    assertIdleReconcileWritesNothing("unprojectable");
  }

  @Test
  void thePreviousKeysLeavingTheSecretRestartNoWorkload() {
    Workloads.deployment(cluster.client, NS, "app", Map.of("app", "app"));
    create(
        cluster.client,
        managedSecret(
            NS,
            "restarting",
            s -> {
              s.secretString = "one";
              s.target = Workloads.restarting(named("Deployment", "app"));
              s.target.previousValue = new PreviousValueSpec("1h", null);
            }));
    awaitSynced(cluster.client, NS, "restarting");
    edit(cluster.client, NS, "restarting", s -> s.secretString = "two");
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> Workloads.restartedAt(cluster.client, NS, "Deployment", "app") != null);
    ManagedSecret synced = awaitSynced(cluster.client, NS, "restarting");
    assertThat(text(secret(cluster.client, NS, "restarting")))
        .containsEntry("secretString", "two")
        .containsEntry("secretString_PREVIOUS", "one");
    String restartedAt = Workloads.restartedAt(cluster.client, NS, "Deployment", "app");
    cluster.drainRequests();

    cluster.clock.advance(Duration.ofHours(1).plusMinutes(1));
    edit(cluster.client, NS, "restarting", s -> s.description = "after the grace period");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                !text(secret(cluster.client, NS, "restarting"))
                    .containsKey("secretString_PREVIOUS"));
    ManagedSecret after = awaitSynced(cluster.client, NS, "restarting");
    assertThat(after.getStatus().restartedForVersionId)
        .isEqualTo(synced.getStatus().versionId)
        .isEqualTo(after.getStatus().versionId);
    assertThat(Workloads.restartedAt(cluster.client, NS, "Deployment", "app"))
        .isEqualTo(restartedAt);
    assertThat(operatorWrites()).noneMatch(w -> w.contains("/deployments/"));
  }

  /** Triggers a reconcile with nothing to do and checks it made no write and no KMS call. */
  private static void assertIdleReconcileWritesNothing(String name) {
    double reconciles = cluster.reconciles();
    double kms = cluster.kmsCalls();
    cluster.drainRequests();
    cluster
        .client
        .secrets()
        .inNamespace(NS)
        .withName(name)
        .edit(
            s ->
                new SecretBuilder(s)
                    .editMetadata()
                    .addToLabels("unrelated", String.valueOf(reconciles))
                    .endMetadata()
                    .build());
    await().atMost(Fixtures.WAIT).until(() -> cluster.reconciles() > reconciles);
    assertThat(operatorWrites()).as("writes by a reconcile with nothing new").isEmpty();
    assertThat(cluster.kmsCalls()).as("KMS calls by a reconcile with nothing new").isEqualTo(kms);
  }

  private static List<String> operatorWrites() {
    return cluster.drainRequests().stream()
        .filter(r -> OperatorClient.USER_AGENT.equals(r.userAgent()))
        .filter(r -> !"GET".equals(r.method()))
        .map(r -> r.method() + " " + r.path())
        .toList();
  }

  private static List<Event> events(String name) {
    return cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }
}
