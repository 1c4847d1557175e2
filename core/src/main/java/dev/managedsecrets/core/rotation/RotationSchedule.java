package dev.managedsecrets.core.rotation;

import dev.managedsecrets.core.secret.SecretsManagerException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rotation schedule as the Secrets Manager user guide defines it, and its windows: {@code
 * AutomaticallyAfterDays} (1-1000), {@code rate(N hour|hours|day|days)} (at least every 4 hours, at
 * most 999 days) or {@code cron(0 Hours Day-of-month Month Day-of-week *)}, all in UTC, with a
 * window {@code Duration} of whole hours that may not run into the next window or the next UTC day
 * (default: 1 hour for schedules in hours, to the end of the UTC day for schedules in days).
 *
 * <p>Rates and {@code AutomaticallyAfterDays} count from the last change of the value (a rotation,
 * or a value changed by hand, which counts as a rotation as in AWS): their windows open at midnight
 * UTC for days, on the hour for hours. Cron windows open at the times the expression gives. Pure:
 * no clock, no I/O; every "now" is a parameter.
 */
public final class RotationSchedule {

  /** A rotation window: a rotation may start at or after {@code start}, before {@code end}. */
  public record Window(Instant start, Instant end) {
    /** Whether a rotation may run at {@code now}. */
    public boolean open(Instant now) {
      return !now.isBefore(start) && now.isBefore(end);
    }
  }

