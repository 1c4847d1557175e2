package dev.managedsecrets.core.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RotationScheduleTest {

  /** A fixed clock: Saturday 2026-12-05 10:30 UTC. */
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-05T10:30:00Z"), ZoneOffset.UTC);

  static RotationSchedule expression(String e) {
    return RotationSchedule.parse(null, e, null);
  }

  /** The starts of the next {@code n} windows after {@code from}, each after the one before. */
  static List<String> starts(RotationSchedule s, Instant from, int n) {
    List<String> out = new ArrayList<>();
    Instant after = from;
    for (int i = 0; i < n; i++) {
      Instant start = s.next(from, after, after).start();
      out.add(start.toString());
      after = start;
    }
    return out;
  }

  static void refused(Runnable r, AwsError error, String text) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            SecretsManagerException.class, e -> assertThat(e.error()).isEqualTo(error))
        .hasMessageContaining(text);
  }

  @Test
  void awsRateExamplesRotateEveryFourHoursEveryDayAndEveryTenDays() {
    Instant now = CLOCK.instant();
    assertThat(expression("rate(4 hours)").next(now, now, now).start())
        .isEqualTo("2026-12-05T14:00:00Z");
    assertThat(expression("rate(1 day)").next(now, now, now).start())
        .isEqualTo("2026-12-06T00:00:00Z");
    assertThat(expression("rate(10 days)").next(now, now, now).start())
        .isEqualTo("2026-12-15T00:00:00Z");
  }

  @Test
  void rateWindowsCloseAfterAnHourForHoursAndAtTheEndOfTheDayForDays() {
    Instant now = CLOCK.instant();
    assertThat(expression("rate(4 hours)").window()).isEqualTo(Duration.ofHours(1));
    RotationSchedule.Window days = expression("rate(10 days)").next(now, now, now);
    assertThat(days.end()).isEqualTo("2026-12-16T00:00:00Z");
    assertThat(RotationSchedule.parse(null, "rate(10 days)", "3h").window())
        .isEqualTo(Duration.ofHours(3));
  }

  @Test
  void rotationsMoreOftenThanEveryFourHoursAreRefused() {
    refused(() -> expression("rate(3 hours)"), AwsError.INVALID_PARAMETER_EXCEPTION, "four hours");
    refused(() -> expression("rate(1 hour)"), AwsError.INVALID_PARAMETER_EXCEPTION, "four hours");
    refused(
        () -> expression("cron(0 0/2 * * ? *)"),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "four hours");
    // 22:00 and then 00:00 the next day: two hours apart across midnight.
    refused(
        () -> expression("cron(0 0,22 * * ? *)"),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "four hours");
    assertThat(expression("rate(4 hours)")).hasToString("rate(4 hours)");
    assertThat(expression("cron(0 4/4 * * ? *)")).hasToString("cron(0 4/4 * * ? *)");
  }

  @Test
  void ratesAreAtMostNineHundredNinetyNineDaysInAwsUnits() {
    assertThat(expression("rate(999 days)")).isNotNull();
    refused(() -> expression("rate(1000 days)"), AwsError.INVALID_PARAMETER_EXCEPTION, "999 days");
    refused(() -> expression("rate(5 minutes)"), AwsError.INVALID_PARAMETER_EXCEPTION, "hour");
    refused(() -> expression("rate(2 weeks)"), AwsError.INVALID_PARAMETER_EXCEPTION, "hour");
  }

  @Test
  void awsCronExampleRotatesOnTheFirstAndFifteenthAtFourPmAcrossTheYearEnd() {
    RotationSchedule s = expression("cron(0 16 1,15 * ? *)");
    assertThat(starts(s, Instant.parse("2026-12-15T16:00:00Z"), 3))
        .containsExactly("2027-01-01T16:00:00Z", "2027-01-15T16:00:00Z", "2027-02-01T16:00:00Z");
    // A day schedule's window closes at the end of the UTC day.
    assertThat(s.window()).isEqualTo(Duration.ofHours(8));
  }

  @Test
  void cronHourIncrementsResetEachDay() {
    RotationSchedule s = expression("cron(0 4/12 * * ? *)");
    assertThat(starts(s, CLOCK.instant(), 3))
        .containsExactly("2026-12-05T16:00:00Z", "2026-12-06T04:00:00Z", "2026-12-06T16:00:00Z");
    assertThat(s.window()).as("a schedule in hours: one hour").isEqualTo(Duration.ofHours(1));
    // 10/8: 10:00 and 18:00, then 10:00 again (not 02:00).
    assertThat(starts(expression("cron(0 10/8 * * ? *)"), CLOCK.instant(), 3))
        .containsExactly("2026-12-05T18:00:00Z", "2026-12-06T10:00:00Z", "2026-12-06T18:00:00Z");
  }

  @Test
  void cronLastDayOfMonthFollowsMonthLengthsAndLeapYears() {
    RotationSchedule s = expression("cron(0 8 L * ? *)");
    assertThat(starts(s, Instant.parse("2028-01-31T09:00:00Z"), 3))
        .containsExactly("2028-02-29T08:00:00Z", "2028-03-31T08:00:00Z", "2028-04-30T08:00:00Z");
  }

  @Test
  void cronNthWeekdayAndNamedDaysAndMonths() {
    // The second Tuesday of February, May, August and November, at 10:00.
    RotationSchedule s = expression("cron(0 10 ? FEB,MAY,AUG,NOV TUE#2 *)");
    assertThat(starts(s, CLOCK.instant(), 2))
        .containsExactly("2027-02-09T10:00:00Z", "2027-05-11T10:00:00Z");
    // Every Monday to Friday at midnight, across the year end.
    assertThat(
            starts(expression("cron(0 0 ? * MON-FRI *)"), Instant.parse("2026-12-31T12:00:00Z"), 2))
        .containsExactly("2027-01-01T00:00:00Z", "2027-01-04T00:00:00Z");
  }

  @Test
  void cronFieldsFollowSecretsManagerRules() {
    refused(
        () -> expression("cron(30 16 1 * ? *)"),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "Minutes must be 0");
    refused(
        () -> expression("cron(0 16 1 * ? 2027)"),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "Year must be *");
    refused(
        () -> expression("cron(0 16 1 * MON *)"),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "must be ?");
    refused(
        () -> expression("cron(0 16 ? * ? *)"), AwsError.INVALID_PARAMETER_EXCEPTION, "must be ?");
    refused(() -> expression("cron(0 16 1 *)"), AwsError.INVALID_PARAMETER_EXCEPTION, "six fields");
    refused(() -> expression("cron(0 24 1 * ? *)"), AwsError.INVALID_PARAMETER_EXCEPTION, "Hours");
    refused(
        () -> expression("cron(0 16 30 2 ? *)"), AwsError.INVALID_PARAMETER_EXCEPTION, "no date");
    refused(
        () -> expression("every day"), AwsError.INVALID_PARAMETER_EXCEPTION, "rate(Value Unit)");
    refused(
        () -> expression("rate(4 hours);"), AwsError.VALIDATION_EXCEPTION, "regular expression");
    refused(() -> expression("r".repeat(257)), AwsError.VALIDATION_EXCEPTION, "between 1 and 256");
  }

  @Test
  void automaticallyAfterDaysIsOneToAThousandAndNotWithAnExpression() {
    refused(
        () -> RotationSchedule.parse(0, null, null),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "RotationRules.AutomaticallyAfterDays must be within 1-1000.");
    refused(
        () -> RotationSchedule.parse(1001, null, null),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "must be within 1-1000");
    refused(
        () -> RotationSchedule.parse(30, "rate(30 days)", null),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "You cannot specify both rotation frequency and schedule expression together.");
  }

  @Test
  void automaticallyAfterDaysCountsFromTheLastChangeWhichAManualChangeMovesAcrossAMonthEnd() {
    RotationSchedule s = RotationSchedule.parse(30, null, null);
    Instant rotated = Instant.parse("2026-11-20T09:00:00Z");
    assertThat(s.next(rotated, rotated, CLOCK.instant()).start()).isEqualTo("2026-12-20T00:00:00Z");
    // A value changed by hand on 2026-12-05 counts as a rotation: the next date moves with it.
    Instant changedByHand = CLOCK.instant();
    assertThat(s.next(changedByHand, changedByHand, changedByHand).start())
        .isEqualTo("2027-01-04T00:00:00Z");
  }

  @Test
  void aWindowMissedWhileTheOperatorWasDownIsTheOneStillOpenOrTheNext() {
    RotationSchedule s = expression("rate(1 day)");
    Instant changed = Instant.parse("2026-12-01T12:00:00Z");
    // Four days later, at 10:30: today's window (to the end of the day) is open.
    RotationSchedule.Window w = s.next(changed, changed, CLOCK.instant());
    assertThat(w.start()).isEqualTo("2026-12-05T00:00:00Z");
    assertThat(w.open(CLOCK.instant())).isTrue();
    // A failure at 10:30 waits for the next window.
    assertThat(s.next(changed, CLOCK.instant(), CLOCK.instant()).start())
        .isEqualTo("2026-12-06T00:00:00Z");
  }

  @Test
  void durationIsWholeHoursThatStayInTheUtcDayAndBeforeTheNextWindow() {
    refused(
        () -> RotationSchedule.parse(null, "rate(4 hours)", "5h"),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "next rotation window");
    refused(
        () -> RotationSchedule.parse(null, "cron(0 20 * * ? *)", "5h"),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "next UTC day");
    refused(
        () -> RotationSchedule.parse(null, "rate(1 day)", "25h"),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "next UTC day");
    refused(
        () -> RotationSchedule.parse(null, "rate(1 day)", "0h"),
        AwsError.INVALID_PARAMETER_EXCEPTION,
        "at least 1h");
    refused(
        () -> RotationSchedule.parse(null, "rate(1 day)", "2"),
        AwsError.VALIDATION_EXCEPTION,
        "length between 2 and 3");
    refused(
        () -> RotationSchedule.parse(null, "rate(1 day)", "2d"),
        AwsError.VALIDATION_EXCEPTION,
        "[0-9h]+");
    assertThat(RotationSchedule.parse(null, "cron(0 20 * * ? *)", "4h").window())
        .isEqualTo(Duration.ofHours(4));
  }
}
