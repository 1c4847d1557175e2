package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.WAIT;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretReplica;
import dev.managedsecrets.api.v1alpha1.ManagedSecretReplicaSpec;
import dev.managedsecrets.api.v1alpha1.ReplicaRegion;
import dev.managedsecrets.api.v1alpha1.ReplicationStatus;
import dev.managedsecrets.core.replication.ReplicaBinding;
import dev.managedsecrets.core.replication.ReplicaPayload;
import dev.managedsecrets.core.replication.ReplicaSeal;
import dev.managedsecrets.core.replication.ReplicaVersion;
import dev.managedsecrets.core.sealing.PublishedSealingKeys;
import dev.managedsecrets.core.sealing.SealingPrivateKey;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two regions, each an in-memory API server with its own operator, store and keys, peers of each
 * other through kubeconfig Secrets; a third peer region whose API server can't be reached. A
 * ManagedSecret of us-east-1 with eu-west-1 in spec.replicaRegions gets a read-only replica there
 * with the same VersionIds and labels, an ARN of that region, and the same projected Secret, in a
 * namespace that opted in; changes follow; a name taken there is reported, and overwritten only
 * when forced; a replica no peer sealed is refused; removing a region or the primary removes the
 * replica; an unreachable region is reported and, on deletion, orphaned after
 * replication.orphanAfter.
 */
class ReplicationIT {

  static final String EAST = "us-east-1";
  static final String WEST = "eu-west-1";
  static final String DOWN = "ap-south-1";
  static final String NS = "team-a";

  static TestCluster east;
  static TestCluster west;

  @BeforeAll
  static void start() {
    east = TestCluster.withoutOperator();
    west = TestCluster.withoutOperator();
    try {
      peer(east, "peer-west", west.api.kubeconfig());
      peer(west, "peer-east", east.api.kubeconfig());
      peer(east, "peer-down", west.api.kubeconfig().replace(west.api.url(), "https://127.0.0.1:9"));
      west.client
          .namespaces()
          .withName(NS)
          .edit(
              n -> {
                n.getMetadata().setLabels(Map.of("managedsecrets.dev/accept-replicas", "true"));
                return n;
              });
      east.configure =
          Map.of(
              "MANAGEDSECRET_REGION",
              EAST,
              "MANAGEDSECRET_REPLICATION_PEERS",
              "[{region: "
                  + WEST
                  + ", kubeconfigSecret: peer-west},"
                  + " {region: "
                  + DOWN
                  + ", kubeconfigSecret: peer-down}]",
              "MANAGEDSECRET_REPLICATION_ORPHAN_AFTER",
              "PT1M",
              "MANAGEDSECRET_REPLICATION_REQUEST_TIMEOUT",
              "PT2S");
      west.configure =
          Map.of(
              "MANAGEDSECRET_REGION",
              WEST,
              "MANAGEDSECRET_REPLICATION_PEERS",
              "[{region: " + EAST + ", kubeconfigSecret: peer-east}]");
      west.startOperator();
      east.startOperator();
    } catch (RuntimeException e) {
      stop();
      throw e;
    }
  }

  @AfterAll
  static void stop() {
    if (east != null) {
      east.close();
    }
    if (west != null) {
      west.close();
    }
  }

