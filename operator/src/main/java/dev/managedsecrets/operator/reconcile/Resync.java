package dev.managedsecrets.operator.reconcile;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * When an unchanged ManagedSecret is reconciled again: at a time drawn afresh after each reconcile
 * between {@value #SPREAD_PERCENT}% under {@code resyncInterval} and {@code resyncInterval} itself.
 * ManagedSecrets reconciled together (created in one burst, or all at once after a restart or a
 * pause of the operator) would otherwise resync together, one interval later and every interval
 * after that, and a change made during such a wave waits behind thousands of idle reconciles. Drawn
 * at random each time, their resyncs drift apart and spread over the interval.
 */
public final class Resync {

  /** How far under the interval a resync may come, in percent of it. */
  static final int SPREAD_PERCENT = 20;

  private final Duration interval;
  private final DoubleSupplier random;

  public Resync(Duration interval) {
    this(interval, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** {@code random}: a number in [0, 1) for each draw. */
  Resync(Duration interval, DoubleSupplier random) {
    this.interval = interval;
    this.random = random;
  }

  /** The time until the next resync of a ManagedSecret reconciled now. */
  public Duration next() {
    long spread = interval.toMillis() * SPREAD_PERCENT / 100;
    return interval.minusMillis((long) (random.getAsDouble() * spread));
  }
}
