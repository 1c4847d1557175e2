package dev.managedsecrets.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretReplica;
import dev.managedsecrets.api.v1alpha1.ManagedSecretReplicaSpec;
import dev.managedsecrets.api.v1alpha1.ReplicaRegion;
import dev.managedsecrets.cli.Cli;
import dev.managedsecrets.core.replication.ReplicationRequests;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * replicate-secret-to-regions, remove-regions-from-replication and stop-replication-to-replica
 * against an API server with the CRDs: what they write to the ManagedSecret (spec.replicaRegions,
 * forceOverwriteReplicaSecret, the annotation managedsecrets.dev/stop-replication) and print. The
 * replication itself is the operator's (ReplicationIT, EndpointReplicationIT).
 */
@Timeout(60)
class ReplicationCommandsIT {

  static PluginCluster cluster;
  static Cli cli;

  @BeforeAll
  static void start() throws Exception {
    cluster = PluginCluster.start("kubectl-managedsecret-replicate");
    cli = cluster.cli;
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static ManagedSecret secret(String name) {
    ManagedSecret ms = new ManagedSecret();
    ms.getMetadata().setName(name);
    ms.getMetadata().setNamespace("default");
    ms.getSpec().data = Map.of("password", "p");
    return ms;
  }

  static void create(ManagedSecret ms) {
    cluster.api.client().resources(ManagedSecret.class).resource(ms).create();
  }

  static ManagedSecret get(String name) {
    return cluster.get(name);
  }

  static JsonNode json(Cli.Result r) throws Exception {
    return PluginCluster.json(r);
  }

  static List<String> regions(JsonNode out) {
    return out.path("ReplicationStatus").findValuesAsText("Region");
  }

  @Test
  void replicateSecretToRegionsAppendsRegionsAndPrintsThemInProgress() throws Exception {
    create(secret("orders"));

    JsonNode out =
        json(
            cli.run(
                "replicate-secret-to-regions",
                "--secret-id",
                "default/orders",
                "--add-replica-regions",
                "Region=eu-west-1,KmsKeyId=alias/eu",
                "Region=ap-south-1",
                "--force-overwrite-replica-secret"));
    ManagedSecret ms = get("orders");

    assertThat(regions(out)).containsExactly("eu-west-1", "ap-south-1");
    assertThat(out.path("ReplicationStatus").get(0).path("KmsKeyId").asText())
        .isEqualTo("alias/eu");
    assertThat(out.path("ReplicationStatus").get(0).path("Status").asText())
        .isEqualTo("InProgress");
    assertThat(ms.getSpec().replicaRegions)
        .extracting(r -> r.region + "/" + r.kmsKeyId)
        .containsExactly("eu-west-1/alias/eu", "ap-south-1/null");
    assertThat(ms.getSpec().forceOverwriteReplicaSecret).isTrue();
    // The same region with the same key again: answered, nothing written.
    String version = ms.getMetadata().getResourceVersion();
    JsonNode again =
        json(
            cli.run(
                "replicate-secret-to-regions",
                "--secret-id",
                "default/orders",
                "--add-replica-regions",
                "[{\"Region\":\"eu-west-1\",\"KmsKeyId\":\"alias/eu\"}]"));
    assertThat(regions(again)).containsExactly("eu-west-1", "ap-south-1");
    assertThat(get("orders").getMetadata().getResourceVersion()).isEqualTo(version);
  }

  @Test
  void anotherKeyForAReplicatedRegionIsRefusedAsTheEndpointRefusesIt() {
    ManagedSecret ms = secret("keyed");
    ms.getSpec().replicaRegions = new ArrayList<>(List.of(new ReplicaRegion("eu-west-1", "k1")));
    create(ms);

    Cli.Result r =
        cli.run(
            "replicate-secret-to-regions",
            "--secret-id",
            "default/keyed",
            "--add-replica-regions",
            "Region=eu-west-1,KmsKeyId=k2");

    assertThat(r.code()).isEqualTo(254);
    assertThat(r.err())
        .startsWith(
            "An error occurred (InvalidParameterException) when calling the"
                + " ReplicateSecretToRegions operation: The secret is already replicated to"
                + " eu-west-1 with the key k1");
    assertThat(get("keyed").getSpec().replicaRegions.get(0).kmsKeyId).isEqualTo("k1");
  }

  @Test
  void removeRegionsFromReplicationRemovesThemAndRefusesARegionNotReplicated() throws Exception {
    ManagedSecret ms = secret("removed");
    ms.getSpec().replicaRegions =
        new ArrayList<>(
            List.of(new ReplicaRegion("eu-west-1", null), new ReplicaRegion("ap-south-1", null)));
    ms.getSpec().forceOverwriteReplicaSecret = true;
    create(ms);

    JsonNode one =
        json(
            cli.run(
                "remove-regions-from-replication",
                "--secret-id",
                "default/removed",
                "--remove-replica-regions",
                "eu-west-1"));
    Cli.Result notThere =
        cli.run(
            "remove-regions-from-replication",
            "--secret-id",
            "default/removed",
            "--remove-replica-regions",
            "us-west-2");
    JsonNode last =
        json(
            cli.run(
                "remove-regions-from-replication",
                "--secret-id",
                "default/removed",
                "--remove-replica-regions",
                "ap-south-1"));

    assertThat(regions(one)).containsExactly("ap-south-1");
    assertThat(notThere.code()).isEqualTo(254);
    assertThat(notThere.err())
        .isEqualTo(
            "An error occurred (InvalidParameterException) when calling the"
                + " RemoveRegionsFromReplication operation: Invalid replica region. The secret is"
                + " not replicated to us-west-2; its replica regions are ap-south-1.\n");
    assertThat(last.path("ReplicationStatus")).isEmpty();
    assertThat(get("removed").getSpec().replicaRegions).isNull();
    assertThat(get("removed").getSpec().forceOverwriteReplicaSecret).isNull();
  }

  @Test
  void stopReplicationToReplicaMarksOnlyAReplicaForPromotion() {
    create(secret("standalone"));
    ManagedSecretReplica owner = new ManagedSecretReplica();
    owner.getMetadata().setName("mirror");
    owner.getMetadata().setNamespace("default");
    owner.setSpec(new ManagedSecretReplicaSpec());
    owner.getSpec().primaryRegion = "us-east-1";
    owner.getSpec().primaryArn =
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:default/mirror-AbCdEf";
    owner.getSpec().sealed = "not-a-payload";
    ManagedSecretReplica made =
        cluster.api.client().resources(ManagedSecretReplica.class).resource(owner).create();
    ManagedSecret replica = secret("mirror");
    replica
        .getMetadata()
        .setAnnotations(Map.of("managedsecrets.dev/replica-of", owner.getSpec().primaryArn));
    replica
        .getMetadata()
        .setOwnerReferences(
            List.of(
                new OwnerReferenceBuilder()
                    .withApiVersion("managedsecrets.dev/v1alpha1")
                    .withKind("ManagedSecretReplica")
                    .withName("mirror")
                    .withUid(made.getMetadata().getUid())
                    .build()));
    create(replica);

    Cli.Result refused =
        cli.run("stop-replication-to-replica", "--secret-id", "default/standalone");
    Cli.Result stopped = cli.run("stop-replication-to-replica", "--secret-id", "default/mirror");
    Cli.Result write =
        cli.run(
            "replicate-secret-to-regions",
            "--secret-id",
            "default/mirror",
            "--add-replica-regions",
            "Region=eu-west-1");

    assertThat(refused.code()).isEqualTo(254);
    assertThat(refused.err())
        .isEqualTo(
            "An error occurred (InvalidRequestException) when calling the"
                + " StopReplicationToReplica operation: "
                + ReplicationRequests.NOT_A_REPLICA
                + "\n");
    assertThat(get("standalone").getMetadata().getAnnotations())
        .doesNotContainKey(ReplicationRequests.STOP_REPLICATION);
    assertThat(stopped.code()).as(stopped.toString()).isZero();
    assertThat(
            Instant.parse(
                get("mirror")
                    .getMetadata()
                    .getAnnotations()
                    .get(ReplicationRequests.STOP_REPLICATION)))
        .isBeforeOrEqualTo(Instant.now());
    assertThat(write.err())
        .contains(
            "Operation not permitted on a replica secret. Call must be made in primary secret's"
                + " region (us-east-1).");
    assertThat(get("mirror").getSpec().replicaRegions).isNull();
  }
}
