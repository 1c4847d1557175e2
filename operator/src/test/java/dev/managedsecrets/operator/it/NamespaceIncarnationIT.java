package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.operator.kms.KeyState;
import dev.managedsecrets.operator.kms.Keyring;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A namespace deleted and made again under the same name is a new incarnation: its ManagedSecrets
 * and KmsKeys get new secrets and keys, never the old tenant's, and what the old incarnation left
 * stays as it was until its window ends, then purges.
 */
class NamespaceIncarnationIT {

  static TestCluster cluster;
  static StoreView view;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start();
    view = new StoreView(cluster.client);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aNamespaceMadeAgainGetsNewSecretsAndKeysAndTheOldOnesStayUntilTheirWindowEndsThenPurge() {
    // The first incarnation of team-a: a KmsKey, and a secret under it with a generated password.
    Fixtures.kmsKey(cluster.client, "team-a", "orders", s -> s.pendingWindowInDays = 7);
    String oldKeyId =
        Fixtures.awaitKeyEnabled(cluster.client, "team-a", "orders").getStatus().keyId;
    create(
        cluster.client,
        managedSecret(
            "team-a",
            "db",
            s -> {
              s.data = Map.of("username", "old-tenant");
              s.generate = Map.of("password", new GenerateSpec());
              s.kmsKeyId = "orders";
              s.recoveryWindowInDays = 7;
            }));
    ManagedSecret old = awaitSynced(cluster.client, "team-a", "db");
    String oldUid = view.namespaceUid("team-a");

    // The namespace is deleted: what is in it goes first (the namespace controller's work, which
    // the in-memory API server leaves to the client), then the namespace. It is made again.
    cluster.client.resources(ManagedSecret.class).inNamespace("team-a").withName("db").delete();
    await().atMost(Fixtures.WAIT).until(() -> get(cluster.client, "team-a", "db") == null);
    cluster.client.resources(KmsKey.class).inNamespace("team-a").withName("orders").delete();
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> Fixtures.kmsKey(cluster.client, "team-a", "orders") == null);
    StoredSecret oldRecord = view.record("team-a", "team-a/db").orElseThrow();
    Keyring.OwnedKey oldKey = view.keyring().ownedKeyById(oldKeyId).orElseThrow();
    assertThat(oldRecord.scheduledForDeletion()).isTrue();
    assertThat(oldKey.state()).isEqualTo(KeyState.PENDING_DELETION);
    cluster.client.namespaces().withName("team-a").delete();
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> cluster.client.namespaces().withName("team-a").get() == null);
    cluster
        .client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("team-a").endMetadata().build())
        .create();
    assertThat(view.namespaceUid("team-a")).isNotEqualTo(oldUid);

    // The new tenant applies a ManagedSecret db with no value, and a KmsKey orders.
    create(cluster.client, managedSecret("team-a", "db", s -> {}));
    ManagedSecret fresh = awaitSynced(cluster.client, "team-a", "db");
    Fixtures.kmsKey(cluster.client, "team-a", "orders", s -> {});
    KmsKey freshKey = Fixtures.awaitKeyEnabled(cluster.client, "team-a", "orders");

    assertThat(fresh.getStatus().arn).isNotEqualTo(old.getStatus().arn);
    assertThat(fresh.getStatus().versionId).isNull();
    assertThat(fresh.getStatus().versionIdsToStages).isNull();
    assertThat(secret(cluster.client, "team-a", "db")).as("nothing of the old value").isNull();
    assertThat(freshKey.getStatus().keyId).isNotEqualTo(oldKeyId);
    assertThat(freshKey.getStatus().keyMaterialVersions).isEqualTo(1);
    // What the old incarnation left is untouched.
    assertThat(view.records("team-a", "team-a/db"))
        .extracting(r -> r.withRevision(null))
        .contains(oldRecord.withRevision(null))
        .hasSize(2);
    assertThat(view.keyring().ownedKeyById(oldKeyId)).contains(oldKey);

    // The old window ends: the old record and key go, the new ones stay.
    cluster.clock.advance(Duration.ofDays(7).plusMinutes(1));
    assertThat(cluster.runtime().purgeExpired()).isEqualTo(1);
    assertThat(cluster.runtime().maintainKmsKeys()).isEqualTo(1);
    List<StoredSecret> left = view.records("team-a", "team-a/db");
    assertThat(left).extracting(StoredSecret::arn).containsExactly(fresh.getStatus().arn);
    assertThat(view.keyring().ownedKeyById(oldKeyId)).isEmpty();
    assertThat(view.keyring().ownedKeyById(freshKey.getStatus().keyId)).isPresent();
    assertThat(
            cluster
                .client
                .secrets()
                .inNamespace(TestCluster.OPERATOR_NAMESPACE)
                .withLabel("managedsecrets.dev/store", "version")
                .list()
                .getItems())
        .as("no version of the old secret is left")
        .isEmpty();

    // The new secret takes a value of its own.
    Fixtures.edit(cluster.client, "team-a", "db", s -> s.secretString = "new tenant");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                secret(cluster.client, "team-a", "db") != null
                    && "new tenant"
                        .equals(text(secret(cluster.client, "team-a", "db")).get("secretString")));
    assertThat(awaitSynced(cluster.client, "team-a", "db").getStatus().arn)
        .isEqualTo(fresh.getStatus().arn);
  }
}
