package dev.managedsecrets.operator.reconcile;

/** The closed set of reasons of the operator's Normal Events; Warnings use AWS exception names. */
public enum EventReason {
  SecretCreated,
  SecretRestored,
  VersionCreated,
  StagingLabelsMoved,
  SecretProjected,
  SecretRepaired,
  ScheduledForDeletion,
  Purged,
  NameLooksLikeArnSuffix,
  // Rotation.
  RotationStarted,
  RotationStepSucceeded,
  SecretRotated,
  // Workloads of target.rolloutRestart.
  RolloutRestarted,
  // A ManagedSecret's KMS key changed.
  VersionsReencrypted,
  // Replica regions.
  ReplicaPromoted,
  // KmsKey resources.
  KeyCreated,
  KeyEnabled,
  KeyDisabled,
  KeyRotated,
  KeyDeletionScheduled,
  KeyDeletionCanceled,
  KeyInUse
}