  static final Pattern RATE = Pattern.compile("rate\\((\\d{1,6}) (hour|hours|day|days)\\)");
  static final Pattern CRON = Pattern.compile("cron\\((.*)\\)");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,2})h");
  private static final Pattern EXPRESSION_CHARACTERS = Pattern.compile("[0-9A-Za-z()#?*\\-/, ]+");
  private static final Duration MIN_INTERVAL = Duration.ofHours(4);
  private static final int MAX_RATE_DAYS = 999;
  private static final Duration DAY = Duration.ofDays(1);

  /** How far ahead a cron expression is looked at: four years and a day cover every leap day. */
  private static final int HORIZON_DAYS = 4 * 366 + 1;

  private final String text;
  private final Duration interval; // a rate's; null for cron
  private final ChronoUnit unit; // a rate's: its windows open at midnight (DAYS) or on the hour
  private final CronExpression cron; // null for a rate
  private final Duration window;

  private RotationSchedule(
      String text, Duration interval, ChronoUnit unit, CronExpression cron, Duration window) {
    this.text = text;
    this.interval = interval;
    this.unit = unit;
    this.cron = cron;
    this.window = window;
  }

  /**
   * The schedule of RotationRules, checked as Secrets Manager checks it.
   *
   * @param automaticallyAfterDays days between rotations, or null
   * @param scheduleExpression a rate() or cron() expression, or null
   * @param duration the window, e.g. {@code 3h}, or null for the default
   * @throws SecretsManagerException InvalidParameterException or ValidationException with the rule
   *     broken
   */
  public static RotationSchedule parse(
      Integer automaticallyAfterDays, String scheduleExpression, String duration) {
    if (automaticallyAfterDays != null && scheduleExpression != null) {
      throw SecretsManagerException.invalidParameter(
          "You cannot specify both rotation frequency and schedule expression together.");
    }
    if (automaticallyAfterDays == null && scheduleExpression == null) {
      throw SecretsManagerException.invalidParameter(
          "A rotation schedule needs AutomaticallyAfterDays or ScheduleExpression.");
    }
    Duration given = duration(duration);
    if (automaticallyAfterDays != null) {
      if (automaticallyAfterDays < 1 || automaticallyAfterDays > 1000) {
        throw SecretsManagerException.invalidParameter(
            "RotationRules.AutomaticallyAfterDays must be within 1-1000.");
      }
      Duration w = given != null ? given : DAY;
      requireWithinDay("rotation window", 0, w);
      return new RotationSchedule(
          "automaticallyAfterDays " + automaticallyAfterDays,
          Duration.ofDays(automaticallyAfterDays),
          ChronoUnit.DAYS,
          null,
          w);
    }
    String expression = scheduleExpression;
    if (expression.isEmpty() || expression.length() > 256) {
      throw SecretsManagerException.validation(
          "1 validation error detected: Value at 'rotationRules.scheduleExpression' failed to"
              + " satisfy constraint: Member must have length between 1 and 256");
    }
    if (!EXPRESSION_CHARACTERS.matcher(expression).matches()) {
      throw SecretsManagerException.validation(
          "1 validation error detected: Value at 'rotationRules.scheduleExpression' failed to"
              + " satisfy constraint: Member must satisfy regular expression pattern:"
              + " [0-9A-Za-z\\(\\)#\\?\\*\\-\\/, ]+");
    }
    Matcher rate = RATE.matcher(expression);
    if (rate.matches()) {
      return rate(expression, Integer.parseInt(rate.group(1)), rate.group(2), given);
    }
    Matcher cron = CRON.matcher(expression);
    if (cron.matches()) {
      return cron(expression, CronExpression.parse(expression, cron.group(1)), given);
    }
    throw SecretsManagerException.invalidParameter(
        "Invalid schedule expression "
            + expression
            + ": use rate(Value Unit) with a unit of hour, hours, day or days, or cron(Minutes"
            + " Hours Day-of-month Month Day-of-week Year).");
  }

  private static RotationSchedule rate(String expression, int value, String unit, Duration given) {
    boolean hours = unit.startsWith("hour");
    Duration interval = hours ? Duration.ofHours(value) : Duration.ofDays(value);
    if (interval.compareTo(MIN_INTERVAL) < 0) {
      throw CronExpression.invalid(
          expression, "you can rotate a secret as often as every four hours, not more often");
    }
    if (interval.compareTo(Duration.ofDays(MAX_RATE_DAYS)) > 0) {
      throw CronExpression.invalid(expression, "the maximum rotation period is 999 days");
    }
    Duration w = given != null ? given : hours ? Duration.ofHours(1) : DAY;
    if (hours && w.compareTo(interval) > 0) {
      throw windowTooLong(w, "the next rotation window, " + value + " hours later");
    }
    if (!hours) {
      requireWithinDay("rotation window", 0, w);
    }
    return new RotationSchedule(
        expression, interval, hours ? ChronoUnit.HOURS : ChronoUnit.DAYS, null, w);
  }

  private static RotationSchedule cron(String expression, CronExpression cron, Duration given) {
    int[] hours = cron.hours();
    Instant from = LocalDate.of(2024, 1, 1).atStartOfDay().toInstant(ZoneOffset.UTC);
    Duration shortest = null;
    Instant previous = null;
    for (Instant t = next(cron, from.minusSeconds(1), from); t != null; t = next(cron, t, from)) {
      if (previous != null) {
        Duration gap = Duration.between(previous, t);
        shortest = shortest == null || gap.compareTo(shortest) < 0 ? gap : shortest;
      }
      previous = t;
    }
    if (previous == null) {
      throw CronExpression.invalid(expression, "it matches no date");
    }
    if (shortest != null && shortest.compareTo(MIN_INTERVAL) < 0) {
      throw CronExpression.invalid(
          expression, "you can rotate a secret as often as every four hours, not more often");
    }
    boolean inHours = hours.length > 1;
    int lastHour = hours[hours.length - 1];
    Duration w = given != null ? given : inHours ? Duration.ofHours(1) : DAY.minusHours(lastHour);
    requireWithinDay("rotation window of " + expression, lastHour, w);
    if (shortest != null && w.compareTo(shortest) > 0) {
      throw windowTooLong(w, "the next rotation window");
    }
    return new RotationSchedule(expression, null, null, cron, w);
  }

  /** The window's duration, or null when not given. */
  private static Duration duration(String duration) {
    if (duration == null) {
      return null;
    }
    if (duration.length() < 2 || duration.length() > 3) {
      throw SecretsManagerException.validation(
          "1 validation error detected: Value at 'rotationRules.duration' failed to satisfy"
              + " constraint: Member must have length between 2 and 3");
    }
    Matcher m = DURATION.matcher(duration);
    if (!m.matches()) {
      throw SecretsManagerException.validation(
          "1 validation error detected: Value at 'rotationRules.duration' failed to satisfy"
              + " constraint: Member must satisfy regular expression pattern: [0-9h]+");
    }
    int hours = Integer.parseInt(m.group(1));
    if (hours < 1) {
      throw SecretsManagerException.invalidParameter(
          "The rotation window Duration " + duration + " must be at least 1h.");
    }
    return Duration.ofHours(hours);
  }

  private static void requireWithinDay(String what, int startHour, Duration window) {
    if (Duration.ofHours(startHour).plus(window).compareTo(DAY) > 0) {
      throw SecretsManagerException.invalidParameter(
          "The "
              + what
              + " opens at "
              + startHour
              + ":00 UTC and lasts "
              + window.toHours()
              + "h: it must not extend into the next UTC day (start hour plus Duration at most"
              + " 24).");
    }
  }

  private static SecretsManagerException windowTooLong(Duration window, String what) {
    return SecretsManagerException.invalidParameter(
        "The rotation window Duration "
            + window.toHours()
            + "h must not extend into "
            + what
            + ".");
  }

  /**
   * The first window that opens after {@code after} and has not closed at {@code now}: the window a
   * rotation is due in (when it is {@linkplain Window#open open} at {@code now}) or waits for.
   *
   * @param lastChanged when the value last changed (a rotation or a change by hand): rates and
   *     automaticallyAfterDays count from it
   * @param after windows that open at or before this are over for this schedule (the last change,
   *     or a failed attempt whose window is spent)
   */
  public Window next(Instant lastChanged, Instant after, Instant now) {
    Instant from = after;
    Instant unclosed = now.minus(window);
    if (unclosed.isAfter(from)) {
      from = unclosed;
    }
    Instant start;
    if (cron != null) {
      start = next(cron, from, from);
      if (start == null) {
        throw new IllegalStateException("cron expression " + cron + " has no next date");
      }
    } else {
      Instant base = lastChanged.truncatedTo(unit);
      long steps = Math.max(1, Duration.between(base, from).toSeconds() / interval.toSeconds() + 1);
      start = base.plus(interval.multipliedBy(steps));
    }
    return new Window(start, start.plus(window));
  }

  /**
   * The first time after {@code after} at which {@code cron} opens a window, within the horizon.
   */
  private static Instant next(CronExpression cron, Instant after, Instant horizonFrom) {
    LocalDate day = after.atZone(ZoneOffset.UTC).toLocalDate();
    LocalDate end = horizonFrom.atZone(ZoneOffset.UTC).toLocalDate().plusDays(HORIZON_DAYS);
    int[] hours = cron.hours();
    for (; !day.isAfter(end); day = day.plusDays(1)) {
      if (!cron.matches(day)) {
        continue;
      }
      for (int hour : hours) {
        Instant t = day.atStartOfDay().plusHours(hour).toInstant(ZoneOffset.UTC);
        if (t.isAfter(after)) {
          return t;
        }
      }
    }
    return null;
  }

  /** The window's length. */
  public Duration window() {
    return window;
  }

  @Override
  public String toString() {
    return text;
  }
}
