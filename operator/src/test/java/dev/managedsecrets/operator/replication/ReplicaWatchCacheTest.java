package dev.managedsecrets.operator.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.api.v1alpha1.ManagedSecretReplica;
import dev.managedsecrets.api.v1alpha1.ManagedSecretReplicaSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecretReplicaStatus;
import dev.managedsecrets.operator.cache.Caches;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import org.junit.jupiter.api.Test;

class ReplicaWatchCacheTest {

  static ManagedSecretReplica replica(String sealed) {
    ManagedSecretReplica replica = new ManagedSecretReplica();
    replica.setMetadata(
        new ObjectMetaBuilder().withNamespace("team-a").withName("orders-db").build());
    ManagedSecretReplicaSpec spec = new ManagedSecretReplicaSpec();
    spec.primaryRegion = "us-east-1";
    spec.primaryArn = "arn:aws:secretsmanager:us-east-1:000000000000:secret:orders-db-AbCdEf";
    spec.sealed = sealed;
    spec.forceOverwrite = true;
    replica.setSpec(spec);
    ManagedSecretReplicaStatus status = new ManagedSecretReplicaStatus();
    status.versionId = "v1";
    replica.setStatus(status);
    return replica;
  }

  @Test
  void theWatchsCacheKeepsAReplicaWithoutItsPayloadButWithEverythingElse() {
    String payload = "msr1." + "A".repeat(100_000);
    ItemStore<ManagedSecretReplica> store = Caches.compactAfter(Replicator::withoutPayload);
    store.put("team-a/orders-db", replica(payload));

    ManagedSecretReplica kept = store.get("team-a/orders-db");
    assertThat(kept.getSpec().sealed).startsWith("sha256:").hasSizeLessThan(100);
    assertThat(kept.getSpec().primaryRegion).isEqualTo("us-east-1");
    assertThat(kept.getSpec().primaryArn).endsWith(":secret:orders-db-AbCdEf");
    assertThat(kept.getSpec().forceOverwrite).isTrue();
    assertThat(kept.getStatus().versionId).isEqualTo("v1");
    assertThat(kept.getMetadata().getName()).isEqualTo("orders-db");
  }

  @Test
  void aKeptReplicaHasTheSameFingerprintAsTheWholeOneAndAnotherPayloadAnotherFingerprint() {
    ManagedSecretReplica whole = replica("msr1.first");
    ManagedSecretReplica kept = Replicator.withoutPayload(whole);

    assertThat(Replicator.fingerprint(kept)).isEqualTo(Replicator.fingerprint(whole));
    assertThat(Replicator.fingerprint(replica("msr1.second")))
        .isNotEqualTo(Replicator.fingerprint(kept));
    // The whole object the watch delivers is left as it came.
    assertThat(whole.getSpec().sealed).isEqualTo("msr1.first");
  }
}
