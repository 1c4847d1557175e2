package dev.managedsecrets.operator.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.core.rotation.RotationRules;
import dev.managedsecrets.core.rotation.RotationSchedule;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RotationPlanTest {

  static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  static final Instant MADE = NOW.minus(Duration.ofHours(1));
  static final RotationRules SCHEDULED =
      new RotationRules(true, RotationSchedule.parse(30, null, null), true, RotationRules.GENERATE);

  static RotationPlan decide(RotationRules rules, String rotateNow, boolean pending) {
    return RotationPlan.decide(
        new RotationPlan.Facts(rules, true, rotateNow, null, MADE, pending, null, NOW));
  }

  /** A scheduled ManagedSecret with an AWSPENDING version and a failed attempt recorded. */
  static RotationPlan pendingAfterFailure(Instant made, Instant failed) {
    return RotationPlan.decide(
        new RotationPlan.Facts(SCHEDULED, true, null, null, made, true, failed, NOW));
  }

  @Test
  void anAwsPendingVersionWithoutRotationSetUpIsLeftAlone() {
    assertThat(decide(RotationRules.ON_REQUEST, null, true).rotate()).isFalse();
  }

  @Test
  void anAwsPendingVersionUnderAScheduleIsARotationToResume() {
    RotationPlan plan = decide(SCHEDULED, null, true);

    assertThat(plan.rotate()).isTrue();
    assertThat(plan.reason()).isEqualTo("a rotation was in progress");
  }

  @Test
  void aNewRotateNowValueRotatesAndResumesWhatIsPending() {
    RotationPlan plan = decide(RotationRules.ON_REQUEST, "1", true);

    assertThat(plan.rotate()).isTrue();
    assertThat(plan.rotateNowConsumed()).isTrue();
  }

  @Test
  void aScheduleWhoseWindowIsNotOpenYetWaits() {
    RotationPlan plan = decide(SCHEDULED, null, false);

    assertThat(plan.rotate()).isFalse();
    assertThat(plan.next()).isAfter(NOW);
  }

  @Test
  void rotationTurnedOnWithoutRotateImmediatelyIsATestOnlyAndWaitsForItsWindow() {
    RotationRules later =
        new RotationRules(true, RotationSchedule.parse(30, null, null), false, "generate");

    RotationPlan plan =
        RotationPlan.decide(
            new RotationPlan.Facts(later, false, null, null, MADE, false, null, NOW));

    assertThat(plan.rotate()).isTrue();
    assertThat(plan.testOnly()).isTrue();
    assertThat(plan.next()).isAfter(NOW);
  }

  @Test
  void rotationTurnedOnWithRotateImmediatelyRotatesAndIsNoTest() {
    RotationPlan plan =
        RotationPlan.decide(
            new RotationPlan.Facts(SCHEDULED, false, null, null, MADE, false, null, NOW));

    assertThat(plan.rotate()).isTrue();
    assertThat(plan.testOnly()).isFalse();
  }

  @Test
  void anAwsPendingVersionWhoseRotationFailedWaitsForTheNextWindowInsteadOfResuming() {
    Instant failed = MADE.plus(Duration.ofMinutes(5));

    RotationPlan plan = pendingAfterFailure(MADE, failed);

    assertThat(plan.rotate()).isFalse();
    assertThat(plan.next()).isAfter(NOW);
  }

  @Test
  void aFailureInTheSecondTheValueWasMadeCountsAsAFailureSinceAndIsNotResumedAtOnce() {
    // A condition's lastTransitionTime has whole seconds; the store's creation date has more.
    Instant made = Instant.parse("2026-12-06T11:00:00.700Z");
    Instant failed = Instant.parse("2026-12-06T11:00:00Z");

    RotationPlan plan = pendingAfterFailure(made, failed);

    assertThat(plan.rotate()).isFalse();
  }

  @Test
  void aFailureBeforeTheCurrentValueWasMadeDoesNotHoldBackThePendingRotation() {
    Instant failed = MADE.minus(Duration.ofSeconds(1));

    RotationPlan plan = pendingAfterFailure(MADE, failed);

    assertThat(plan.rotate()).isTrue();
    assertThat(plan.reason()).isEqualTo("a rotation was in progress");
  }
}
