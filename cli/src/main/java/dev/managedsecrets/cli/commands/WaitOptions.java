package dev.managedsecrets.cli.commands;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** How long a command waits for the operator: until the ManagedSecret is Ready, or not at all. */
public final class WaitOptions {

  @Option(
      names = "--no-wait",
      description = "Return once the ManagedSecret is written, without waiting for the operator.")
  boolean noWait;

  @Option(
      names = "--timeout",
      defaultValue = "60s",
      converter = DurationConverter.class,
      paramLabel = "<duration>",
      description = "How long to wait for the operator: 90s, 2m, or seconds (default 60s).")
  Duration timeout;

  boolean waits() {
    return !noWait;
  }

  Duration timeout() {
    return timeout;
  }

  /** 90s, 2m, 1h, 500ms, or a number of seconds. */
  public static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.strip().toLowerCase(Locale.ROOT);
      try {
        if (v.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("s")) {
          return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        if (v.endsWith("m")) {
          return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        if (v.endsWith("h")) {
          return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(v));
      } catch (NumberFormatException e) {
        throw new TypeConversionException("use 90s, 2m, 1h or a number of seconds");
      }
    }
  }
}
