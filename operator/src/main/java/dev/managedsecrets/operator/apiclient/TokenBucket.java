package dev.managedsecrets.operator.apiclient;

import java.util.function.LongSupplier;

/**
 * A token bucket: it holds at most {@code burst} tokens, refilled at {@code qps} a second, and
 * starts full. {@link #reserve()} takes one token at once and answers how long its taker must wait
 * before using it: nothing while tokens are left; once the bucket is empty, the time until the
 * refill pays for this token and for every one reserved before it. Takers therefore go in the order
 * they reserved, and in any window of {@code t} seconds at most {@code burst + qps * t} tokens come
 * due. A token bucket never slows an idle client: only a run of more than {@code burst} requests
 * waits.
 */
public final class TokenBucket {

  private static final double NANOS_PER_SECOND = 1e9;

  private final double qps;
  private final int burst;
  private final LongSupplier nanoTime;

  /** Tokens in the bucket; below zero, the tokens already promised to waiting takers. */
  private double tokens;

  private long refilledAt;

  /**
   * @param qps tokens added a second (above 0)
   * @param burst the most tokens the bucket holds (at least 1)
   * @param nanoTime a monotonic clock in nanoseconds, {@link System#nanoTime()} but in tests
   */
  public TokenBucket(double qps, int burst, LongSupplier nanoTime) {
    if (!(qps > 0) || Double.isInfinite(qps)) {
      throw new IllegalArgumentException("qps must be above 0; it is " + qps);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be at least 1; it is " + burst);
    }
    this.qps = qps;
    this.burst = burst;
    this.nanoTime = nanoTime;
    this.tokens = burst;
    this.refilledAt = nanoTime.getAsLong();
  }

  /**
   * Takes a token; answers the nanoseconds until it may be used (0: now).
   *
   * <p>A reserved token is never given back: a taker that does not wait still counts.
   */
  public synchronized long reserve() {
    long now = nanoTime.getAsLong();
    refill(now);
    tokens -= 1;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / qps * NANOS_PER_SECOND);
  }

  /** Tokens available now without waiting (for tests and metrics). */
  public synchronized double available() {
    refill(nanoTime.getAsLong());
    return Math.max(0, tokens);
  }

  private void refill(long now) {
    long elapsed = now - refilledAt;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed / NANOS_PER_SECOND * qps);
      refilledAt = now;
    }
  }
}
