package dev.managedsecrets.operator.reconcile;

import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;

/**
 * Whether a failure is the operator stopping: java-operator-sdk interrupts the reconciles still
 * running when its graceful shutdown time is over. Such a failure says nothing about the resource,
 * so it is not written to its status (a rolling update would otherwise flip resources to
 * Ready=False); the next leader reconciles them.
 */
final class Interruption {

  private Interruption() {}

  static boolean stopping(Throwable failure) {
    if (Thread.currentThread().isInterrupted()) {
      return true;
    }
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof InterruptedException
          || t instanceof InterruptedIOException
          || t instanceof ClosedByInterruptException) {
        return true;
      }
    }
    return false;
  }
}
