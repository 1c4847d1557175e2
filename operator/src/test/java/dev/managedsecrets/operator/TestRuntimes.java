package dev.managedsecrets.operator;

import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.reconcile.Checkpoints;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;

/**
 * Starts the operator with what only tests give it: the {@link Checkpoints} where the fault tests
 * stop a reconcile. ({@code OperatorRuntime}'s start that takes them is package-private.)
 */
public final class TestRuntimes {

  private TestRuntimes() {}

  public static OperatorRuntime start(
      KubernetesClient client,
      OperatorConfig config,
      MeterRegistry registry,
      Clock clock,
      Runnable onLeadershipLost,
      Checkpoints checkpoints) {
    return OperatorRuntime.start(client, config, registry, clock, onLeadershipLost, checkpoints);
  }
}
