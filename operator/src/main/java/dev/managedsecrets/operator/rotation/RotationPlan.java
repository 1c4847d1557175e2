package dev.managedsecrets.operator.rotation;

import dev.managedsecrets.core.rotation.RotationRules;
import dev.managedsecrets.core.rotation.RotationSchedule;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Whether a ManagedSecret rotates now, and when it next will: a pure decision from its rules, what
 * its status remembers and the store's record, so that an idle ManagedSecret with a schedule is
 * looked at again only at its next window (no API write, no KMS call in between).
 *
 * @param reason why it rotates now (for the Events), or null when it does not
 * @param next the start of the next window it waits for, or null when it has no schedule
 * @param rotateNowConsumed the annotation's value asked for this rotation
 * @param testOnly AWS's test of a rotation turned on without rotateImmediately: createSecret and
 *     testSecret only, then AWSPENDING removed
 */
public record RotationPlan(
    String reason, Instant next, boolean rotateNowConsumed, boolean testOnly) {

  public RotationPlan(String reason, Instant next, boolean rotateNowConsumed) {
    this(reason, next, rotateNowConsumed, false);
  }

  /** What the decision reads. */
  public record Facts(
      RotationRules rules,
      boolean wasEnabled,
      String rotateNow,
      String rotateNowHandled,
      Instant currentCreated,
      boolean pending,
      Instant lastFailure,
      Instant now) {}

  public boolean rotate() {
    return reason != null;
  }

  /** Decides; see the class comment. */
  public static RotationPlan decide(Facts f) {
    boolean scheduled = f.rules().enabled() && f.rules().schedule() != null;
    Instant next =
        scheduled ? nextWindow(f.rules(), f.currentCreated(), f.lastFailure(), f.now()) : null;
    if (f.currentCreated() == null) {
      return new RotationPlan(null, next, false);
    }
    boolean failedSince = failedSince(f.lastFailure(), f.currentCreated());
    if (f.rotateNow() != null && !f.rotateNow().equals(f.rotateNowHandled())) {
      return new RotationPlan("the annotation managedsecrets.dev/rotate-now changed", next, true);
    }
    // An AWSPENDING version is a rotation of ours to resume only where rotation is set up: the
    // label may have been put there otherwise (a custom staging move), and is then left alone.
    if (f.pending() && !failedSince && scheduled) {
      return new RotationPlan("a rotation was in progress", next, false);
    }
    if (!scheduled) {
      return new RotationPlan(null, null, false);
    }
    if (!f.wasEnabled() && f.rules().rotateImmediately()) {
      return new RotationPlan("rotation was turned on with rotateImmediately", next, false);
    }
    if (!f.wasEnabled()) {
      return new RotationPlan(
          "rotation was turned on without rotateImmediately: a test of it", next, false, true);
    }
    if (!next.isAfter(f.now())) {
      return new RotationPlan(
          "its rotation window " + f.rules().schedule() + " is open", next, false);
    }
    return new RotationPlan(null, next, false);
  }

  /**
   * Whether a failed attempt is recorded since the current value was made. The failure's time is a
   * condition's lastTransitionTime, which has whole seconds only: a failure in the second the value
   * was made counts as since, so a rotation that failed is never taken for one interrupted and
   * resumed at once (it waits for its next window or a new rotate-now value).
   */
  static boolean failedSince(Instant lastFailure, Instant currentCreated) {
    return lastFailure != null
        && !lastFailure.isBefore(currentCreated.truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * The start of the window the schedule waits for: the first after the current value was made (a
   * rotation, or a change by hand) and after a failed attempt, that has not closed.
   */
  public static Instant nextWindow(
      RotationRules rules, Instant currentCreated, Instant lastFailure, Instant now) {
    RotationSchedule schedule = rules.schedule();
    Instant base = currentCreated == null ? now : currentCreated;
    Instant after = lastFailure != null && lastFailure.isAfter(base) ? lastFailure : base;
    return schedule.next(base, after, now).start();
  }
}
