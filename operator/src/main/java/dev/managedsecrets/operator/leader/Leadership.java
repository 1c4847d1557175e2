package dev.managedsecrets.operator.leader;

import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may reconcile. Without leader election this replica always may. With it, java-operator-sdk
 * holds a Lease in the operator's namespace: informers run on every replica (so a takeover starts
 * from a warm cache), but only the Lease holder processes events and runs the purge job. A replica
 * that loses the Lease while running calls {@code onLost} (in production: exit, so that two
 * replicas never reconcile at once; Kubernetes restarts it as a follower).
 */
public final class Leadership {

  private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

  private final boolean enabled;
  private final String identity;
  private final AtomicBoolean leading;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final Runnable onLost;

  private Leadership(boolean enabled, String identity, Runnable onLost) {
    this.enabled = enabled;
    this.identity = identity;
    this.leading = new AtomicBoolean(!enabled);
    this.onLost = onLost;
  }

  /**
   * Leadership as configured; {@code onLost} runs when the Lease is lost while not closing. Reports
   * managedsecret_leader.
   */
  public static Leadership of(OperatorConfig config, MeterRegistry registry, Runnable onLost) {
    // Like client-go: the pod's name and a random part, unique per process.
    String host = System.getenv().getOrDefault("HOSTNAME", "managedsecret-operator");
    Leadership leadership =
        new Leadership(config.leaderElection(), host + "_" + UUID.randomUUID(), onLost);
    Gauge.builder(OperatorMetrics.LEADER, leadership, l -> l.leading() ? 1 : 0)
        .description("1 while this replica holds the leader Lease or runs without election")
        .register(registry);
    return leadership;
  }

  /** The java-operator-sdk configuration, when leader election is on. */
  public Optional<LeaderElectionConfiguration> configuration(OperatorConfig config) {
    if (!enabled) {
      return Optional.empty();
    }
    return Optional.of(
        new LeaderElectionConfiguration(
            config.leaseName(),
            config.namespace(),
            config.leaseDuration(),
            config.leaseRenewDeadline(),
            config.leaseRetryPeriod(),
            identity,
            new LeaderCallbacks(this::started, this::stopped, this::newLeader),
            // The SDK would call System.exit on every stop, a clean shutdown included: this
            // class decides instead, and tells a lost Lease from a shutdown.
            false));
  }

  /** True while this replica may reconcile and purge. */
  public boolean leading() {
    return leading.get();
  }

  public String identity() {
    return identity;
  }

  /** Called before the operator stops: losing the Lease from now on is expected. */
  public void closing() {
    closing.set(true);
  }

  private void started() {
    leading.set(true);
    LOG.info("Acquired the leader Lease as {}: this replica reconciles", identity);
  }

  private void stopped() {
    boolean was = leading.getAndSet(false);
    if (closing.get()) {
      LOG.info("Released leadership as {}: the operator is stopping", identity);
      return;
    }
    if (was) {
      LOG.error(
          "Lost the leader Lease as {}: stopping, so that only one replica reconciles", identity);
      // Not on the SDK's thread: stopping the operator (e.g. from a shutdown hook) waits for it.
      Thread lost = new Thread(onLost, "managedsecret-leadership-lost");
      lost.setDaemon(false);
      lost.start();
    }
  }

  private void newLeader(String leader) {
    if (leader != null && !leader.isEmpty() && !leader.equals(identity)) {
      LOG.info("Replica {} holds the leader Lease: this replica stands by", leader);
    }
  }
}
