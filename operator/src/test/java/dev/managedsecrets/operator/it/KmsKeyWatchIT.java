package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitReady;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.operator.OperatorClient;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The KmsKey controller watches ManagedSecrets (for status.usedBy) only once a KmsKey exists: an
 * installation where every secret is on the default key has one ManagedSecret watch, not two.
 */
class KmsKeyWatchIT {

  static final String MANAGED_SECRETS = "/apis/managedsecrets.dev/v1alpha1/managedsecrets?";

  TestCluster cluster;
  final List<String> operatorWatches = new ArrayList<>();

  @BeforeEach
  void start() {
    cluster = TestCluster.start();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  /** The operator's watches of ManagedSecrets in all namespaces opened since the last call. */
  long newManagedSecretWatches() {
    cluster.drainRequests().stream()
        .filter(r -> OperatorClient.USER_AGENT.equals(r.userAgent()))
        .filter(r -> "GET".equals(r.method()))
        .filter(r -> r.path().startsWith(MANAGED_SECRETS) && r.path().contains("watch=true"))
        .forEach(r -> operatorWatches.add(r.path()));
    return operatorWatches.size();
  }

  @Test
  void theManagedSecretWatchOfKeysStartsWithTheFirstKmsKeyAndFindsWhatAlreadyNamesIt() {
    create(cluster.client, managedSecret("team-a", "on-default", s -> s.secretString = "d"));
    create(
        cluster.client,
        managedSecret(
            "team-a",
            "on-late-key",
            s -> {
              s.kmsKeyId = "late";
              s.secretString = "k";
            }));
    awaitSynced(cluster.client, "team-a", "on-default");
    awaitReady(cluster.client, "team-a", "on-late-key", "False", "ResourceNotFoundException");

    assertThat(newManagedSecretWatches())
        .as("ManagedSecret watches with no KmsKey: the ManagedSecret controller's own")
        .isEqualTo(1);

    KmsKey key = new KmsKey();
    key.setMetadata(new ObjectMetaBuilder().withNamespace("team-a").withName("late").build());
    cluster.client.resource(key).create();

    String arn = awaitSynced(cluster.client, "team-a", "on-late-key").getStatus().kmsKeyId;
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> {
              KmsKey k =
                  cluster
                      .client
                      .resources(KmsKey.class)
                      .inNamespace("team-a")
                      .withName("late")
                      .get();
              return k.getStatus() != null
                  && arn.equals(k.getStatus().arn)
                  && List.of("team-a/on-late-key").equals(k.getStatus().usedBy);
            });
    assertThat(newManagedSecretWatches())
        .as("ManagedSecret watches once a KmsKey exists")
        .isEqualTo(2);
  }
}
