package dev.managedsecrets.operator.it;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.operator.reconcile.Checkpoints;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@link Checkpoints} that hold the first reconcile of the ManagedSecret of one secret name at one
 * point until the test releases it: what another writer does meanwhile happens while that reconcile
 * is in flight, as when the two race.
 */
final class Hold implements Checkpoints {

  private volatile Point point;
  private volatile String secretName;
  private volatile CountDownLatch reached = new CountDownLatch(1);
  private volatile CountDownLatch released = new CountDownLatch(1);

  /** The next reconcile of the ManagedSecret named {@code secretName} stops at {@code at}. */
  void arm(Point at, String secretName) {
    this.reached = new CountDownLatch(1);
    this.released = new CountDownLatch(1);
    this.secretName = secretName;
    this.point = at;
  }

  /** Waits until the armed reconcile is held. */
  void awaitHeld() throws InterruptedException {
    if (!reached.await(Fixtures.WAIT.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("no reconcile reached " + point);
    }
  }

  /** Lets the held reconcile go on. */
  void release() {
    released.countDown();
  }

  @Override
  public void reached(Point at, ManagedSecret ms) {
    if (at == point && ms.getSpec() != null && secretName.equals(ms.getSpec().secretName)) {
      point = null; // once
      reached.countDown();
      try {
        if (!released.await(Fixtures.WAIT.toSeconds(), TimeUnit.SECONDS)) {
          throw new IllegalStateException("a held reconcile was never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