  static void peer(TestCluster cluster, String name, String kubeconfig) {
    cluster
        .client
        .secrets()
        .inNamespace(TestCluster.OPERATOR_NAMESPACE)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withData(
                    Map.of(
                        "kubeconfig",
                        Base64.getEncoder()
                            .encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8))))
                .build())
        .create();
  }

  static ManagedSecret replicated(String namespace, String name, String value, String... regions) {
    return replicatedIn(east, namespace, name, value, regions);
  }

  /** A ManagedSecret of {@code primary} with one value, replicated to {@code regions}. */
  static ManagedSecret replicatedIn(
      TestCluster primary, String namespace, String name, String value, String... regions) {
    return create(
        primary.client,
        managedSecret(
            namespace,
            name,
            s -> {
              s.data = Map.of("password", value);
              s.replicaRegions =
                  java.util.Arrays.stream(regions)
                      .map(
                          r -> {
                            ReplicaRegion rr = new ReplicaRegion();
                            rr.region = r;
                            return rr;
                          })
                      .toList();
            }));
  }

  static ReplicationStatus awaitRegion(String namespace, String name, String region, String state) {
    return await()
        .atMost(WAIT)
        .until(
            () -> regionStatus(get(east.client, namespace, name), region),
            s -> s != null && state.equals(s.status));
  }

  /** Waits until the region reports {@code state} with a message that contains {@code text}. */
  static ReplicationStatus awaitRegion(
      String namespace, String name, String region, String state, String text) {
    return await()
        .atMost(WAIT)
        .until(
            () -> regionStatus(get(east.client, namespace, name), region),
            s ->
                s != null
                    && state.equals(s.status)
                    && s.statusMessage != null
                    && s.statusMessage.contains(text));
  }

  static ReplicationStatus regionStatus(ManagedSecret ms, String region) {
    if (ms == null || ms.getStatus() == null || ms.getStatus().replicationStatus == null) {
      return null;
    }
    return ms.getStatus().replicationStatus.stream()
        .filter(s -> region.equals(s.region))
        .findFirst()
        .orElse(null);
  }

  @Test
  void aReplicaHoldsThePrimarysVersionsUnderItsRegionsArnAndProjectsTheSameSecret() {
    replicated(NS, "orders-db", "p1", WEST);

    assertThat(awaitRegion(NS, "orders-db", WEST, "InSync").statusMessage)
        .isEqualTo("Replication succeeded.");
    ManagedSecret primary = awaitSynced(east.client, NS, "orders-db");
    ManagedSecret replica = awaitSynced(west.client, NS, "orders-db");
    assertThat(replica.getStatus().versionId).isEqualTo(primary.getStatus().versionId);
    assertThat(replica.getStatus().versionIdsToStages)
        .isEqualTo(primary.getStatus().versionIdsToStages);
    assertThat(replica.getStatus().arn)
        .isEqualTo(primary.getStatus().arn.replace(":" + EAST + ":", ":" + WEST + ":"));
    assertThat(replica.getMetadata().getAnnotations())
        .containsEntry("managedsecrets.dev/replica-of", primary.getStatus().arn);
    assertThat(text(secret(west.client, NS, "orders-db"))).isEqualTo(Map.of("password", "p1"));

    // A change on the primary reaches the replica, with the same new VersionId.
    edit(east.client, NS, "orders-db", s -> s.data = Map.of("password", "p2"));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(text(secret(west.client, NS, "orders-db")))
                    .isEqualTo(Map.of("password", "p2")));
    String changed = awaitSynced(east.client, NS, "orders-db").getStatus().versionId;
    await()
        .atMost(WAIT)
        .until(() -> changed.equals(get(west.client, NS, "orders-db").getStatus().versionId));
    assertThat(get(west.client, NS, "orders-db").getStatus().versionIdsToStages)
        .isEqualTo(get(east.client, NS, "orders-db").getStatus().versionIdsToStages);

    // So do the description and the tags.
    edit(
        east.client,
        NS,
        "orders-db",
        s -> {
          s.description = "orders database";
          s.tags = List.of(new dev.managedsecrets.api.v1alpha1.Tag("team", "orders"));
        });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              ManagedSecret replicaNow = get(west.client, NS, "orders-db");
              assertThat(replicaNow.getSpec().description).isEqualTo("orders database");
              assertThat(replicaNow.getSpec().tags)
                  .extracting(t -> t.key + "=" + t.value)
                  .containsExactly("team=orders");
            });
  }

  @Test
  void anEditOfTheReplicaInItsRegionIsPutBack() {
    replicated(NS, "kept", "k1", WEST);
    awaitRegion(NS, "kept", WEST, "InSync");
    awaitSynced(west.client, NS, "kept");

    edit(west.client, NS, "kept", s -> s.description = "changed by a tenant");

    await().atMost(WAIT).until(() -> get(west.client, NS, "kept").getSpec().description == null);
    assertThat(text(secret(west.client, NS, "kept"))).isEqualTo(Map.of("password", "k1"));
  }

  @Test
  void aNamespaceThatDoesNotAcceptReplicasIsReportedAsFailed() {
    replicated("team-b", "closed", "c1", WEST);

    awaitRegion("team-b", "closed", WEST, "Failed", "does not accept replicas");
    assertThat(get(west.client, "team-b", "closed")).isNull();
    assertThat(awaitSynced(east.client, "team-b", "closed").getStatus().versionId).isNotNull();
  }

  @Test
  void aSecretOfThatNameInTheRegionIsKeptUnlessTheOverwriteIsForced() {
    create(west.client, managedSecret(NS, "taken", s -> s.data = Map.of("password", "theirs")));
    awaitSynced(west.client, NS, "taken");
    replicated(NS, "taken", "ours", WEST);

    assertThat(
            awaitRegion(NS, "taken", WEST, "Failed", "already exists in this region").statusMessage)
        .isEqualTo("Replication failed: Secret with this name already exists in this region.");
    assertThat(text(secret(west.client, NS, "taken"))).isEqualTo(Map.of("password", "theirs"));

    edit(east.client, NS, "taken", s -> s.forceOverwriteReplicaSecret = true);

    awaitRegion(NS, "taken", WEST, "InSync");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(text(secret(west.client, NS, "taken")))
                    .isEqualTo(Map.of("password", "ours")));
  }

  @Test
  void aReplicaThatNoPeerSealedIsRefusedAndMakesNothing() throws Exception {
    // Someone who may write ManagedSecretReplicas in eu-west-1 seals a payload for its operator
    // with a key of their own: it is not us-east-1's operator's key, so it does not open.
    String published =
        west.client
            .configMaps()
            .inNamespace(TestCluster.OPERATOR_NAMESPACE)
            .withName(PublishedSealingKeys.CONFIG_MAP)
            .get()
            .getData()
            .get(PublishedSealingKeys.KEYS);
    var recipient = PublishedSealingKeys.parse(published).current();
    SealingPrivateKey forger = SealingPrivateKey.generate();
    ReplicaPayload payload =
        new ReplicaPayload(
            new ReplicaBinding(EAST, WEST, NS, "forged"),
            "arn:k8s:secretsmanager:" + EAST + ":123456789012:secret:forged-AbCdEf",
            1,
            null,
            Map.of(),
            "{}",
            List.of(
                new ReplicaVersion(
                    "11111111-2222-3333-4444-555555555555",
                    List.of("AWSCURRENT"),
                    Instant.now(),
                    "forged-value-7f3a".getBytes(StandardCharsets.UTF_8),
                    false)));
    ManagedSecretReplica replica = new ManagedSecretReplica();
    replica.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("forged").build());
    replica.setSpec(new ManagedSecretReplicaSpec());
    replica.getSpec().primaryRegion = EAST;
    replica.getSpec().primaryArn = payload.primaryArn();
    replica.getSpec().sealed = ReplicaSeal.seal(payload, forger, recipient);
    west.client.resource(replica).create();

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              ManagedSecretReplica r =
                  west.client
                      .resources(ManagedSecretReplica.class)
                      .inNamespace(NS)
                      .withName("forged")
                      .get();
              assertThat(r.getStatus()).isNotNull();
              assertThat(r.getStatus().conditions)
                  .anySatisfy(
                      c -> {
                        assertThat(c.getStatus()).isEqualTo("False");
                        assertThat(c.getReason()).isEqualTo("AccessDeniedException");
                        assertThat(c.getMessage()).doesNotContain("forged-value-7f3a");
                      });
            });
    assertThat(get(west.client, NS, "forged")).isNull();
  }

  @Test
  void removingARegionRemovesItsReplicaAndDeletingThePrimaryRemovesTheRest() {
    replicated(NS, "leaving", "l1", WEST);
    awaitRegion(NS, "leaving", WEST, "InSync");
    awaitSynced(west.client, NS, "leaving");

    edit(east.client, NS, "leaving", s -> s.replicaRegions = null);

    await().atMost(WAIT).until(() -> get(west.client, NS, "leaving") == null);
    await().atMost(WAIT).until(() -> secret(west.client, NS, "leaving") == null);
    await()
        .atMost(WAIT)
        .until(() -> get(east.client, NS, "leaving").getStatus().replicationStatus == null);

    replicated(NS, "deleted", "d1", WEST);
    awaitRegion(NS, "deleted", WEST, "InSync");
    awaitSynced(west.client, NS, "deleted");
    east.client.resources(ManagedSecret.class).inNamespace(NS).withName("deleted").delete();

    await().atMost(WAIT).until(() -> get(west.client, NS, "deleted") == null);
    await().atMost(WAIT).until(() -> get(east.client, NS, "deleted") == null);
  }

  @Test
  void aRegionThatCantBeReachedIsReportedWithoutHoldingThePrimaryOrItsOtherRegions() {
    replicated(NS, "partly", "x1", WEST, DOWN);

    awaitRegion(NS, "partly", DOWN, "Failed", "Region " + DOWN + " can't be reached");
    awaitRegion(NS, "partly", WEST, "InSync");
    assertThat(awaitSynced(east.client, NS, "partly").getStatus().versionId).isNotNull();
    assertThat(text(secret(west.client, NS, "partly"))).isEqualTo(Map.of("password", "x1"));

    // Deleting it waits for the unreachable region, and says so, until replication.orphanAfter.
    east.client.resources(ManagedSecret.class).inNamespace(NS).withName("partly").delete();
    await().atMost(WAIT).until(() -> get(west.client, NS, "partly") == null);
    await()
        .atMost(WAIT)
        .until(
            () ->
                Fixtures.events(east.client, NS, "partly").stream()
                    .anyMatch(e -> "ReplicaDeletionPending".equals(e.getReason())));
    ManagedSecret deleting = get(east.client, NS, "partly");
    assertThat(deleting).isNotNull();
    // The operator's clock passes replication.orphanAfter (PT1M) after the deletion's time.
    Instant deletedAt = Instant.parse(deleting.getMetadata().getDeletionTimestamp());
    java.time.Duration behind =
        java.time.Duration.between(
            east.clock.instant(), deletedAt.plus(java.time.Duration.ofMinutes(2)));
    if (!behind.isNegative()) {
      east.clock.advance(behind);
    }
    await().atMost(WAIT).until(() -> get(east.client, NS, "partly") == null);
    assertThat(Fixtures.events(east.client, NS, "partly"))
        .anyMatch(e -> "ReplicaOrphaned".equals(e.getReason()));
  }

  /**
   * StopReplicationToReplica in the replica's region (the endpoint and the kubectl plugin set this
   * annotation), and the wait until the replica's ManagedSecret stands alone.
   */
  static void promote(TestCluster region, String namespace, String name) {
    region
        .client
        .resources(ManagedSecret.class)
        .inNamespace(namespace)
        .withName(name)
        .edit(
            ms -> {
              ms.getMetadata()
                  .getAnnotations()
                  .put("managedsecrets.dev/stop-replication", Instant.now().toString());
              return ms;
            });
    await()
        .atMost(WAIT)
        .until(
            () -> {
              ManagedSecret ms = get(region.client, namespace, name);
              return ms.getMetadata().getOwnerReferences().isEmpty()
                  && ms.getMetadata()
                      .getAnnotations()
                      .containsKey("managedsecrets.dev/promoted-from");
            });
  }

  @Test
  void aPromotedReplicaIsAStandaloneSecretThatThePrimaryNeverOverwritesAgain() {
    replicated(NS, "promoted", "v1", WEST);
    awaitRegion(NS, "promoted", WEST, "InSync");
    String arn = awaitSynced(west.client, NS, "promoted").getStatus().arn;

    promote(west, NS, "promoted");
    ManagedSecret standalone = awaitSynced(west.client, NS, "promoted");
    assertThat(standalone.getStatus().arn).isEqualTo(arn);
    assertThat(standalone.getMetadata().getAnnotations())
        .doesNotContainKey("managedsecrets.dev/replica-of");
    assertThat(standalone.getSpec().forceDeleteWithoutRecovery).isNull();

    // The primary reports it, and overwrites it neither after a change nor when forced.
    awaitRegion(NS, "promoted", WEST, "Failed", "promoted");
    edit(
        east.client,
        NS,
        "promoted",
        s -> {
          s.data = Map.of("password", "v2");
          s.forceOverwriteReplicaSecret = true;
        });
    awaitSynced(east.client, NS, "promoted");
    await()
        .atMost(WAIT)
        .until(
            () -> {
              ReplicationStatus s = regionStatus(get(east.client, NS, "promoted"), WEST);
              return s != null && "Failed".equals(s.status) && s.statusMessage.contains("promoted");
            });
    assertThat(text(secret(west.client, NS, "promoted"))).isEqualTo(Map.of("password", "v1"));
    assertThat(get(west.client, NS, "promoted").getMetadata().getOwnerReferences()).isEmpty();
  }

  @Test
  void aKeyTheReplicaRegionCantUseFailsThatRegionOnlyAndTheReplicaUsesItsOwnKeyOtherwise() {
    create(
        east.client,
        managedSecret(
            NS,
            "keyed",
            s -> {
              s.data = Map.of("password", "k1");
              ReplicaRegion west = new ReplicaRegion();
              west.region = WEST;
              west.kmsKeyId = "no-such-key";
              s.replicaRegions = List.of(west);
            }));

    // A transient failure (a conflict retried at once) may show first: the key's is the one that
    // stays.
    awaitRegion(NS, "keyed", WEST, "Failed", "The KMS key no-such-key was not found");
    assertThat(awaitSynced(east.client, NS, "keyed").getStatus().versionId).isNotNull();

    // The key made in that region: the replica follows, under it.
    Fixtures.createKeySynced(west.client, NS, "no-such-key", k -> {});
    await()
        .atMost(WAIT)
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(text(secret(west.client, NS, "keyed")))
                    .isEqualTo(Map.of("password", "k1")));
    assertThat(awaitSynced(west.client, NS, "keyed").getStatus().kmsKeyId)
        .contains(":" + WEST + ":");
    awaitRegion(NS, "keyed", WEST, "InSync");
  }

  @Test
  void aKeyDisabledInTheReplicaRegionFailsThatRegionOnlyUntilItIsEnabledAgain() {
    Fixtures.createKeySynced(west.client, NS, "west-key", k -> {});
    create(
        east.client,
        managedSecret(
            NS,
            "disabled-key",
            s -> {
              s.data = Map.of("password", "d1");
              ReplicaRegion west = new ReplicaRegion();
              west.region = WEST;
              west.kmsKeyId = "west-key";
              s.replicaRegions = List.of(west);
            }));
    awaitRegion(NS, "disabled-key", WEST, "InSync");

    // The region's key disabled there, then a new value on the primary.
    enableKey(west, "west-key", false);
    edit(east.client, NS, "disabled-key", s -> s.data = Map.of("password", "d2"));

    awaitRegion(NS, "disabled-key", WEST, "Failed", "is Disabled");
    // The primary holds the new value; the replica keeps the one it had, nothing half-written.
    await()
        .atMost(WAIT)
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(text(secret(east.client, NS, "disabled-key")))
                    .isEqualTo(Map.of("password", "d2")));
    assertThat(text(secret(west.client, NS, "disabled-key"))).isEqualTo(Map.of("password", "d1"));

    // Enabled again: the replica catches up.
    enableKey(west, "west-key", true);
    await()
        .atMost(WAIT)
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(text(secret(west.client, NS, "disabled-key")))
                    .isEqualTo(Map.of("password", "d2")));
    awaitRegion(NS, "disabled-key", WEST, "InSync");
  }

  /** Enables or disables a key of {@code region} and waits until the key reports it. */
  static void enableKey(TestCluster region, String name, boolean enabled) {
    var key = region.client.resources(KmsKey.class).inNamespace(NS).withName(name);
    key.edit(
        k -> {
          k.getSpec().enabled = enabled;
          return k;
        });
    String state = enabled ? "Enabled" : "Disabled";
    await().atMost(WAIT).until(() -> state.equals(key.get().getStatus().keyState));
  }

  @Test
  void aRegionWhoseOperatorStoppedCatchesUpInOrderWhenItReturns() {
    replicated(NS, "resumed", "r1", WEST);
    awaitRegion(NS, "resumed", WEST, "InSync");
    awaitSynced(west.client, NS, "resumed");

    west.stopOperator();
    try {
      edit(east.client, NS, "resumed", s -> s.data = Map.of("password", "r2"));
      edit(east.client, NS, "resumed", s -> s.data = Map.of("password", "r3"));
      awaitRegion(NS, "resumed", WEST, "InProgress");
      assertThat(text(secret(west.client, NS, "resumed"))).isEqualTo(Map.of("password", "r1"));
    } finally {
      west.startOperator();
    }

    awaitRegion(NS, "resumed", WEST, "InSync");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(text(secret(west.client, NS, "resumed")))
                    .isEqualTo(Map.of("password", "r3")));
    assertThat(get(west.client, NS, "resumed").getStatus().versionIdsToStages)
        .isEqualTo(awaitSynced(east.client, NS, "resumed").getStatus().versionIdsToStages);
  }

  @Test
  void anEarlierPayloadWrittenBackIntoTheReplicaIsRefusedAndChangesNothing() {
    replicated(NS, "replayed", "old", WEST);
    awaitRegion(NS, "replayed", WEST, "InSync");
    awaitSynced(west.client, NS, "replayed");
    var replicas = west.client.resources(ManagedSecretReplica.class).inNamespace(NS);
    String earlier = replicas.withName("replayed").get().getSpec().sealed;

    edit(east.client, NS, "replayed", s -> s.data = Map.of("password", "new"));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(text(secret(west.client, NS, "replayed")))
                    .isEqualTo(Map.of("password", "new")));
    awaitRegion(NS, "replayed", WEST, "InSync");

    // Someone with write access to replicas in eu-west-1 puts the authentic older payload back.
    replicas
        .withName("replayed")
        .edit(
            r -> {
              r.getSpec().sealed = earlier;
              return r;
            });

    // Refused there, and the primary, which watches its replicas, writes its newer payload again.
    await()
        .atMost(WAIT)
        .until(
            () ->
                Fixtures.events(west.client, NS, "replayed").stream()
                    .anyMatch(
                        e ->
                            "ManagedSecretReplica".equals(e.getInvolvedObject().getKind())
                                && e.getMessage().contains("older")));
    await()
        .atMost(WAIT)
        .until(() -> !earlier.equals(replicas.withName("replayed").get().getSpec().sealed));
    awaitRegion(NS, "replayed", WEST, "InSync");
    assertThat(text(secret(west.client, NS, "replayed"))).isEqualTo(Map.of("password", "new"));
  }
}
