package dev.managedsecrets.operator.command;

import dev.managedsecrets.operator.OperatorClient;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.health.HealthServer;
import dev.managedsecrets.operator.metrics.OperatorMetrics;
import dev.managedsecrets.operator.reseal.ResealServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The operator's command line. */
@Command(
    name = "managedsecret-operator",
    mixinStandardHelpOptions = true,
    description = "Runs the ManagedSecret operator.",
    subcommands = {
      Main.Run.class,
      EmbeddedCommand.class,
      RebindCommand.class,
      CredentialsProxyCommand.class
    })
public final class Main implements Callable<Integer> {

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() {
    return new CommandLine(new Run()).execute();
  }

  /** Runs against the cluster of the current kubeconfig or service account. */
  @Command(
      name = "run",
      description = "Run against a cluster (in-cluster or the current kubeconfig).")
  static final class Run implements Callable<Integer> {

    @Option(names = "--config", description = "YAML configuration file.")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
      OperatorConfig cfg = OperatorConfig.load(config, System.getenv());
      PrometheusMeterRegistry registry = OperatorMetrics.prometheusRegistry();
      KubernetesClient client = OperatorClient.build(cfg.api(), registry);
      HealthServer http = HealthServer.start(cfg.healthPort(), cfg.metricsPort(), registry::scrape);
      OperatorRuntime runtime = OperatorRuntime.start(client, cfg, registry, Clock.systemUTC());
      http.watch(runtime);
      ResealServer reseal = ResealServer.start(cfg.sealing().resealPort(), runtime::reseal);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    reseal.close();
                    runtime.close();
                    http.close();
                    client.close();
                    stopped.countDown();
                  }));
      stopped.await();
      return 0;
    }
  }
}
