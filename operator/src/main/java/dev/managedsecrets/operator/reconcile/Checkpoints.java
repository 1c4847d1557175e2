package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;

/**
 * Named points between the steps of a reconcile, where a test stops the operator as a crash would
 * (its hook throws an {@link Error}, so nothing after the point runs, and the test then closes the
 * operator and starts another). The operator runs with {@link #NONE}, which does nothing: there is
 * no configuration for it; only a test passes another, through {@code OperatorRuntime}'s
 * package-private start.
 */
public interface Checkpoints {

  /** Where the reconciler calls {@link #reached}. */
  enum Point {
    /** The reconcile is about to claim the secret's name and record (step 4). */
    CLAIMING,
    /** A new version is in the store (step 4); the Secret does not hold it yet (step 6). */
    VERSION_STORED,
    /** The Secret is projected (step 6); the status is not written yet (step 8). */
    SECRET_PROJECTED,
    /** A rotation's createSecret stored the AWSPENDING version; finishSecret has not run. */
    ROTATION_PENDING_STORED,
    /** A rotation's setSecret applied the pending value outside; testSecret has not run. */
    ROTATION_SET,
    /** A rotation's testSecret succeeded; finishSecret has not run. */
    ROTATION_TESTED,
    /** A rotation's finishSecret moved AWSCURRENT; the Secret does not hold it yet. */
    ROTATION_FINISHED,
    /** A rotation found no free slot (rotation.maxConcurrent*): nothing ran; it is tried later. */
    ROTATION_DEFERRED
  }

  /** Production: nothing happens at any point. */
  Checkpoints NONE = (point, ms) -> {};

  /** The reconcile of {@code ms} reached {@code point}. */
  void reached(Point point, ManagedSecret ms);
}
