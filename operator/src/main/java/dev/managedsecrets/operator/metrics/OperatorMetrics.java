package dev.managedsecrets.operator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * The operator's metrics, by their Micrometer names; Prometheus sees them with underscores, a
 * {@code _total} suffix on counters and {@code _seconds} on timers. Tags are closed sets (a result,
 * an operation, an AWS exception name): never a secret's name or value.
 */
public final class OperatorMetrics {

  /** managedsecret_reconciles_total{result}: Synced or an AWS exception name. */
  public static final String RECONCILES = "managedsecret.reconciles";

  /** managedsecret_reconcile_duration_seconds{operation, outcome}. */
  public static final String RECONCILE_DURATION = "managedsecret.reconcile.duration";

  /**
   * managedsecret_reconcile_queue{work}: reconciles asked for and not started, by work=change (a
   * change someone made; these start first) or work=check (a resync or an owned object's event).
   */
  public static final String RECONCILE_QUEUE = "managedsecret.reconcile.queue";

  /** managedsecret_reconciles_asked_total{work}: reconciles asked for, change or check. */
  public static final String RECONCILES_ASKED = "managedsecret.reconciles.asked";

  /**
   * managedsecret_versions_total: versions created. (Not "versions_created": Prometheus reserves
   * the _created suffix of counters.)
   */
  public static final String VERSIONS_CREATED = "managedsecret.versions";

  /** managedsecret_kms_requests_total{operation, result}. */
  public static final String KMS_REQUESTS = CountingKms.METRIC;

  /**
   * managedsecret_store_record_reads_total{from}: the endpoint's reads of records from the
   * Kubernetes store, served from its watch ({@code from=watch}) or from the API server ({@code
   * from=server}).
   */
  public static final String STORE_RECORD_READS = "managedsecret.store.record.reads";

  /** managedsecret_store_duration_seconds{operation, outcome}. */
  public static final String STORE_DURATION = "managedsecret.store.duration";

  /** managedsecret_secrets_repaired_total: projected Secrets put back after they drifted. */
  public static final String SECRETS_REPAIRED = "managedsecret.secrets.repaired";

  /** managedsecret_errors_total{exception}: failed reconciles by AWS exception name. */
  public static final String ERRORS = "managedsecret.errors";

  /** managedsecret_rotations_total{strategy, outcome}: rotations run, Succeeded or Failed. */
  public static final String ROTATIONS = "managedsecret.rotations";

  /** managedsecret_rotation_duration_seconds{strategy, outcome}: how long rotations took. */
  public static final String ROTATION_DURATION = "managedsecret.rotation.duration";

  /** managedsecret_leader: 1 while this replica holds the leader Lease (or runs alone). */
  public static final String LEADER = "managedsecret.leader";

  /**
   * managedsecret_api_requests_waited_total{client}: Kubernetes API requests that waited for a
   * token of their client's rate limit (api.qps, api.burst); client is operator, endpoint or
   * peer-&lt;region&gt;.
   */
  public static final String API_REQUESTS_WAITED = "managedsecret.api.requests.waited";

  /** managedsecret_api_rate_limit_wait_seconds{client}: how long those requests waited. */
  public static final String API_RATE_LIMIT_WAIT = "managedsecret.api.rate.limit.wait";

  /** Histogram buckets of the timers: 5 ms to 10 s. */
  static final Duration[] BUCKETS = {
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  private OperatorMetrics() {}

  /** A Prometheus registry with the JVM's and the process's own metrics bound. */
  public static PrometheusMeterRegistry prometheusRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }

  /** A reconcile of a ManagedSecret ended: Synced, or failed with an AWS exception name. */
  public static void reconciled(MeterRegistry registry, String result) {
    Counter.builder(RECONCILES)
        .description("Reconciles of ManagedSecrets by result (Synced or an AWS exception name)")
        .tag("result", result)
        .register(registry)
        .increment();
    if (!"Synced".equals(result)) {
      error(registry, result);
    }
  }

  /** The counter of a client's requests that waited for a token of its rate limit. */
  public static Counter apiRequestsWaited(MeterRegistry registry, String client) {
    return Counter.builder(API_REQUESTS_WAITED)
        .description("Kubernetes API requests that waited for a token of the client's rate limit")
        .tag("client", client)
        .register(registry);
  }

  /** The timer of how long a client's requests waited for a token of its rate limit. */
  public static Timer apiRateLimitWait(MeterRegistry registry, String client) {
    return Timer.builder(API_RATE_LIMIT_WAIT)
        .description("How long Kubernetes API requests waited for a token of the rate limit")
        .tag("client", client)
        .serviceLevelObjectives(BUCKETS)
        .register(registry);
  }

  public static void versionCreated(MeterRegistry registry) {
    Counter.builder(VERSIONS_CREATED)
        .description("Secret versions created (each a new AWSCURRENT)")
        .register(registry)
        .increment();
  }

  /** A rotation ended: {@code outcome} Succeeded or Failed, after {@code took}. */
  public static void rotated(
      MeterRegistry registry, String strategy, String outcome, Duration took) {
    Counter.builder(ROTATIONS)
        .description("Rotations by strategy and outcome (Succeeded or Failed)")
        .tag("strategy", strategy)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
    Timer.builder(ROTATION_DURATION)
        .description("How long rotations took, by strategy and outcome")
        .tag("strategy", strategy)
        .tag("outcome", outcome)
        .serviceLevelObjectives(BUCKETS)
        .register(registry)
        .record(took);
  }

  public static void secretRepaired(MeterRegistry registry) {
    Counter.builder(SECRETS_REPAIRED)
        .description("Projected Secrets put back after they were edited")
        .register(registry)
        .increment();
  }

  public static void error(MeterRegistry registry, String exceptionName) {
    Counter.builder(ERRORS)
        .description("Failed reconciles by AWS exception name")
        .tag("exception", exceptionName)
        .register(registry)
        .increment();
  }
}
