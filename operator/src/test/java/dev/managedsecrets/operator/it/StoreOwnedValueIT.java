package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.ready;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A ManagedSecret whose value lives in the store ({@code spec.valueSource: Store}): the reconciler
 * never writes a version from its spec nor moves its labels; it projects the store's AWSCURRENT.
 */
class StoreOwnedValueIT {

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

  @Test
  void aValueInTheStoreWithoutAVersionIsReadyAndProjectsNothing() {
    create(cluster.client, managedSecret("team-a", "empty", s -> s.valueSource = "Store"));

    ManagedSecret ms = awaitSynced(cluster.client, "team-a", "empty");

    assertThat(ready(ms).getMessage())
        .isEqualTo(
            "Secret team-a/empty has no value yet (put one with PutSecretValue); no Secret was"
                + " projected.");
    assertThat(ms.getStatus().arn).isNotNull();
    assertThat(ms.getStatus().versionId).isNull();
    assertThat(secret(cluster.client, "team-a", "empty")).isNull();
    assertThat(store.record("team-a", "team-a/empty")).isPresent();
  }

  @Test
  void theApiServerRefusesAValueInTheStoreBesideAValueFieldSealedOrNot() {
    List<Consumer<ManagedSecretSpec>> fields =
        List.of(
            s -> s.secretString = "v",
            s -> s.sealedData = Map.of("password", "msv1.AAAA"),
            s -> s.sealedSecretString = "msv1.AAAA",
            s -> s.sealedSecretBinary = "msv1.AAAA");
    for (Consumer<ManagedSecretSpec> field : fields) {
      KubernetesClientException refused =
          catchThrowableOfType(
              KubernetesClientException.class,
              () ->
                  create(
                      cluster.client,
                      managedSecret(
                          "team-a",
                          "both",
                          s -> {
                            s.valueSource = "Store";
                            field.accept(s);
                          })));

      assertThat(refused.getCode()).isEqualTo(422);
      assertThat(refused.getMessage())
          .contains("valueSource Store keeps the value in the store: it can't be combined");
    }
  }

  @Test
  void aValueMovedFromTheSpecToTheStoreKeepsItsVersionsLabelsAndProjection() {
    create(cluster.client, managedSecret("team-b", "moved", s -> s.secretString = "first"));
    String first = awaitSynced(cluster.client, "team-b", "moved").getStatus().versionId;
    edit(cluster.client, "team-b", "moved", s -> s.versionStages = Map.of("KEEP", first));
    awaitSynced(cluster.client, "team-b", "moved");

    edit(
        cluster.client,
        "team-b",
        "moved",
        s -> {
          s.secretString = null;
          s.versionStages = null;
          s.valueSource = "Store";
        });
    ManagedSecret ms = awaitSynced(cluster.client, "team-b", "moved");

    // No version from the spec, and the custom label the spec no longer lists stays: the store
    // owns the labels now.
    assertThat(ms.getStatus().versionId).isEqualTo(first);
    assertThat(ms.getStatus().versionIdsToStages)
        .isEqualTo(Map.of(first, List.of("AWSCURRENT", "KEEP")));
    assertThat(store.record("team-b", "team-b/moved").orElseThrow().versions()).hasSize(1);
    assertThat(text(secret(cluster.client, "team-b", "moved")))
        .isEqualTo(Map.of("secretString", "first"));
  }
}
