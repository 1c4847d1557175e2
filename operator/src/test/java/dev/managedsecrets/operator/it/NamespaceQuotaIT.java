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
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the ManagedSecrets of one namespace keep in the store together is bounded by the operator's
 * configuration: past it, a new version is refused with LimitExceededException naming the
 * namespace's use, other namespaces go on, and freed room is used again.
 */
class NamespaceQuotaIT {

  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.withoutOperator();
    cluster.configure = Map.of("MANAGEDSECRET_QUOTA_VERSIONS_PER_NAMESPACE", "2");
    cluster.startOperator();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aVersionPastTheNamespacesQuotaIsRefusedNamingItsUseUntilRoomIsFreed() {
    create(cluster.client, managedSecret("team-a", "one", s -> s.secretString = "v1"));
    awaitSynced(cluster.client, "team-a", "one");
    edit(cluster.client, "team-a", "one", s -> s.secretString = "v2");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> get(cluster.client, "team-a", "one").getStatus().versionIdsToStages.size() == 2);
    create(
        cluster.client,
        managedSecret(
            "team-a",
            "two",
            s -> {
              s.secretString = "v1";
              s.forceDeleteWithoutRecovery = true;
            }));

    ManagedSecret refused =
        awaitReady(cluster.client, "team-a", "two", "False", "LimitExceededException");

    assertThat(ready(refused).getMessage())
        .isEqualTo(
            "You can't create a version of secret team-a/two: namespace team-a holds 2 versions"
                + " of 2 allowed (quota.versionsPerNamespace). Delete secrets or versions of the"
                + " namespace (a secret in its recovery window counts until it is purged;"
                + " forceDeleteWithoutRecovery frees it at once), or ask the operator's"
                + " administrator to raise the quota.");
    assertThat(condition(refused, "Stalled").getStatus()).isEqualTo("True");
    assertThat(secret(cluster.client, "team-a", "two")).as("nothing projected").isNull();
    // Another namespace has its own room.
    create(cluster.client, managedSecret("team-b", "one", s -> s.secretString = "v1"));
    awaitSynced(cluster.client, "team-b", "one");

    // Room freed at once (a forced delete) is used by the next reconcile of the refused one.
    edit(cluster.client, "team-a", "one", s -> s.forceDeleteWithoutRecovery = true);
    awaitSynced(cluster.client, "team-a", "one");
    cluster.client.resources(ManagedSecret.class).inNamespace("team-a").withName("one").delete();
    await().atMost(Fixtures.WAIT).until(() -> get(cluster.client, "team-a", "one") == null);
    edit(cluster.client, "team-a", "two", s -> s.description = "retry");
    awaitSynced(cluster.client, "team-a", "two");
  }
}
