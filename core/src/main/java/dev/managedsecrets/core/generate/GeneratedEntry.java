package dev.managedsecrets.core.generate;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * What a version records of one generate entry (its {@code generated} map's value): the hash of the
 * parameters it was made with and, for a certificate, its notAfter and how long before it the
 * certificate is renewed. What decides, without decrypting the version, whether the entry is kept
 * and when it is renewed. Its text is the parameters' hash alone for every entry but certificates,
 * as it was before certificates existed: {@code <hash>} or {@code
 * <hash>;notAfter=<instant>;renewBefore=<duration>}.
 */
public record GeneratedEntry(String parameters, Instant notAfter, Duration renewBefore) {

  private static final String NOT_AFTER = ";notAfter=";
  private static final String RENEW_BEFORE = ";renewBefore=";

  /** An entry that is never renewed. */
  public static GeneratedEntry of(String parameters) {
    return new GeneratedEntry(parameters, null, null);
  }

  /** The entry of {@code text}; one that does not parse is its text as the hash (never renewed). */
  public static GeneratedEntry parse(String text) {
    if (text == null) {
      return of(null);
    }
    int n = text.indexOf(NOT_AFTER);
    int r = text.indexOf(RENEW_BEFORE);
    if (n < 0 || r < n) {
      return of(text);
    }
    try {
      return new GeneratedEntry(
          text.substring(0, n),
          Instant.parse(text.substring(n + NOT_AFTER.length(), r)),
          Duration.parse(text.substring(r + RENEW_BEFORE.length())));
    } catch (DateTimeParseException e) {
      return of(text);
    }
  }

  public String text() {
    return notAfter == null
        ? parameters
        : parameters + NOT_AFTER + notAfter + RENEW_BEFORE + renewBefore;
  }

  /** When the entry is renewed, or null when never. */
  public Instant renewAt() {
    return notAfter == null ? null : notAfter.minus(renewBefore);
  }

  /** True when the entry is to be made anew at {@code now}. */
  public boolean due(Instant now) {
    Instant at = renewAt();
    return at != null && !now.isBefore(at);
  }

  /** The same entry for a certificate valid until {@code newNotAfter}. */
  public GeneratedEntry until(Instant newNotAfter) {
    return new GeneratedEntry(parameters, newNotAfter, renewBefore);
  }

  /** The entry of a version's generated map that is renewed first, if any is. */
  public static Optional<GeneratedEntry> firstRenewed(Map<String, String> generated) {
    return generated.values().stream()
        .map(GeneratedEntry::parse)
        .filter(e -> e.renewAt() != null)
        .min(java.util.Comparator.comparing(GeneratedEntry::renewAt));
  }

  /** The earliest notAfter of a version's generated map, if it holds a certificate. */
  public static Optional<Instant> earliestNotAfter(Map<String, String> generated) {
    return generated.values().stream()
        .map(GeneratedEntry::parse)
        .map(GeneratedEntry::notAfter)
        .filter(java.util.Objects::nonNull)
        .min(Instant::compareTo);
  }

  /** True when an entry of a version's generated map is to be renewed at {@code now}. */
  public static boolean renewalDue(Map<String, String> generated, Instant now) {
    return firstRenewed(generated).map(e -> e.due(now)).orElse(false);
  }
}
