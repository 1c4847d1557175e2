package dev.managedsecrets.bench;

import dev.managedsecrets.operator.OperatorRuntime;
import io.javaoperatorsdk.operator.Operator;
import java.lang.reflect.Field;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * The length of java-operator-sdk's reconcile queue (the executor's work not yet started), read by
 * reflection for the benchmark only: java-operator-sdk wraps its executor and shows no queue.
 */
interface ReconcileQueue {

  ReconcileQueue NONE = () -> -1;

  /** Reconciles submitted and not started; -1 when it can't be read. */
  int length();

  static ReconcileQueue of(OperatorRuntime runtime) {
    try {
      Field operatorField = OperatorRuntime.class.getDeclaredField("operator");
      operatorField.setAccessible(true);
      Operator operator = (Operator) operatorField.get(runtime);
      ExecutorService wrapped =
          operator.getConfigurationService().getExecutorServiceManager().reconcileExecutorService();
      Field inner = wrapped.getClass().getDeclaredField("executor");
      inner.setAccessible(true);
      if (inner.get(wrapped) instanceof ThreadPoolExecutor pool) {
        return () -> pool.getQueue().size();
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      System.out.println("reconcile queue: not readable (" + e + ")");
    }
    return NONE;
  }
}
