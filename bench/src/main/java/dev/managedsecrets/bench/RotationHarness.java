package dev.managedsecrets.bench;

import dev.managedsecrets.api.v1alpha1.DatabaseSpec;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.RotationSpec;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.postgresql.PGConnection;

/**
 * What rotation schedules cost while idle, and how 1000 rotations that fall due together finish.
 * Usage: {@code java -cp bench/target/benchmarks.jar dev.managedsecrets.bench.RotationHarness [N]
 * [DUE]}.
 *
 * <ol>
 *   <li>N ManagedSecrets with a generate key and a schedule: the first {@code DUE} rotate every day
 *       ({@code rate(1 day)}), the others every 30 days. Live objects of the operator's JVM (class
 *       histogram) at N/10 and at N: the growth per ManagedSecret.
 *   <li>Idle: two resync periods (30 s each) with N resident and none due: API writes and KMS
 *       calls.
 *   <li>Due at once: the operator stops, its clock moves two days on, and it starts again: it finds
 *       the {@code DUE} daily ones due together (and the others not). Time from the first
 *       rotation's end to the last's, writes and KMS calls per rotation; repeated {@code
 *       -Dbench.rounds} times (two days further each time), median with every round's figure.
 *       Generate rotations connect to nothing: the reconcile threads (20 here) bound how many run
 *       at once.
 * </ol>
 */
public final class RotationHarness {

  private RotationHarness() {}

  /** The system clock moved on by an offset the harness sets: schedules fall due on demand. */
  static final class ShiftedClock extends Clock {
    private volatile Duration offset = Duration.ZERO;

    void advance(Duration d) {
      offset = offset.plus(d);
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(offset);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int due = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int rounds = Math.max(1, Integer.getInteger("bench.rounds", 3));
    System.out.printf(
        "# RotationHarness: N=%d, due together %d, %d cores, max heap %d MiB, Java %s%n",
        n,
        due,
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20,
        System.getProperty("java.version"));
    String strategy = System.getProperty("bench.strategy", "generate");
    EmbeddedPostgres pg = strategy.equals("generate") ? null : postgres();
    Harness h = new Harness(n);
    h.startServer();
    ShiftedClock clock = new ShiftedClock();
    OperatorConfig config = config(pg);
    System.out.printf(
        "# strategy of the %d due: %s; rotation.maxConcurrent %d, maxConcurrentPerHost %d%n",
        due, strategy, config.rotation().maxConcurrent(), config.rotation().maxConcurrentPerHost());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OperatorRuntime runtime = OperatorRuntime.start(h.client, config, registry, clock);

    // 1. Memory: live objects at N/10 and at N, every one with a schedule.
    int tenth = Math.max(1, n / 10);
    IntFunction<ManagedSecret> objects = i -> scheduled(i, due, strategy, pg);
    h.createAndAwait(0, tenth, objects);
    awaitSettled(h, tenth);
    Map<String, long[]> atTenth = Live.histogram();
    long createMs = h.createAndAwait(tenth, n - tenth, objects);
    awaitSettled(h, n);
    Map<String, long[]> atN = Live.histogram();
    System.out.printf(
        "created %d scheduled ManagedSecrets in %d ms; memory from N/10 to N:%n",
        n - tenth, createMs);
    Live.printGrowth(atTenth, atN, n - tenth);

    if (pg != null) {
      roles(h, pg, due);
    }

    // 2. Idle: two resync periods with none due.
    h.writes();
    double kms0 = Harness.kms(registry);
    Thread.sleep(config.resyncInterval().multipliedBy(2).plusSeconds(5).toMillis());
    System.out.printf(
        "idle with schedules (2 resync periods of %ds, %d resident): writes %s, KMS calls %.0f%n",
        config.resyncInterval().toSeconds(), n, h.writes(), Harness.kms(registry) - kms0);

    // 3. DUE rotations due together, in rounds.
    List<Double> seconds = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      double rotated0 = rotations(registry, "Succeeded");
      double failed0 = rotations(registry, "Failed");
      double kms1 = Harness.kms(registry);
      // Due times are met by rescheduleAfter timers in real time: the clock moves two days on
      // while the operator is down, and its start finds the daily ones due together.
      runtime.close();
      h.writes();
      clock.advance(Duration.ofDays(2));
      long t0 = System.nanoTime();
      runtime = OperatorRuntime.start(h.client, config, registry, clock);
      long first = 0;
      while (rotations(registry, "Succeeded") + rotations(registry, "Failed") - rotated0 - failed0
          < due) {
        if (first == 0 && rotations(registry, "Succeeded") > rotated0) {
          first = System.nanoTime();
        }
        if (System.nanoTime() - t0 > Duration.ofMinutes(10).toNanos()) {
          throw new IllegalStateException("rotations did not finish in 10 minutes");
        }
        Thread.sleep(10);
      }
      long last = System.nanoTime();
      double took = (last - first) / 1e9;
      seconds.add(took);
      Map<String, Integer> w = h.writes();
      int total = w.values().stream().mapToInt(Integer::intValue).sum();
      System.out.printf(
          "round %d: %d rotations (%.0f failed) from the first's end to the last's in %.1f s"
              + " (%.0f per second), %.1f s after the operator started; writes %s (%.1f per"
              + " rotation),"
              + " KMS calls %.1f per rotation%n",
          round,
          due,
          rotations(registry, "Failed") - failed0,
          took,
          due / took,
          (last - t0) / 1e9,
          w,
          (double) total / due,
          (Harness.kms(registry) - kms1) / due);
    }
    System.out.printf(
        "due together: %d rotations in a median %.1f s, rounds %s%n",
        due, Harness.median(seconds), secondsList(seconds));
    runtime.close();
    h.stopServer();
    if (pg != null) {
      pg.close();
    }
    System.exit(0);
  }

