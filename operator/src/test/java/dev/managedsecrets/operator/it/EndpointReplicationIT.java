package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretReplica;
import dev.managedsecrets.api.v1alpha1.ManagedSecretReplicaSpec;
import dev.managedsecrets.api.v1alpha1.ReplicaRegion;
import dev.managedsecrets.core.replication.ReplicationRequests;
import dev.managedsecrets.operator.endpoint.AccessKeys;
import dev.managedsecrets.operator.replication.Replicas;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;
import software.amazon.awssdk.services.secretsmanager.model.InvalidParameterException;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.RemoveRegionsFromReplicationResponse;
import software.amazon.awssdk.services.secretsmanager.model.ReplicateSecretToRegionsResponse;
import software.amazon.awssdk.services.secretsmanager.model.ReplicationStatusType;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;
import software.amazon.awssdk.services.secretsmanager.model.StatusType;
import software.amazon.awssdk.services.secretsmanager.model.StopReplicationToReplicaResponse;

/**
 * ReplicateSecretToRegions, RemoveRegionsFromReplication, StopReplicationToReplica and the
 * replication members of CreateSecret and DescribeSecret through the endpoint of an operator in
 * us-east-1 with the peer regions eu-west-1 and ap-south-1, with AWS's SDK for Java v2 and the AWS
 * CLI. The peers are not there: what is checked is the spec the endpoint writes and the answers (a
 * region that can't be reached shows as InProgress or Failed, never InSync).
 */
class EndpointReplicationIT {

  static final String OWN = "us-east-1";
  static final String WEST = "eu-west-1";
  static final String SOUTH = "ap-south-1";

  static TestCluster cluster;
  static SecretsManagerClient sm;
  static AccessKeys.AccessKey admin;

  @BeforeAll
  static void start() {
    cluster =
        EndpointClients.start(
            Map.of(
                "MANAGEDSECRET_REGION",
                OWN,
                "MANAGEDSECRET_REPLICATION_PEERS",
                "[{region: "
                    + WEST
                    + ", kubeconfigSecret: peer-west}, {region: "
                    + SOUTH
                    + ", kubeconfigSecret: peer-south}]"));
    admin = EndpointClients.administrator(cluster);
    sm = EndpointClients.client(EndpointClients.endpoint(cluster).url(), admin, OWN);
  }

  @AfterAll
  static void stop() {
    if (sm != null) {
      sm.close();
    }
    cluster.close();
  }

  static ManagedSecret object(String secretName) {
    return EndpointSdkIT.object(cluster, secretName);
  }

  static List<String> regionsOf(ManagedSecret ms) {
    return ms.getSpec().replicaRegions == null
        ? List.of()
        : ms.getSpec().replicaRegions.stream().map(r -> r.region).toList();
  }

