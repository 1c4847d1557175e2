package dev.managedsecrets.core.rotation;

import dev.managedsecrets.core.secret.SecretsManagerException;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * A Secrets Manager rotation cron expression, {@code cron(Minutes Hours Day-of-month Month
 * Day-of-week Year)}, with the user guide's rules: minutes 0, year {@code *}, UTC; hours 0-23 with
 * {@code , - * /}; day-of-month 1-31 with {@code , - * ? / L}; month 1-12 or JAN-DEC with {@code ,
 * - * /}; day-of-week 1-7 or SUN-SAT with {@code # , - * ? / L}; one of day-of-month and
 * day-of-week is {@code ?}. Increments of hours reset each day ({@code 4/12}: 4:00 and 16:00 every
 * day). Pure: no clock, no I/O.
 */
final class CronExpression {

  private static final List<String> MONTHS =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

  private final String text;
  private final int[] hours;
  private final BitSet months; // 1-12
  private final BitSet daysOfMonth; // 1-31, when day-of-week is ?
  private final boolean lastDayOfMonth;
  private final BitSet daysOfWeek; // 1-7 (SUN-SAT), when day-of-month is ?
  private final int nthDayOfWeek; // d#n: the day, 0 when not used
  private final int nth; // d#n: n

  private CronExpression(
      String text,
      int[] hours,
      BitSet months,
      BitSet daysOfMonth,
      boolean lastDayOfMonth,
      BitSet daysOfWeek,
      int nthDayOfWeek,
      int nth) {
    this.text = text;
    this.hours = hours;
    this.months = months;
    this.daysOfMonth = daysOfMonth;
    this.lastDayOfMonth = lastDayOfMonth;
    this.daysOfWeek = daysOfWeek;
    this.nthDayOfWeek = nthDayOfWeek;
    this.nth = nth;
  }

  /**
   * @param expression the whole expression, {@code cron(...)}
   * @param fields what is between the parentheses
   * @throws SecretsManagerException InvalidParameterException naming the rule broken
   */
  static CronExpression parse(String expression, String fields) {
    String[] f = fields.trim().split(" +");
    if (f.length != 6) {
      throw invalid(
          expression,
          "a cron expression has six fields: Minutes Hours Day-of-month Month Day-of-week Year");
    }
    if (!f[0].equals("0")) {
      throw invalid(expression, "Minutes must be 0: rotation windows open on the hour");
    }
    if (!f[5].equals("*")) {
      throw invalid(
          expression,
          "Year must be *: Secrets Manager does not support rotation schedules that are more"
              + " than a year apart");
    }
    boolean domAny = f[2].equals("?");
    boolean dowAny = f[4].equals("?");
    if (domAny == dowAny) {
      throw invalid(expression, "one of Day-of-month and Day-of-week must be ?, and only one");
    }
    BitSet hourSet = field(expression, "Hours", f[1], 0, 23, List.of());
    int[] hours = hourSet.stream().toArray();
    BitSet months = field(expression, "Month", f[3], 1, 12, MONTHS);
    BitSet dom = null;
    boolean last = false;
    if (!domAny) {
      if (f[2].equals("L")) {
        last = true;
      } else {
        dom = field(expression, "Day-of-month", f[2], 1, 31, List.of());
      }
    }
    BitSet dow = null;
    int nthDay = 0;
    int nth = 0;
    if (!dowAny) {
      if (f[4].equals("L")) {
        dow = new BitSet();
        dow.set(7); // the last day of the week: Saturday
      } else if (f[4].contains("#")) {
        String[] parts = f[4].split("#", -1);
        nthDay = value(expression, "Day-of-week", parts[0], 1, 7, DAYS);
        nth = parts.length == 2 ? number(parts[1]) : -1;
        if (nth < 1 || nth > 5) {
          throw invalid(expression, "in Day-of-week, # takes a week of the month from 1 to 5");
        }
      } else {
        dow = field(expression, "Day-of-week", f[4], 1, 7, DAYS);
      }
    }
    return new CronExpression(expression, hours, months, dom, last, dow, nthDay, nth);
  }

  /** The hours of a matching day at which a window opens, ascending. */
  int[] hours() {
    return hours.clone();
  }

  /** Whether windows open on {@code day} (UTC). */
  boolean matches(LocalDate day) {
    if (!months.get(day.getMonthValue())) {
      return false;
    }
    if (lastDayOfMonth) {
      return day.equals(day.with(TemporalAdjusters.lastDayOfMonth()));
    }
    if (daysOfMonth != null) {
      return daysOfMonth.get(day.getDayOfMonth());
    }
    int weekday = day.getDayOfWeek().getValue() % 7 + 1; // SUN=1 ... SAT=7
    if (nthDayOfWeek != 0) {
      return weekday == nthDayOfWeek && (day.getDayOfMonth() - 1) / 7 + 1 == nth;
    }
    return daysOfWeek.get(weekday);
  }

  @Override
  public String toString() {
    return text;
  }

  /** A field: items separated by commas, each *, a value, a range, either with /step. */
  private static BitSet field(
      String expression, String name, String field, int min, int max, List<String> names) {
    BitSet out = new BitSet();
    for (String item : field.split(",", -1)) {
      String range = item;
      int step = 1;
      int slash = item.indexOf('/');
      if (slash >= 0) {
        range = item.substring(0, slash);
        step = number(item.substring(slash + 1));
        if (step < 1 || step > max) {
          throw invalid(expression, name + " has an increment out of range in " + item);
        }
      }
      int from;
      int to;
      if (range.equals("*")) {
        from = min;
        to = max;
      } else if (range.contains("-")) {
        String[] ends = range.split("-", -1);
        if (ends.length != 2) {
          throw invalid(expression, name + " has a range that can't be read: " + item);
        }
        from = value(expression, name, ends[0], min, max, names);
        to = value(expression, name, ends[1], min, max, names);
        if (from > to) {
          throw invalid(expression, name + " has a range that ends before it starts: " + item);
        }
      } else {
        from = value(expression, name, range, min, max, names);
        to = slash >= 0 ? max : from;
      }
      for (int v = from; v <= to; v += step) {
        out.set(v);
      }
    }
    return out;
  }

  private static int value(
      String expression, String name, String text, int min, int max, List<String> names) {
    int index = names.indexOf(text.toUpperCase(Locale.ROOT));
    int v = index >= 0 ? index + 1 : number(text);
    if (v < min || v > max) {
      throw invalid(
          expression,
          name
              + " takes values from "
              + min
              + " to "
              + max
              + (names.isEmpty() ? "" : " or " + names.get(0) + "-" + names.get(names.size() - 1))
              + ", not "
              + text);
    }
    return v;
  }

  /** A small decimal number, or -1. */
  private static int number(String text) {
    if (text.isEmpty() || text.length() > 4 || !text.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    return Integer.parseInt(text);
  }

  static SecretsManagerException invalid(String expression, String why) {
    return SecretsManagerException.invalidParameter(
        "Invalid schedule expression " + expression + ": " + why + ".");
  }
}
