package dev.managedsecrets.operator.it;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.operator.reconcile.Checkpoints;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@link Checkpoints} that crash the operator once, at one point of the reconcile of one
 * ManagedSecret: the reconcile thread ends there with an {@link Error} (nothing after the point
 * runs: no other step, no error status, no retry), as when the process dies. The test then closes
 * that operator and starts another.
 */
final class Crash implements Checkpoints {

  /** The operator "died" here. */
  static final class Stopped extends Error {
    Stopped(String where) {
      super("crash point " + where + " (a test's fault)", null, false, false);
    }
  }

  private volatile Point point;
  private volatile String namespace;
  private volatile String name;
  private volatile CountDownLatch crashed = new CountDownLatch(1);

  /** The next reconcile of namespace/name that reaches {@code at} crashes there. */
  void arm(Point at, String namespace, String name) {
    this.namespace = namespace;
    this.name = name;
    this.crashed = new CountDownLatch(1);
    this.point = at;
  }

  /** Waits until the armed crash happened. */
  void awaitCrash() throws InterruptedException {
    if (!crashed.await(Fixtures.WAIT.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError("the operator never reached crash point " + point);
    }
  }

  @Override
  public void reached(Point at, ManagedSecret ms) {
    if (at == point
        && ms.getMetadata().getNamespace().equals(namespace)
        && ms.getMetadata().getName().equals(name)) {
      point = null; // once
      crashed.countDown();
      throw new Stopped(at + " of " + namespace + "/" + name);
    }
  }
}
