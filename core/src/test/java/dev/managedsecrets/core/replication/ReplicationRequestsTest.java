package dev.managedsecrets.core.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.ReplicaRegion;
import dev.managedsecrets.api.v1alpha1.ReplicationStatus;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.validation.Regions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReplicationRequestsTest {

  static final Regions REGIONS =
      new Regions("us-east-1", List.of("eu-west-1", "ap-south-1", "us-west-2"));

  static ManagedSecretSpec replicatedTo(ReplicaRegion... regions) {
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.replicaRegions = regions.length == 0 ? null : new ArrayList<>(List.of(regions));
    return spec;
  }

  static SecretsManagerException refusal(Runnable call) {
    return catchThrowableOfType(SecretsManagerException.class, call::run);
  }

  static List<String> regionsOf(ManagedSecretSpec spec) {
    return spec.replicaRegions.stream().map(r -> r.region).toList();
  }

  @Test
  void replicateAppendsNewRegionsAfterTheOnesThereWithTheirKeys() {
    ManagedSecretSpec spec = replicatedTo(new ReplicaRegion("eu-west-1", "alias/eu"));

    ReplicationRequests.replicate(
        spec,
        List.of(new ReplicaRegion("ap-south-1", null), new ReplicaRegion("us-west-2", "k-west")),
        null,
        REGIONS);

    assertThat(regionsOf(spec)).containsExactly("eu-west-1", "ap-south-1", "us-west-2");
    assertThat(spec.replicaRegions.get(0).kmsKeyId).isEqualTo("alias/eu");
    assertThat(spec.replicaRegions.get(1).kmsKeyId).isNull();
    assertThat(spec.replicaRegions.get(2).kmsKeyId).isEqualTo("k-west");
    assertThat(spec.forceOverwriteReplicaSecret).isNull();
  }

  @Test
  void aRegionReplicatedAlreadyWithTheSameKeyChangesNothingAndAnEmptyKeyIsTheDefault() {
    ManagedSecretSpec spec = replicatedTo(new ReplicaRegion("eu-west-1", null));

    ReplicationRequests.replicate(spec, List.of(new ReplicaRegion("eu-west-1", "")), null, REGIONS);

    assertThat(regionsOf(spec)).containsExactly("eu-west-1");
    assertThat(spec.replicaRegions.get(0).kmsKeyId).isNull();
  }

  @Test
  void aRegionReplicatedAlreadyUnderAnotherKeyIsRefusedAndNothingChanges() {
    ManagedSecretSpec spec = replicatedTo(new ReplicaRegion("eu-west-1", "alias/eu"));

    SecretsManagerException e =
        refusal(
            () ->
                ReplicationRequests.replicate(
                    spec,
                    List.of(
                        new ReplicaRegion("ap-south-1", null),
                        new ReplicaRegion("eu-west-1", "alias/other")),
                    true,
                    REGIONS));

    assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    assertThat(e.getMessage())
        .startsWith("The secret is already replicated to eu-west-1 with the key alias/eu");
    assertThat(regionsOf(spec)).containsExactly("eu-west-1");
    assertThat(spec.forceOverwriteReplicaSecret).isNull();
  }

  @Test
  void forceOverwriteIsTurnedOnByTrueOffByFalseAndLeftAsItIsWithout() {
    ManagedSecretSpec spec = replicatedTo();
    ReplicationRequests.replicate(
        spec, List.of(new ReplicaRegion("eu-west-1", null)), true, REGIONS);
    assertThat(spec.forceOverwriteReplicaSecret).isTrue();

    ReplicationRequests.replicate(
        spec, List.of(new ReplicaRegion("eu-west-1", null)), null, REGIONS);
    assertThat(spec.forceOverwriteReplicaSecret).isTrue();

    ReplicationRequests.replicate(
        spec, List.of(new ReplicaRegion("eu-west-1", null)), false, REGIONS);
    assertThat(spec.forceOverwriteReplicaSecret).isFalse();

    ManagedSecretSpec untouched = replicatedTo();
    ReplicationRequests.replicate(
        untouched, List.of(new ReplicaRegion("eu-west-1", null)), false, REGIONS);
    assertThat(untouched.forceOverwriteReplicaSecret).isNull();
  }

  @Test
  void anEmptyListARegionWithoutNameAndARegionListedTwiceAreRefusedWithAwsExceptions() {
    ManagedSecretSpec spec = replicatedTo();

    SecretsManagerException empty =
        refusal(() -> ReplicationRequests.replicate(spec, List.of(), null, REGIONS));
    SecretsManagerException unnamed =
        refusal(
            () ->
                ReplicationRequests.replicate(
                    spec, List.of(new ReplicaRegion(null, "k")), null, REGIONS));
    SecretsManagerException twice =
        refusal(
            () ->
                ReplicationRequests.replicate(
                    spec,
                    List.of(
                        new ReplicaRegion("eu-west-1", null), new ReplicaRegion("eu-west-1", "k")),
                    null,
                    REGIONS));

    assertThat(empty.error()).isEqualTo(AwsError.VALIDATION_EXCEPTION);
    assertThat(empty.getMessage()).contains("'addReplicaRegions'");
    assertThat(unnamed.error()).isEqualTo(AwsError.VALIDATION_EXCEPTION);
    assertThat(unnamed.getMessage()).contains("Member must not be null");
    assertThat(twice.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    assertThat(twice.getMessage()).isEqualTo("Each replica region may be listed only once.");
    assertThat(spec.replicaRegions).isNull();
  }

  @Test
  void theOwnRegionIsAnInvalidReplicaRegionAndAnotherRegionMustBeAPeer() {
    ManagedSecretSpec spec = replicatedTo();

    SecretsManagerException own =
        refusal(
            () ->
                ReplicationRequests.replicate(
                    spec, List.of(new ReplicaRegion("us-east-1", null)), null, REGIONS));
    SecretsManagerException stranger =
        refusal(
            () ->
                ReplicationRequests.replicate(
                    spec, List.of(new ReplicaRegion("sa-east-1", null)), null, REGIONS));
    SecretsManagerException shape =
        refusal(
            () ->
                ReplicationRequests.replicate(
                    spec, List.of(new ReplicaRegion("EU_WEST", null)), null, REGIONS));

    assertThat(own.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    assertThat(own.getMessage()).isEqualTo("Invalid replica region.");
    assertThat(stranger.getMessage())
        .isEqualTo(
            "Replica region sa-east-1 is not a peer region of this operator; its peer regions are"
                + " eu-west-1, ap-south-1, us-west-2 (the chart value"
                + " config.replication.peers).");
    assertThat(shape.getMessage()).isEqualTo("Invalid replica region.");
    assertThat(spec.replicaRegions).isNull();
  }

  @Test
  void moreThanTenRegionsInAllIsALimitExceeded() {
    List<String> peers = IntStream.rangeClosed(1, 11).mapToObj(i -> "peer-" + i).toList();
    Regions many = new Regions("home", peers);
    ManagedSecretSpec spec = replicatedTo();
    ReplicationRequests.replicate(
        spec,
        peers.subList(0, 10).stream().map(p -> new ReplicaRegion(p, null)).toList(),
        null,
        many);

    SecretsManagerException e =
        refusal(
            () ->
                ReplicationRequests.replicate(
                    spec, List.of(new ReplicaRegion("peer-11", null)), null, many));

    assertThat(e.error()).isEqualTo(AwsError.LIMIT_EXCEEDED_EXCEPTION);
    assertThat(e.getMessage())
        .isEqualTo("A secret can be replicated to at most 10 regions; this would make 11.");
    assertThat(spec.replicaRegions).hasSize(10);
  }

  @Test
  void removeTakesRegionsOutAndTheLastOneClearsTheFieldAndForceOverwrite() {
    ManagedSecretSpec spec =
        replicatedTo(new ReplicaRegion("eu-west-1", "k"), new ReplicaRegion("ap-south-1", null));
    spec.forceOverwriteReplicaSecret = true;

    ReplicationRequests.remove(spec, List.of("eu-west-1"));
    assertThat(regionsOf(spec)).containsExactly("ap-south-1");
    assertThat(spec.forceOverwriteReplicaSecret).isTrue();

    ReplicationRequests.remove(spec, List.of("ap-south-1"));
    assertThat(spec.replicaRegions).isNull();
    assertThat(spec.forceOverwriteReplicaSecret).isNull();
  }

  @Test
  void removingARegionTheSecretIsNotReplicatedToIsAnInvalidParameterAndNothingChanges() {
    ManagedSecretSpec spec = replicatedTo(new ReplicaRegion("eu-west-1", null));

    SecretsManagerException e =
        refusal(() -> ReplicationRequests.remove(spec, List.of("eu-west-1", "ap-south-1")));
    SecretsManagerException none =
        refusal(() -> ReplicationRequests.remove(replicatedTo(), List.of("eu-west-1")));
    SecretsManagerException empty = refusal(() -> ReplicationRequests.remove(spec, List.of()));

    assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    assertThat(e.getMessage())
        .isEqualTo(
            "Invalid replica region. The secret is not replicated to ap-south-1; its replica"
                + " regions are eu-west-1.");
    assertThat(none.getMessage()).endsWith("; it has no replica regions.");
    assertThat(empty.error()).isEqualTo(AwsError.VALIDATION_EXCEPTION);
    assertThat(regionsOf(spec)).containsExactly("eu-west-1");
  }

  @Test
  void onlyAReplicaIsStopped() {
    ReplicationRequests.requireReplica(true);

    SecretsManagerException e = refusal(() -> ReplicationRequests.requireReplica(false));

    assertThat(e.error()).isEqualTo(AwsError.INVALID_REQUEST_EXCEPTION);
    assertThat(e.getMessage()).isEqualTo(ReplicationRequests.NOT_A_REPLICA);
  }

  @Test
  void statusesFollowTheSpecAndAreInProgressForARegionTheStatusDoesNotReportUnderItsKey() {
    List<ReplicaRegion> spec =
        List.of(
            new ReplicaRegion("eu-west-1", null),
            new ReplicaRegion("ap-south-1", "k2"),
            new ReplicaRegion("us-west-2", null));
    List<ReplicationStatus> reported =
        List.of(
            new ReplicationStatus("eu-west-1", null, "InSync", "Replication succeeded."),
            new ReplicationStatus("ap-south-1", "k1", "InSync", "Replication succeeded."),
            new ReplicationStatus("gone-1", null, "InSync", "Replication succeeded."));

    List<ReplicationStatus> statuses = ReplicationRequests.statuses(spec, reported);

    assertThat(statuses)
        .containsExactly(
            new ReplicationStatus("eu-west-1", null, "InSync", "Replication succeeded."),
            new ReplicationStatus("ap-south-1", "k2", "InProgress", "Replication in progress."),
            new ReplicationStatus("us-west-2", null, "InProgress", "Replication in progress."));
    assertThat(ReplicationRequests.statuses(null, reported)).isEmpty();
  }
}
