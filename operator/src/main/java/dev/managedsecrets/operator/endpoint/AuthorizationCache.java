package dev.managedsecrets.operator.endpoint;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Allowed answers of SubjectAccessReviews, reused for a short while
 * (endpoint.authorizationCacheTtl, 5 s by default) for the same caller (user, uid, groups), verb,
 * resource and ManagedSecret, so that a client reading its secrets in a loop does not cost the API
 * server one review per read. A refusal is never kept: a grant takes effect from the next call on,
 * a revocation within the TTL. At most {@link #MAX_ENTRIES} answers are kept (the least recently
 * used go first).
 */
final class AuthorizationCache {

  /** The most answers kept: one per caller, verb and ManagedSecret in use. */
  static final int MAX_ENTRIES = 10_000;

  /** One question a SubjectAccessReview answers. */
  record Question(
      Principal principal, String verb, String subresource, String namespace, String name) {}

  private final Cache<Question, Boolean> allowed;

  /**
   * @param ttl how long an allowed answer is reused; zero keeps none
   * @param ticker the clock of the expiry (a fake one in tests)
   */
  AuthorizationCache(Duration ttl, int maxEntries, Ticker ticker) {
    this.allowed =
        ttl.isZero()
            ? null
            : Caffeine.newBuilder()
                .expireAfterWrite(ttl)
                .maximumSize(maxEntries)
                .ticker(ticker)
                // Evictions on the calling thread: no background work, and the bound holds at once.
                .executor(Runnable::run)
                .build();
  }

  AuthorizationCache(Duration ttl) {
    this(ttl, MAX_ENTRIES, Ticker.systemTicker());
  }

  /** True when {@code ask} allows the question now, or allowed it less than the TTL ago. */
  boolean allowed(Question question, Predicate<Question> ask) {
    if (allowed == null) {
      return ask.test(question);
    }
    if (allowed.getIfPresent(question) != null) {
      return true;
    }
    boolean yes = ask.test(question);
    if (yes) {
      allowed.put(question, Boolean.TRUE);
    }
    return yes;
  }

  /** How many answers are kept now (after pending evictions). */
  long size() {
    if (allowed == null) {
      return 0;
    }
    allowed.cleanUp();
    return allowed.estimatedSize();
  }
}
