package dev.managedsecrets.operator.reconcile;

/** The closed set of reasons of the operator's Normal Events; Warnings use AWS exception names. */
public enum EventReason {
  // What a reconcile does to a secret, told together in one Event per reconcile, whose reason is
  // the first of these in this order: the most telling.
  SecretCreated,
  SecretRestored,
  VersionCreated,
  StagingLabelsMoved,
  VersionsReencrypted,
  SecretRepaired,
  SecretProjected,
  // Each its own Event: what a user turned on (rotation, restarts) and the rest.
  ScheduledForDeletion,
  Purged,
  NameLooksLikeArnSuffix,
  // Rotation.
  RotationStarted,
  RotationStepSucceeded,
  SecretRotated,
  // Workloads of target.rolloutRestart.
  RolloutRestarted,
  // Replica regions.
  ReplicaPromoted,
  // KmsKey resources.
  KeyCreated,
  KeyEnabled,
  KeyDisabled,
  KeyRotated,
  KeyDeletionScheduled,
  KeyDeletionCanceled,
  KeyInUse;

  /** Whether a reconcile tells this step in its one Event ({@link EventRecorder.Batch}). */
  public boolean toldTogether() {
    return compareTo(SecretProjected) <= 0;
  }
}
