package dev.managedsecrets.core.projection;

import dev.managedsecrets.api.v1alpha1.PreviousValueSpec;
import dev.managedsecrets.api.v1alpha1.TargetSpec;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.validation.SpecValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * target.previousValue: whether, and until when, the AWSPREVIOUS version is projected beside
 * AWSCURRENT, and its keys as the Secret holds them (each projected key, templates included, with
 * the suffix). The grace period is counted from the current version's creation date, which the
 * store keeps, so an operator that restarts ends it at the same time.
 */
public final class PreviousKeys {

  /** The grace period when target.previousValue gives none. */
  public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofHours(24);

  /** The key suffix when target.previousValue gives none. */
  public static final String DEFAULT_KEY_SUFFIX = SpecValidator.DEFAULT_KEY_SUFFIX;

  private PreviousKeys() {}

  /** The grace period of a target.previousValue that {@link SpecValidator} accepted. */
  public static Duration gracePeriod(PreviousValueSpec spec) {
    if (spec.gracePeriod == null) {
      return DEFAULT_GRACE_PERIOD;
    }
    long amount = Long.parseLong(spec.gracePeriod.substring(0, spec.gracePeriod.length() - 1));
    return spec.gracePeriod.endsWith("h") ? Duration.ofHours(amount) : Duration.ofMinutes(amount);
  }

  /** The key suffix of a target.previousValue. */
  public static String keySuffix(PreviousValueSpec spec) {
    return spec.keySuffix == null ? DEFAULT_KEY_SUFFIX : spec.keySuffix;
  }

  /**
   * Until when the previous version is projected beside a current version created at {@code
   * currentCreated}: null when the target asks for none or the grace period is over at {@code now}.
   */
  public static Instant until(TargetSpec target, Instant currentCreated, Instant now) {
    if (target == null || target.previousValue == null || currentCreated == null) {
      return null;
    }
    Instant until = currentCreated.plus(gracePeriod(target.previousValue));
    return now.isBefore(until) ? until : null;
  }

  /**
   * The previous version's projected data under its suffixed keys, the bytes shared with {@code
   * previous}.
   *
   * @throws SecretsManagerException InvalidParameterException when a suffixed key is also a key of
   *     the current projection, or longer than a Secret key may be (the message counts, it names no
   *     key)
   */
  public static Map<String, byte[]> suffixed(
      Set<String> currentKeys, Map<String, byte[]> previous, String suffix) {
    Map<String, byte[]> out = new TreeMap<>();
    int collisions = 0;
    int tooLong = 0;
    for (Map.Entry<String, byte[]> e : previous.entrySet()) {
      String key = e.getKey() + suffix;
      if (currentKeys.contains(key)) {
        collisions++;
      } else if (key.length() > 253) {
        tooLong++;
      }
      out.put(key, e.getValue());
    }
    if (collisions > 0) {
      throw SecretsManagerException.invalidParameter(
          collisions
              + " of the previous version's keys, with target.previousValue.keySuffix, would be"
              + " keys of the current version too: choose another keySuffix.");
    }
    if (tooLong > 0) {
      throw SecretsManagerException.invalidParameter(
          tooLong
              + " of the previous version's keys, with target.previousValue.keySuffix, would be"
              + " longer than the 253 characters of a Secret key: choose a shorter keySuffix.");
    }
    return out;
  }

  /**
   * True when the current projection's data and the previous version's suffixed keys fit in one
   * Secret together (Kubernetes' bound, {@link SecretSize#MAX_BYTES}).
   */
  public static boolean fit(Map<String, byte[]> current, Map<String, byte[]> suffixed) {
    long bytes = 0;
    for (Map<String, byte[]> data : List.of(current, suffixed)) {
      for (Map.Entry<String, byte[]> e : data.entrySet()) {
        bytes += e.getKey().length() + e.getValue().length;
      }
    }
    return bytes <= SecretSize.MAX_BYTES;
  }
}
