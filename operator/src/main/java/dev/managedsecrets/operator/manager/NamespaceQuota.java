package dev.managedsecrets.operator.manager;

import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.operator.store.SecretStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The bound on what the secrets of one namespace keep in the store together: versions and bytes of
 * envelopes. A write is checked only when it makes the namespace keep more (a write that retention
 * balances is never refused), against what the store counts from its records ({@link
 * SecretStore#usage}: one query, or one list of the namespace's records; no envelope is read).
 *
 * <p>A count is kept for {@link #RECOUNT}, with the writes checked since added, so that writing
 * many versions in one namespace reads the store once a minute, not once a version (a list of all
 * the namespace's records each time would grow with the square of their number). What others change
 * meanwhile (a purge, another writer) is seen at the next count; a write is refused only on a count
 * just read.
 */
public final class NamespaceQuota {

  /**
   * How long a namespace's count is used, with the writes checked since, before it is read again.
   */
  static final Duration RECOUNT = Duration.ofMinutes(1);

  /** No bound: for tests and tools that store outside any tenant. */
  public static final NamespaceQuota NONE =
      new NamespaceQuota(Long.MAX_VALUE, Long.MAX_VALUE, Clock.systemUTC());

  private record Count(long versions, long bytes, Instant at) {
    Count plus(long moreVersions, long moreBytes) {
      return new Count(versions + moreVersions, bytes + moreBytes, at);
    }
  }

  private final long maxVersions;
  private final long maxBytes;
  private final Clock clock;
  private final Map<String, Count> counts = new HashMap<>();

  public NamespaceQuota(long maxVersions, long maxBytes, Clock clock) {
    this.maxVersions = maxVersions;
    this.maxBytes = maxBytes;
    this.clock = clock;
  }

  /**
   * Refuses a write to {@code id} that adds {@code versions} versions and {@code bytes} bytes (net
   * of what retention removes) when the namespace would then keep more than its bound.
   */
  synchronized void check(SecretStore store, SecretId id, long versions, long bytes) {
    String namespace = id.namespace();
    Count count = counts.get(namespace);
    if (versions <= 0 && bytes <= 0) {
      if (count != null) {
        counts.put(namespace, count.plus(versions, bytes));
      }
      return;
    }
    boolean read = count == null || count.at().plus(RECOUNT).isBefore(clock.instant());
    if (read) {
      count = read(store, namespace);
    }
    String over = over(namespace, count, versions, bytes);
    if (over != null && !read) {
      count = read(store, namespace); // refused only on a count just read
      over = over(namespace, count, versions, bytes);
    }
    if (over != null) {
      throw refused(id, over);
    }
    counts.put(namespace, count.plus(versions, bytes));
  }

  private Count read(SecretStore store, String namespace) {
    Instant at = clock.instant();
    SecretStore.Usage used = store.usage(namespace);
    return new Count(used.versions(), used.bytes(), at);
  }

  /** The namespace's use past its bound, as the refusal names it; null when the write fits. */
  private String over(String namespace, Count count, long versions, long bytes) {
    if (versions > 0 && count.versions() + versions > maxVersions) {
      return namespace
          + " holds "
          + count.versions()
          + " versions of "
          + maxVersions
          + " allowed (quota.versionsPerNamespace)";
    }
    if (bytes > 0 && count.bytes() + bytes > maxBytes) {
      return namespace
          + " holds "
          + count.bytes()
          + " bytes of "
          + maxBytes
          + " allowed, and the new version needs "
          + bytes
          + " more (quota.bytesPerNamespace)";
    }
    return null;
  }

  private static SecretsManagerException refused(SecretId id, String use) {
    return new SecretsManagerException(
        AwsError.LIMIT_EXCEEDED_EXCEPTION,
        "You can't create a version of secret "
            + id.name()
            + ": namespace "
            + use
            + ". Delete secrets or versions of the namespace (a secret in its recovery window counts"
            + " until it is purged; forceDeleteWithoutRecovery frees it at once), or ask the"
            + " operator's administrator to raise the quota.");
  }
}