  static OperatorConfig config(EmbeddedPostgres pg) {
    Map<String, String> env = new HashMap<>();
    env.put("MANAGEDSECRET_ACCOUNT_ID", "123456789012");
    env.put("MANAGEDSECRET_RESYNC_INTERVAL", "PT30S");
    env.put("MANAGEDSECRET_RECONCILE_THREADS", String.valueOf(Harness.THREADS));
    env.put("MANAGEDSECRET_QUOTA_VERSIONS_PER_NAMESPACE", "100000000");
    if (pg != null) {
      env.put("MANAGEDSECRET_ROTATION_DATABASE_HOSTS", "127.0.0.1");
    }
    for (String bound : List.of("maxConcurrent", "maxConcurrentPerHost")) {
      String value = System.getProperty("bench." + bound);
      if (value != null) {
        env.put(
            "MANAGEDSECRET_ROTATION_" + bound.replaceAll("([A-Z])", "_$1").toUpperCase(), value);
      }
    }
    return OperatorConfig.load(null, env);
  }

  /**
   * ManagedSecret {@code i}: a generated password, daily rotation for the first {@code due} (with
   * {@code strategy}: a role of {@code pg} for the postgres strategy), every 30 days for the rest.
   */
  static ManagedSecret scheduled(int i, int due, String strategy, EmbeddedPostgres pg) {
    ManagedSecret ms = new ManagedSecret();
    ms.setMetadata(new ObjectMetaBuilder().withNamespace("bench").withName("app-" + i).build());
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.data = Map.of("username", "user_" + i);
    GenerateSpec password = new GenerateSpec();
    password.passwordLength = 32;
    password.excludeCharacters = "/@\"'\\:"; // as AWS's rotation templates for PostgreSQL
    spec.generate = Map.of("password", password);
    RotationSpec rotation = new RotationSpec();
    rotation.scheduleExpression = i < due ? "rate(1 day)" : "rate(30 days)";
    if (i < due && pg != null) {
      rotation.strategy = strategy;
      DatabaseSpec db = new DatabaseSpec();
      db.engine = "postgres";
      db.host = "127.0.0.1";
      db.port = pg.getPort();
      db.dbname = "postgres";
      db.sslmode = "disable"; // the embedded server has no TLS
      spec.database = db;
    }
    spec.rotation = rotation;
    ms.setSpec(spec);
    return ms;
  }

  /**
   * A PostgreSQL server whose roles log in with passwords (scram-sha-256), as in production; the
   * superuser postgres is trusted on the loopback, for the harness.
   */
  static EmbeddedPostgres postgres() throws Exception {
    Path data = Files.createTempDirectory("bench-pg");
    EmbeddedPostgres pg =
        EmbeddedPostgres.builder()
            .setDataDirectory(data)
            .setCleanDataDirectory(true)
            .setServerConfig("listen_addresses", "127.0.0.1")
            .setServerConfig("max_connections", "200")
            .start();
    Files.writeString(
        data.resolve("pg_hba.conf"),
        String.join(
            "\n",
            "local all all trust",
            "host all postgres 127.0.0.1/32 trust",
            "host all all 127.0.0.1/32 scram-sha-256",
            ""));
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      st.execute("SELECT pg_reload_conf()");
    }
    return pg;
  }

  /** The role of each of the first {@code due} ManagedSecrets, with its generated password. */
  static void roles(Harness h, EmbeddedPostgres pg, int due) throws Exception {
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement st = c.createStatement()) {
      for (int i = 0; i < due; i++) {
        Secret s = h.client.secrets().inNamespace("bench").withName("app-" + i).get();
        String password =
            new String(
                Base64.getDecoder().decode(s.getData().get("password")), StandardCharsets.UTF_8);
        String literal = c.unwrap(PGConnection.class).escapeLiteral(password);
        st.execute("CREATE ROLE user_" + i + " LOGIN PASSWORD '" + literal + "'");
      }
    }
  }

  /** Waits until {@code count} ManagedSecrets have reached status for their generation. */
  static void awaitSettled(Harness h, int count) throws InterruptedException {
    while (h.settled() < count) {
      Thread.sleep(500);
    }
  }

  static double rotations(SimpleMeterRegistry registry, String outcome) {
    return registry.find("managedsecret.rotations").tag("outcome", outcome).counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  static String secondsList(List<Double> values) {
    List<String> out = new ArrayList<>();
    for (Double v : values) {
      out.add(String.format("%.1f s", v));
    }
    Collections.sort(out);
    return out.toString();
  }
}
