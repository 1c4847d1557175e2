package dev.managedsecrets.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import dev.managedsecrets.api.v1alpha1.ReplicationStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A reconcile starts from a copy of the status it read: every field, nothing shared. */
class StatusCopyTest {

  @Test
  void theReplicationStatusIsCopiedEqualAndIndependentOfTheOriginal() {
    ManagedSecretStatus status = new ManagedSecretStatus();
    status.arn = "arn";
    status.replicationStatus =
        new ArrayList<>(
            List.of(
                new ReplicationStatus(
                    "eu-west-1",
                    "alias/orders",
                    ReplicationStatus.IN_SYNC,
                    "Replication succeeded"),
                new ReplicationStatus("ap-south-1", null, ReplicationStatus.IN_PROGRESS, null)));

    ManagedSecretStatus copy = ManagedSecretReconciler.copy(status);
    assertThat(copy).isEqualTo(status);
    copy.replicationStatus.get(0).status = ReplicationStatus.FAILED;
    copy.replicationStatus.remove(1);
    assertThat(status.replicationStatus)
        .hasSize(2)
        .first()
        .satisfies(r -> assertThat(r.status).isEqualTo(ReplicationStatus.IN_SYNC));
    assertThat(copy).isNotEqualTo(status);

    assertThat(ManagedSecretReconciler.copy(new ManagedSecretStatus()).replicationStatus).isNull();
  }
}
