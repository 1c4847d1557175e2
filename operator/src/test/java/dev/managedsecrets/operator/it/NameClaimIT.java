package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitReady;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.ready;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two ManagedSecrets claiming one Secrets Manager name, both waiting when the operator starts, so
 * either may be reconciled first: the older keeps the name, whether the names are both given in
 * spec.secretName or one of them is a default name (namespace/metadata.name).
 */
class NameClaimIT {

  TestCluster cluster;

  @AfterEach
  void stop() {
    cluster.close();
  }

  /** A ManagedSecret of team-a with this value, claiming secretName (null: its default name). */
  void claim(String name, String secretName, String value) {
    create(
        cluster.client,
        managedSecret(
            "team-a",
            name,
            s -> {
              s.secretName = secretName;
              s.secretString = value;
            }));
  }

  @Test
  void theOlderKeepsADefaultNameThatANewerOneGivesExplicitly() throws Exception {
    cluster = TestCluster.withoutOperator();
    claim("orders", null, "older");
    Thread.sleep(1100); // creationTimestamps have seconds: make the first one older
    claim("impostor", "team-a/orders", "newer");
    cluster.startOperator();

    awaitSynced(cluster.client, "team-a", "orders");
    ManagedSecret newer =
        awaitReady(cluster.client, "team-a", "impostor", "False", "ResourceExistsException");
    assertThat(ready(newer).getMessage())
        .isEqualTo(
            "The operation failed because the secret team-a/orders already exists. It belongs to"
                + " ManagedSecret orders in this namespace.");
    assertThat(text(secret(cluster.client, "team-a", "orders")))
        .containsEntry("secretString", "older");
    assertThat(secret(cluster.client, "team-a", "impostor")).isNull();
  }

  @Test
  void theOlderKeepsAGivenNameThatANewerOneGivesToo() throws Exception {
    cluster = TestCluster.withoutOperator();
    claim("first", "shared/Name", "1");
    Thread.sleep(1100);
    claim("second", "shared/Name", "2");
    cluster.startOperator();

    awaitSynced(cluster.client, "team-a", "first");
    ManagedSecret second =
        awaitReady(cluster.client, "team-a", "second", "False", "ResourceExistsException");
    assertThat(ready(second).getMessage()).contains("It belongs to ManagedSecret first");
    assertThat(secret(cluster.client, "team-a", "second")).isNull();
  }
}
