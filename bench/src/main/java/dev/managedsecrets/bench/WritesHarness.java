package dev.managedsecrets.bench;

import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.config.OperatorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Writes per ManagedSecret, counted by the API server by method and resource, for the operator and
 * for both baselines (the floor and like-for-like, see {@link Baselines}): N created, then each
 * one's value changed once, then two resync periods idle; each subject on a fresh server. Prints
 * three Markdown tables to paste into docs/BENCHMARKS.md. Usage: java -cp
 * bench/target/benchmarks.jar dev.managedsecrets.bench.WritesHarness [N]
 */
public final class WritesHarness {

  static final List<String> SUBJECTS = List.of("operator", "like-for-like", "floor");

  final int n;
  final Harness h;
  final List<Map<String, Integer>> created = new ArrayList<>();
  final List<Map<String, Integer>> changed = new ArrayList<>();
  final List<Map<String, Integer>> idle = new ArrayList<>();

  WritesHarness(int n) {
    this.n = n;
    this.h = new Harness(n);
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    new WritesHarness(n).run();
    System.exit(0);
  }

  void run() throws Exception {
    OperatorConfig config = h.config();
    long idleMs = config.resyncInterval().multipliedBy(2).plusSeconds(5).toMillis();
    System.out.printf(
        "# WritesHarness: N=%d, %d cores, Java %s, load average %.2f; idle %d s (two resync"
            + " periods of %d s and 5 s)%n",
        n,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        Harness.load(),
        idleMs / 1000,
        config.resyncInterval().toSeconds());

    h.startServer();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OperatorRuntime runtime = OperatorRuntime.start(h.client, config, registry, Clock.systemUTC());
    h.writes();
    h.createAndAwait(0, n);
    h.awaitQuiet();
    created.add(h.writes());
    double kmsCreate = Harness.kms(registry);
    long statusWrites = h.totalWrites(Harness.STATUS_WRITE);
    Harness.parallel(0, n, id -> Harness.changeValue(h.client, "bench", id, 1));
    while (h.totalWrites(Harness.STATUS_WRITE) - statusWrites < n) {
      Thread.sleep(100);
    }
    while (h.settled() < n) {
      Thread.sleep(1000);
    }
    h.awaitQuiet();
    changed.add(h.writes());
    double kmsChange = Harness.kms(registry) - kmsCreate;
    Thread.sleep(idleMs);
    idle.add(h.writes());
    double kmsIdle = Harness.kms(registry) - kmsCreate - kmsChange;
    System.out.printf(
        "operator: KMS calls per ManagedSecret: create %.2f, change %.2f, idle %.2f (load average"
            + " %.2f)%n",
        kmsCreate / n, kmsChange / n, kmsIdle / n, Harness.load());
    runtime.close();
    h.stopServer();

    baseline(b -> id -> b.likeForLikeCreate(id, false), b -> id -> b.likeForLikeChange(id, 1));
    baseline(b -> id -> b.floorCreate(id, false), b -> id -> b.floorChange(id, 1));

    System.out.printf(
        "%n### Writes per ManagedSecret, N = %d (each counted by the API server)%n%n", n);
    for (String phase : List.of("create", "value change", "idle, two resync periods")) {
      List<Map<String, Integer>> counts =
          phase.equals("create") ? created : phase.equals("value change") ? changed : idle;
      System.out.printf(
          "%s%n%s%n",
          phase,
          WriteCounts.table(
              SUBJECTS.stream().map(s -> s + ": " + phase).toList(), counts, List.of(n, n, n)));
    }
  }

  /** One baseline on a fresh server: its writes for N creates, N changes, and while idle. */
  void baseline(
      java.util.function.Function<Baselines, IntConsumer> create,
      java.util.function.Function<Baselines, IntConsumer> change)
      throws Exception {
    h.startServer();
    Baselines b = new Baselines(h.client);
    h.writes();
    Harness.parallel(0, n, create.apply(b));
    created.add(h.writes());
    Harness.parallel(0, n, change.apply(b));
    changed.add(h.writes());
    Thread.sleep(h.config().resyncInterval().multipliedBy(2).plusSeconds(5).toMillis());
    idle.add(h.writes());
    h.stopServer();
  }
}
