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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Secrets Manager's rules through the running operator: rollbacks, labels, idempotency, names. */
class SemanticsIT {

  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static String changeTo(String name, String value) {
    String before = get(cluster.client, "default", name).getStatus().versionId;
    edit(cluster.client, "default", name, s -> s.secretString = value);
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> !before.equals(get(cluster.client, "default", name).getStatus().versionId));
    return awaitSynced(cluster.client, "default", name).getStatus().versionId;
  }

  @Test
  void aRollbackThroughVersionStagesReprojectsTheOldValueAndPinsIt() {
    create(cluster.client, managedSecret("default", "rollback", s -> s.secretString = "v1"));
    String v1 = awaitSynced(cluster.client, "default", "rollback").getStatus().versionId;
    String v2 = changeTo("rollback", "v2");

    edit(cluster.client, "default", "rollback", s -> s.versionStages = Map.of("AWSCURRENT", v1));
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> v1.equals(get(cluster.client, "default", "rollback").getStatus().versionId));
    ManagedSecret ms = awaitSynced(cluster.client, "default", "rollback");
    assertThat(ms.getStatus().versionIdsToStages)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(v1, List.of("AWSCURRENT"), v2, List.of("AWSPREVIOUS")));
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                "v1"
                    .equals(
                        text(secret(cluster.client, "default", "rollback")).get("secretString")));
    assertThat(cluster.client.v1().events().inNamespace("default").list().getItems())
        .anyMatch(e -> "StagingLabelsMoved".equals(e.getReason()) && e.getMessage().contains(v1));

    // While pinned, a changed value waits.
    edit(cluster.client, "default", "rollback", s -> s.secretString = "v3");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> {
              ManagedSecret m = get(cluster.client, "default", "rollback");
              return m.getStatus().observedGeneration.equals(m.getMetadata().getGeneration());
            });
    ms = get(cluster.client, "default", "rollback");
    assertThat(ms.getStatus().versionId).isEqualTo(v1);
    assertThat(ready(ms).getMessage()).contains("AWSCURRENT is pinned by spec.versionStages");
    assertThat(text(secret(cluster.client, "default", "rollback")))
        .containsEntry("secretString", "v1");

    // Removing the pin publishes it.
    edit(cluster.client, "default", "rollback", s -> s.versionStages = null);
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                "v3"
                    .equals(
                        text(secret(cluster.client, "default", "rollback")).get("secretString")));
    ms = awaitSynced(cluster.client, "default", "rollback");
    assertThat(ms.getStatus().versionIdsToStages.get(v1)).containsExactly("AWSPREVIOUS");
  }

  @Test
  void customLabelsAreExactlyThoseInVersionStages() {
    create(cluster.client, managedSecret("default", "labels", s -> s.secretString = "a"));
    String va = awaitSynced(cluster.client, "default", "labels").getStatus().versionId;
    String vb = changeTo("labels", "b");
    edit(
        cluster.client,
        "default",
        "labels",
        s -> s.versionStages = new HashMap<>(Map.of("blue", va, "green", vb)));
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                get(cluster.client, "default", "labels")
                    .getStatus()
                    .versionIdsToStages
                    .get(va)
                    .contains("blue"));
    ManagedSecret ms = awaitSynced(cluster.client, "default", "labels");
    assertThat(ms.getStatus().versionIdsToStages)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(va, List.of("AWSPREVIOUS", "blue"), vb, List.of("AWSCURRENT", "green")));

    edit(cluster.client, "default", "labels", s -> s.versionStages = Map.of("green", vb));
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                !get(cluster.client, "default", "labels")
                    .getStatus()
                    .versionIdsToStages
                    .get(va)
                    .contains("blue"));
    assertThat(get(cluster.client, "default", "labels").getStatus().versionIdsToStages.get(va))
        .containsExactly("AWSPREVIOUS");
  }

  @Test
  void aStageNamingAMissingVersionIsResourceNotFound() {
    create(
        cluster.client,
        managedSecret(
            "default",
            "missing-version",
            s -> {
              s.secretString = "a";
              s.versionStages = Map.of("AWSCURRENT", "no-such-version");
            }));
    ManagedSecret ms =
        awaitReady(
            cluster.client, "default", "missing-version", "False", "ResourceNotFoundException");
    assertThat(ready(ms).getMessage())
        .isEqualTo(
            "Secrets Manager can't find the specified secret value for VersionId: no-such-version");
  }

  @Test
  void aClientRequestTokenBecomesTheVersionIdAndCannotBeReusedForAnotherValue() {
    String token = "a1b2c3d4-e5f6-4a5b-8c7d-9e8f7a6b5c4d";
    create(
        cluster.client,
        managedSecret(
            "default",
            "token",
            s -> {
              s.secretString = "first";
              s.clientRequestToken = token;
            }));
    ManagedSecret ms = awaitSynced(cluster.client, "default", "token");
    assertThat(ms.getStatus().versionId).isEqualTo(token);

    edit(cluster.client, "default", "token", s -> s.secretString = "second");
    ms = awaitReady(cluster.client, "default", "token", "False", "ResourceExistsException");
    assertThat(ready(ms).getMessage())
        .isEqualTo(
            "You can't use ClientRequestToken "
                + token
                + " because that value is already in use for a version of secret "
                + ms.getStatus().arn
                + ".");
    assertThat(text(secret(cluster.client, "default", "token")))
        .containsEntry("secretString", "first");

    String next = "b1b2c3d4-e5f6-4a5b-8c7d-9e8f7a6b5c4d";
    edit(cluster.client, "default", "token", s -> s.clientRequestToken = next);
    ms = awaitSynced(cluster.client, "default", "token");
    assertThat(ms.getStatus().versionId).isEqualTo(next);
    assertThat(ms.getStatus().versionIdsToStages).containsEntry(token, List.of("AWSPREVIOUS"));
  }

  /**
   * As AWS makes a version for each PutSecretValue with a new token: a new spec generation naming a
   * token no version has makes one of the same value; applied again unchanged, none.
   */
  @Test
  void aNewClientRequestTokenMakesAVersionOfTheSameValueAndTheSameSpecAgainMakesNone() {
    String first = "d1b2c3d4-e5f6-4a5b-8c7d-9e8f7a6b5c4d";
    String second = "d2b2c3d4-e5f6-4a5b-8c7d-9e8f7a6b5c4d";
    create(
        cluster.client,
        managedSecret(
            "default",
            "new-token",
            s -> {
              s.secretString = "unchanged";
              s.clientRequestToken = first;
            }));
    awaitSynced(cluster.client, "default", "new-token");

    edit(cluster.client, "default", "new-token", s -> s.clientRequestToken = second);
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> second.equals(get(cluster.client, "default", "new-token").getStatus().versionId));
    ManagedSecret ms = awaitSynced(cluster.client, "default", "new-token");
    assertThat(ms.getStatus().versionIdsToStages)
        .containsEntry(second, List.of("AWSCURRENT"))
        .containsEntry(first, List.of("AWSPREVIOUS"));
    assertThat(text(secret(cluster.client, "default", "new-token")))
        .containsEntry("secretString", "unchanged");

    // The same spec applied again (a description alone is a new generation, the token is known).
    edit(cluster.client, "default", "new-token", s -> s.description = "touched");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> {
              ManagedSecret m = get(cluster.client, "default", "new-token");
              return m.getStatus().observedGeneration.equals(m.getMetadata().getGeneration());
            });
    assertThat(get(cluster.client, "default", "new-token").getStatus().versionIdsToStages)
        .containsOnlyKeys(first, second);
  }

  @Test
  void theSameTokenAndTheSameValueMakeNoNewVersion() {
    String token = "c1b2c3d4-e5f6-4a5b-8c7d-9e8f7a6b5c4d";
    create(
        cluster.client,
        managedSecret(
            "default",
            "same-token",
            s -> {
              s.secretString = "same";
              s.clientRequestToken = token;
            }));
    awaitSynced(cluster.client, "default", "same-token");
    // Another spelling of nothing: a description change re-runs the reconcile with the same token.
    edit(cluster.client, "default", "same-token", s -> s.description = "touched");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> {
              ManagedSecret m = get(cluster.client, "default", "same-token");
              return m.getStatus().observedGeneration.equals(m.getMetadata().getGeneration());
            });
    ManagedSecret ms = awaitSynced(cluster.client, "default", "same-token");
    assertThat(ms.getStatus().versionIdsToStages).containsOnlyKeys(token);
  }

  @Test
  void aNameEndingLikeAnArnSuffixIsAcceptedWithAWarningEvent() {
    create(
        cluster.client,
        managedSecret(
            "default",
            "suffix",
            s -> {
              s.secretName = "app/db-AbCdEf";
              s.secretString = "v";
            }));
    awaitSynced(cluster.client, "default", "suffix");
    assertThat(cluster.client.v1().events().inNamespace("default").list().getItems())
        .anyMatch(
            e ->
                "Warning".equals(e.getType())
                    && "NameLooksLikeArnSuffix".equals(e.getReason())
                    && "suffix".equals(e.getInvolvedObject().getName()));
  }
}
