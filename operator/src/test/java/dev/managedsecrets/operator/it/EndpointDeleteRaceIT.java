package dev.managedsecrets.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.operator.endpoint.AccessKeys;
import dev.managedsecrets.operator.reconcile.Checkpoints.Point;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.Filter;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;

/**
 * Calls while a reconcile of the same secret is in flight: DeleteSecret (the reconcile began before
 * the deletion and claims the record after DeleteSecret changed it) leaves the store as it asked,
 * and the reconcile brings nothing back; ListSecrets lists a secret its reconcile has not reached.
 */
class EndpointDeleteRaceIT {

  static final Hold hold = new Hold();
  static TestCluster cluster;
  static SecretsManagerClient sm;
  static StoreView store;

  @BeforeAll
  static void start() {
    cluster = EndpointClients.start(hold);
    AccessKeys.AccessKey admin = EndpointClients.administrator(cluster);
    sm = EndpointClients.client(cluster, admin);
    store = new StoreView(cluster.client);
  }

  @AfterAll
  static void stop() {
    hold.release();
    sm.close();
    cluster.close();
  }

  @Test
  void aForcedDeleteDuringAReconcileThatBeganBeforeItLeavesNothingStored() throws Exception {
    hold.arm(Point.CLAIMING, "raced/forced");
    sm.createSecret(r -> r.name("raced/forced").secretString("gone"));
    hold.awaitHeld();

    sm.deleteSecret(r -> r.secretId("raced/forced").forceDeleteWithoutRecovery(true));
    assertThat(store.record("default", "raced/forced")).isEmpty();
    hold.release();

    awaitNoObjectFor("raced/forced");
    assertThat(store.record("default", "raced/forced")).isEmpty();
  }

  @Test
  void aDeleteWithAWindowDuringAReconcileKeepsTheWindowAskedFor() throws Exception {
    hold.arm(Point.CLAIMING, "raced/window");
    sm.createSecret(r -> r.name("raced/window").secretString("kept"));
    hold.awaitHeld();

    sm.deleteSecret(r -> r.secretId("raced/window").recoveryWindowInDays(7L));
    hold.release();

    awaitNoObjectFor("raced/window");
    StoredSecret record = store.record("default", "raced/window").orElseThrow();
    assertThat(record.scheduledForDeletion()).isTrue();
    assertThat(Duration.between(record.deletedDate(), record.purgeAfter()))
        .isEqualTo(Duration.ofDays(7));
    assertThat(record.current()).isPresent();
    assertThat(sm.describeSecret(r -> r.secretId("raced/window")).deletedDate()).isNotNull();
  }

  @Test
  void aSecretCreatedButNotReconciledYetIsListedFromItsRecord() throws Exception {
    hold.arm(Point.CLAIMING, "raced/listed");
    String arn = sm.createSecret(r -> r.name("raced/listed").secretString("v")).arn();
    hold.awaitHeld();
    try {
      assertThat(
              sm.listSecrets(
                      r ->
                          r.filters(
                              Filter.builder()
                                  .key(FilterNameStringType.NAME)
                                  .values("raced/listed")
                                  .build()))
                  .secretList())
          .extracting(SecretListEntry::arn)
          .containsExactly(arn);
    } finally {
      hold.release();
    }
  }

  private static void awaitNoObjectFor(String secretName) {
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                cluster
                    .client
                    .resources(ManagedSecret.class)
                    .inNamespace("default")
                    .list()
                    .getItems()
                    .stream()
                    .noneMatch(ms -> secretName.equals(ms.getSpec().secretName)));
  }
}
