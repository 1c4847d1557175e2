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
 * server one review per read; an answer for the whole namespace serves each of its names ({@link
 * #allowedInNamespace}). A refusal is never kept for a name: a grant takes effect from the next
 * call on, a revocation within the TTL. At most {@link #MAX_ENTRIES} answers are kept (the least
 * recently used go first).
 */
final class AuthorizationCache {

  /** The most answers kept: one per caller, verb and ManagedSecret in use. */
  static final int MAX_ENTRIES = 10_000;

  /** One question a SubjectAccessReview answers. */
  record Question(
      Principal principal, String verb, String subresource, String namespace, String name) {

    /** The same question for every ManagedSecret of the namespace. */
    Question anyName() {
      return new Question(principal, verb, subresource, namespace, null);
    }
  }

  private final Cache<Question, Boolean> allowed;

  /** Questions for a whole namespace that were refused: kept only so as not to ask them again. */
  private final Cache<Question, Boolean> refusedInNamespace;

  /**
   * @param ttl how long an allowed answer is reused; zero keeps none
   * @param ticker the clock of the expiry (a fake one in tests)
   */
  AuthorizationCache(Duration ttl, int maxEntries, Ticker ticker) {
    this.allowed = ttl.isZero() ? null : cache(ttl, maxEntries, ticker);
    this.refusedInNamespace = ttl.isZero() ? null : cache(ttl, maxEntries, ticker);
  }

  private static Cache<Question, Boolean> cache(Duration ttl, int maxEntries, Ticker ticker) {
    return Caffeine.newBuilder()
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

  /**
   * As {@link #allowed}, for a question about one ManagedSecret, asking first whether the caller
   * may do the same to every ManagedSecret of the namespace (a Role without {@code resourceNames},
   * as most are): that answer, kept for the TTL, serves every name of the namespace with one
   * review, as RBAC's allowing a namespace allows each name in it. Where it is refused (a Role that
   * names its secrets, or none), the refusal is kept for the TTL only so as not to ask it again,
   * and the name is asked on its own, as by {@link #allowed}: a grant of that name counts from the
   * next call.
   */
  boolean allowedInNamespace(Question question, Predicate<Question> ask) {
    if (allowed == null || question.name() == null || question.namespace() == null) {
      return allowed(question, ask);
    }
    if (allowed.getIfPresent(question) != null) {
      return true;
    }
    Question anyName = question.anyName();
    if (allowed.getIfPresent(anyName) != null) {
      return true;
    }
    if (refusedInNamespace.getIfPresent(anyName) == null) {
      if (ask.test(anyName)) {
        allowed.put(anyName, Boolean.TRUE);
        return true;
      }
      refusedInNamespace.put(anyName, Boolean.TRUE);
    }
    return allowed(question, ask);
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
