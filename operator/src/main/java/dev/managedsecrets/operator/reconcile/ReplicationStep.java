package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ReplicationStatus;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.operator.replication.Replicator;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The replication part of a ManagedSecret's reconcile: hands the secret to the {@link Replicator}
 * (which works on its own threads), shows what each region reports in {@code
 * status.replicationStatus}, and removes the replicas first when the ManagedSecret is deleted. A
 * region that can't be reached holds the deletion for {@code orphanAfter} at most; after that its
 * replica is reported as orphaned and the deletion goes on.
 */
final class ReplicationStep {

  static final String SOURCE = "replication";

  /** How soon a deletion waiting for an unreachable region tries again. */
  static final Duration RETRY_REMOVAL = Duration.ofSeconds(15);

  private final Replicator replicator;
  private final Duration orphanAfter;
  private final EventRecorder events;
  private final Clock clock;
  private final SimpleInboundEventSource<ManagedSecret> changes =
      new SimpleInboundEventSource<>(SOURCE);

  ReplicationStep(Replicator replicator, Duration orphanAfter, EventRecorder events, Clock clock) {
    this.replicator = replicator;
    this.orphanAfter = orphanAfter;
    this.events = events;
    this.clock = clock;
  }

  /** Reconciles {@code namespace/name} again: what a region reports changed. */
  void changed(String namespace, String name) {
    if (changes.isRunning()) {
      changes.propagateEvent(new ResourceID(name, namespace));
    }
  }

  SimpleInboundEventSource<ManagedSecret> eventSource() {
    return changes;
  }

  /** Replicates {@code ms} as its record is now; returns its regions' status. */
  List<ReplicationStatus> run(ManagedSecret ms, StoredSecret record) {
    if (replicator == null) {
      return null;
    }
    replicator.replicate(ms, record);
    return replicator.status(ms);
  }

  /**
   * Removes the replicas of a ManagedSecret being deleted; null when the deletion may go on, else
   * what holds it.
   */
  DeleteControl removeReplicas(ManagedSecret ms) {
    if (replicator == null) {
      return null;
    }
    Map<String, String> failed = replicator.removeAll(ms);
    if (failed.isEmpty()) {
      return null;
    }
    String deleted = ms.getMetadata().getDeletionTimestamp();
    Instant since = deleted == null ? clock.instant() : Instant.parse(deleted);
    Instant orphanedAt = since.plus(orphanAfter);
    if (clock.instant().isBefore(orphanedAt)) {
      events.warning(
          ms,
          "ReplicaDeletionPending",
          "Waiting to remove the replicas in "
              + String.join(", ", failed.keySet())
              + " before the secret is deleted: "
              + String.join(" ", failed.values())
              + " Reported as orphaned at "
              + orphanedAt
              + " if still unreachable.");
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(RETRY_REMOVAL);
    }
    events.warning(
        ms,
        "ReplicaOrphaned",
        "The replicas in "
            + String.join(", ", failed.keySet())
            + " could not be removed within "
            + orphanAfter
            + " (replication.orphanAfter) and are left orphaned there; remove them in those"
            + " regions.");
    return null;
  }
}
