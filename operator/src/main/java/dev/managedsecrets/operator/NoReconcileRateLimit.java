package dev.managedsecrets.operator;

import io.javaoperatorsdk.operator.processing.event.rate.RateLimiter;
import java.time.Duration;
import java.util.Optional;

/**
 * java-operator-sdk's default rate limiter, as the operator uses it: no limit on how often one
 * ManagedSecret is reconciled (writes are bounded by the API client's token bucket instead). The
 * framework's own, deactivated as it is by default, still keeps a state with a timestamp for every
 * resource (about 100 bytes each); this one keeps one state for all.
 */
final class NoReconcileRateLimit implements RateLimiter<RateLimiter.RateLimitState> {

  private static final RateLimitState NONE = new RateLimitState() {};

  @Override
  public Optional<Duration> isLimited(RateLimitState state) {
    return Optional.empty();
  }

  @Override
  public RateLimitState initState() {
    return NONE;
  }
}