  @Test
  void replicateSecretToRegionsAppendsTheRegionsAndAnswersThemInProgress() {
    String arn = sm.createSecret(r -> r.name("repl/orders").secretString("v")).arn();

    ReplicateSecretToRegionsResponse answer =
        sm.replicateSecretToRegions(
            r ->
                r.secretId("repl/orders")
                    .addReplicaRegions(x -> x.region(WEST).kmsKeyId("alias/orders-eu"))
                    .forceOverwriteReplicaSecret(true));
    ManagedSecret ms = object("repl/orders");

    assertThat(answer.arn()).isEqualTo(arn);
    assertThat(answer.replicationStatus())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.region()).isEqualTo(WEST);
              assertThat(s.kmsKeyId()).isEqualTo("alias/orders-eu");
              assertThat(s.status()).isEqualTo(StatusType.IN_PROGRESS);
            });
    assertThat(ms.getSpec().replicaRegions)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.region).isEqualTo(WEST);
              assertThat(r.kmsKeyId).isEqualTo("alias/orders-eu");
            });
    assertThat(ms.getSpec().forceOverwriteReplicaSecret).isTrue();

    ReplicateSecretToRegionsResponse more =
        sm.replicateSecretToRegions(
            r ->
                r.secretId("repl/orders")
                    .addReplicaRegions(
                        x -> x.region(WEST).kmsKeyId("alias/orders-eu"), x -> x.region(SOUTH)));

    assertThat(more.replicationStatus())
        .extracting(ReplicationStatusType::region)
        .containsExactly(WEST, SOUTH);
    assertThat(regionsOf(object("repl/orders"))).containsExactly(WEST, SOUTH);
  }

  @Test
  void aRegionReplicatedUnderAnotherKeyTheOwnRegionAndAStrangerAreRefusedAndTheSpecStays() {
    sm.createSecret(r -> r.name("repl/keyed").secretString("v"));
    sm.replicateSecretToRegions(
        r -> r.secretId("repl/keyed").addReplicaRegions(x -> x.region(WEST).kmsKeyId("k1")));
    Long generation = object("repl/keyed").getMetadata().getGeneration();

    InvalidParameterException otherKey =
        catchThrowableOfType(
            InvalidParameterException.class,
            () ->
                sm.replicateSecretToRegions(
                    r ->
                        r.secretId("repl/keyed")
                            .addReplicaRegions(x -> x.region(WEST).kmsKeyId("k2"))));
    InvalidParameterException own =
        catchThrowableOfType(
            InvalidParameterException.class,
            () ->
                sm.replicateSecretToRegions(
                    r -> r.secretId("repl/keyed").addReplicaRegions(x -> x.region(OWN))));
    InvalidParameterException stranger =
        catchThrowableOfType(
            InvalidParameterException.class,
            () ->
                sm.replicateSecretToRegions(
                    r -> r.secretId("repl/keyed").addReplicaRegions(x -> x.region("sa-east-1"))));

    assertThat(otherKey.awsErrorDetails().errorMessage())
        .startsWith("The secret is already replicated to eu-west-1 with the key k1");
    assertThat(own.awsErrorDetails().errorMessage()).isEqualTo("Invalid replica region.");
    assertThat(stranger.awsErrorDetails().errorMessage())
        .startsWith("Replica region sa-east-1 is not a peer region of this operator");
    ManagedSecret ms = object("repl/keyed");
    assertThat(ms.getMetadata().getGeneration()).isEqualTo(generation);
    assertThat(ms.getSpec().replicaRegions.get(0).kmsKeyId).isEqualTo("k1");
  }

  @Test
  void removeRegionsFromReplicationRemovesThemAndAnswersWhatRemains() {
    sm.createSecret(r -> r.name("repl/removed").secretString("v"));
    sm.replicateSecretToRegions(
        r ->
            r.secretId("repl/removed")
                .addReplicaRegions(x -> x.region(WEST), x -> x.region(SOUTH)));

    RemoveRegionsFromReplicationResponse one =
        sm.removeRegionsFromReplication(r -> r.secretId("repl/removed").removeReplicaRegions(WEST));
    assertThat(one.replicationStatus())
        .extracting(ReplicationStatusType::region)
        .containsExactly(SOUTH);
    assertThat(regionsOf(object("repl/removed"))).containsExactly(SOUTH);

    RemoveRegionsFromReplicationResponse none =
        sm.removeRegionsFromReplication(
            r -> r.secretId("repl/removed").removeReplicaRegions(SOUTH));
    InvalidParameterException again =
        catchThrowableOfType(
            InvalidParameterException.class,
            () ->
                sm.removeRegionsFromReplication(
                    r -> r.secretId("repl/removed").removeReplicaRegions(SOUTH)));

    assertThat(none.replicationStatus()).isEmpty();
    assertThat(object("repl/removed").getSpec().replicaRegions).isNull();
    assertThat(again.awsErrorDetails().errorMessage())
        .isEqualTo(
            "Invalid replica region. The secret is not replicated to ap-south-1; it has no replica"
                + " regions.");
  }

  @Test
  void createSecretWithReplicaRegionsSetsThemInTheSpecAndDescribeSecretShowsThem() {
    CreateSecretResponse created =
        sm.createSecret(
            r ->
                r.name("repl/created")
                    .secretString("v")
                    .addReplicaRegions(x -> x.region(SOUTH).kmsKeyId("alias/south"))
                    .forceOverwriteReplicaSecret(true));
    ManagedSecret ms = object("repl/created");
    awaitSynced(cluster.client, "default", ms.getMetadata().getName());
    DescribeSecretResponse described = sm.describeSecret(r -> r.secretId("repl/created"));
    SecretListEntry listed =
        sm.listSecrets(r -> r.filters(f -> f.key(FilterNameStringType.NAME).values("repl/created")))
            .secretList()
            .get(0);

    assertThat(created.replicationStatus())
        .singleElement()
        .satisfies(s -> assertThat(s.status()).isEqualTo(StatusType.IN_PROGRESS));
    assertThat(ms.getSpec().replicaRegions)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.region).isEqualTo(SOUTH);
              assertThat(r.kmsKeyId).isEqualTo("alias/south");
            });
    assertThat(ms.getSpec().forceOverwriteReplicaSecret).isTrue();
    assertThat(described.primaryRegion()).isEqualTo(OWN);
    assertThat(described.replicationStatus())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.region()).isEqualTo(SOUTH);
              assertThat(s.kmsKeyId()).isEqualTo("alias/south");
              assertThat(s.status()).isIn(StatusType.IN_PROGRESS, StatusType.FAILED);
            });
    assertThat(listed.primaryRegion()).isEqualTo(OWN);
  }

  @Test
  void createSecretWithTheOwnRegionAsReplicaIsRefusedAndMakesNothing() {
    InvalidParameterException refused =
        catchThrowableOfType(
            InvalidParameterException.class,
            () ->
                sm.createSecret(
                    r ->
                        r.name("repl/own")
                            .secretString("v")
                            .addReplicaRegions(x -> x.region(OWN))));

    assertThat(refused.awsErrorDetails().errorMessage()).isEqualTo("Invalid replica region.");
    assertThat(
            cluster.client.resources(ManagedSecret.class).inNamespace("default").list().getItems())
        .noneMatch(ms -> "repl/own".equals(ms.getSpec().secretName));
  }

  @Test
  void replicaRegionsThatKubectlSetAreNotChangedThroughTheEndpoint() {
    create(
        cluster.client,
        managedSecret(
            "default",
            "gitops-replicated",
            s -> {
              s.data = Map.of("password", "p");
              s.replicaRegions = new java.util.ArrayList<>(List.of(new ReplicaRegion(WEST, null)));
            }));
    awaitSynced(cluster.client, "default", "gitops-replicated");

    InvalidRequestException add =
        catchThrowableOfType(
            InvalidRequestException.class,
            () ->
                sm.replicateSecretToRegions(
                    r ->
                        r.secretId("default/gitops-replicated")
                            .addReplicaRegions(x -> x.region(SOUTH))));
    InvalidRequestException remove =
        catchThrowableOfType(
            InvalidRequestException.class,
            () ->
                sm.removeRegionsFromReplication(
                    r -> r.secretId("default/gitops-replicated").removeReplicaRegions(WEST)));
    ReplicateSecretToRegionsResponse same =
        sm.replicateSecretToRegions(
            r -> r.secretId("default/gitops-replicated").addReplicaRegions(x -> x.region(WEST)));

    assertThat(add.awsErrorDetails().errorMessage())
        .contains("spec.replicaRegions of ManagedSecret default/gitops-replicated")
        .contains("was set by");
    assertThat(remove.awsErrorDetails().errorMessage()).contains("spec.replicaRegions");
    assertThat(same.replicationStatus())
        .extracting(ReplicationStatusType::region)
        .containsExactly(WEST);
    assertThat(regionsOf(get(cluster.client, "default", "gitops-replicated")))
        .containsExactly(WEST);
  }

  @Test
  void stopReplicationToReplicaOfASecretThatIsNoReplicaIsRefused() {
    sm.createSecret(r -> r.name("repl/primary").secretString("v"));

    InvalidRequestException refused =
        catchThrowableOfType(
            InvalidRequestException.class,
            () -> sm.stopReplicationToReplica(r -> r.secretId("repl/primary")));

    assertThat(refused.awsErrorDetails().errorMessage())
        .isEqualTo(ReplicationRequests.NOT_A_REPLICA);
    assertThat(object("repl/primary").getMetadata().getAnnotations())
        .doesNotContainKey(ReplicationRequests.STOP_REPLICATION);
  }

  /** A replica's ManagedSecret made by hand: owned by a ManagedSecretReplica of sa-east-1. */
  static ManagedSecret replica(String name) {
    ManagedSecretReplica owner = new ManagedSecretReplica();
    owner.setMetadata(new ObjectMetaBuilder().withNamespace("default").withName(name).build());
    owner.setSpec(new ManagedSecretReplicaSpec());
    owner.getSpec().primaryRegion = "sa-east-1";
    owner.getSpec().primaryArn =
        "arn:aws:secretsmanager:sa-east-1:123456789012:secret:default/" + name + "-AbCdEf";
    owner.getSpec().sealed = "not-a-payload";
    ManagedSecretReplica made = cluster.client.resource(owner).create();
    ManagedSecret ms =
        managedSecret("default", name, s -> s.data = Map.of("password", "replicated"));
    ms.getMetadata().setAnnotations(Map.of(Replicas.REPLICA_OF, owner.getSpec().primaryArn));
    ms.getMetadata()
        .setOwnerReferences(
            List.of(
                new OwnerReferenceBuilder()
                    .withApiVersion("managedsecrets.dev/v1alpha1")
                    .withKind("ManagedSecretReplica")
                    .withName(name)
                    .withUid(made.getMetadata().getUid())
                    .withController(true)
                    .build()));
    create(cluster.client, ms);
    return awaitSynced(cluster.client, "default", name);
  }

  @Test
  void stopReplicationToReplicaMarksAReplicaForPromotionAndIsTheOneChangeItTakes() {
    replica("mirror");
    String arn = sm.describeSecret(r -> r.secretId("default/mirror")).arn();

    StopReplicationToReplicaResponse stopped =
        sm.stopReplicationToReplica(r -> r.secretId("default/mirror"));
    ManagedSecret ms = get(cluster.client, "default", "mirror");
    InvalidRequestException write =
        catchThrowableOfType(
            InvalidRequestException.class,
            () ->
                sm.replicateSecretToRegions(
                    r -> r.secretId("default/mirror").addReplicaRegions(x -> x.region(WEST))));
    DescribeSecretResponse described = sm.describeSecret(r -> r.secretId("default/mirror"));

    assertThat(stopped.arn()).isEqualTo(arn);
    assertThat(
            Instant.parse(
                ms.getMetadata().getAnnotations().get(ReplicationRequests.STOP_REPLICATION)))
        .isBeforeOrEqualTo(Instant.now());
    assertThat(write.awsErrorDetails().errorMessage())
        .isEqualTo(
            "Operation not permitted on a replica secret. Call must be made in primary secret's"
                + " region (sa-east-1).");
    assertThat(described.primaryRegion()).isEqualTo("sa-east-1");
    assertThat(ms.getSpec().replicaRegions).isNull();
  }

  @Test
  void theAwsCliReplicatesRemovesAndPrintsAwsResponses() throws Exception {
    sm.createSecret(r -> r.name("repl/cli").secretString("v"));
    Path dir = Files.createTempDirectory("aws-cli-replicate");
    Map<String, String> env =
        Map.of(
            "AWS_ACCESS_KEY_ID", admin.accessKeyId(),
            "AWS_SECRET_ACCESS_KEY", admin.secretAccessKey(),
            "AWS_DEFAULT_REGION", OWN);
    String url = EndpointClients.endpoint(cluster).url();

    AwsCli.Run added =
        AwsCli.run(
            dir,
            env,
            "secretsmanager",
            "replicate-secret-to-regions",
            "--secret-id",
            "repl/cli",
            "--add-replica-regions",
            "Region=" + WEST + ",KmsKeyId=alias/cli",
            "Region=" + SOUTH,
            "--force-overwrite-replica-secret",
            "--endpoint-url",
            url);
    AwsCli.Run removed =
        AwsCli.run(
            dir,
            env,
            "secretsmanager",
            "remove-regions-from-replication",
            "--secret-id",
            "repl/cli",
            "--remove-replica-regions",
            WEST,
            "--endpoint-url",
            url);
    AwsCli.Run stop =
        AwsCli.run(
            dir,
            env,
            "secretsmanager",
            "stop-replication-to-replica",
            "--secret-id",
            "repl/cli",
            "--endpoint-url",
            url);

    assertThat(added.exitCode()).as(added.err()).isZero();
    JsonNode out = new ObjectMapper().readTree(added.out());
    assertThat(out.path("ReplicationStatus").findValuesAsText("Region"))
        .containsExactly(WEST, SOUTH);
    assertThat(out.path("ReplicationStatus").get(0).path("KmsKeyId").asText())
        .isEqualTo("alias/cli");
    assertThat(removed.exitCode()).as(removed.err()).isZero();
    assertThat(
            new ObjectMapper()
                .readTree(removed.out())
                .path("ReplicationStatus")
                .findValuesAsText("Region"))
        .containsExactly(SOUTH);
    assertThat(stop.exitCode()).isNotZero();
    assertThat(stop.err())
        .contains("InvalidRequestException")
        .contains(ReplicationRequests.NOT_A_REPLICA);
    ManagedSecret ms = object("repl/cli");
    assertThat(regionsOf(ms)).containsExactly(SOUTH);
    assertThat(ms.getSpec().forceOverwriteReplicaSecret).isTrue();
  }
}
