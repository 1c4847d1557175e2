package dev.managedsecrets.operator.metrics;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Times every reconcile and cleanup as managedsecret_reconcile_duration_seconds, through the hook
 * that java-operator-sdk calls around each controller execution.
 */
public final class ReconcileTimer implements Metrics {

  private final MeterRegistry registry;

  public ReconcileTimer(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
    Timer.Sample sample = Timer.start(registry);
    String outcome = "error";
    try {
      T result = execution.execute();
      outcome = "success";
      return result;
    } finally {
      sample.stop(
          Timer.builder(OperatorMetrics.RECONCILE_DURATION)
              .description("Time spent in one reconcile or cleanup of a ManagedSecret")
              .tag("operation", "cleanup".equals(execution.name()) ? "cleanup" : "reconcile")
              .tag("outcome", outcome)
              .serviceLevelObjectives(OperatorMetrics.BUCKETS)
              .register(registry));
    }
  }
}
