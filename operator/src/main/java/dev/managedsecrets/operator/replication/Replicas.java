package dev.managedsecrets.operator.replication;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import java.util.Map;

/** What marks a ManagedSecret as a replica of another region's, for every part that asks. */
public final class Replicas {

  /** The namespace label that lets replicas of other regions in. */
  public static final String ACCEPT = "managedsecrets.dev/accept-replicas";

  /** A replica's ManagedSecret's annotation naming its primary's ARN. */
  public static final String REPLICA_OF = "managedsecrets.dev/replica-of";

  /** A ManagedSecret promoted from a replica: never overwritten by the primary again. */
  public static final String PROMOTED_FROM = "managedsecrets.dev/promoted-from";

  /**
   * Set on a replica's ManagedSecret in its region (StopReplicationToReplica, the kubectl plugin's
   * stop-replication-to-replica): the operator there promotes it to a standalone secret.
   */
  public static final String STOP_REPLICATION = "managedsecrets.dev/stop-replication";

  /** The label of the ManagedSecrets replicas own. */
  public static final String REPLICA_LABEL = "managedsecrets.dev/replica";

  private Replicas() {}

  /** Whether {@code ms} is a replica's ManagedSecret (owned by a ManagedSecretReplica). */
  public static boolean isReplica(ManagedSecret ms) {
    return ms != null
        && ms.getMetadata().getOwnerReferences() != null
        && ms.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> "ManagedSecretReplica".equals(o.getKind()));
  }

  /** The primary region of a replica's ManagedSecret, from its primary's ARN; null if none. */
  public static String primaryRegion(ManagedSecret ms) {
    Map<String, String> annotations = ms.getMetadata().getAnnotations();
    String arn = annotations == null ? null : annotations.get(REPLICA_OF);
    String[] parts = arn == null ? new String[0] : arn.split(":", 6);
    return parts.length == 6 ? parts[3] : null;
  }

  /** The ARN of a primary's replica in {@code region}: the primary's, with that region. */
  public static String arnIn(String primaryArn, String region) {
    String[] parts = primaryArn.split(":", 6);
    if (parts.length != 6) {
      throw new IllegalArgumentException("not an ARN");
    }
    parts[3] = region;
    return String.join(":", parts);
  }
}
