package dev.managedsecrets.bench;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.core.projection.Projection;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * Throughput, idle cost, memory and latency of the operator against the in-process API server, in
 * one run. Usage: java -cp bench/target/benchmarks.jar dev.managedsecrets.bench.Harness [N]
 */
public final class Harness {

  static final int THREADS = 20;
  final int n;
  Process server;
  BufferedReader serverOut;
  PrintWriter serverIn;
  KubernetesClient client;

  Harness(int n) {
    this.n = n;
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    new Harness(n).run();
    System.exit(0);
  }

  void run() throws Exception {
    int resident = Integer.getInteger("bench.residentFactor", 10) * n;
    boolean withBaselines = !"false".equals(System.getProperty("bench.baselines"));
    System.out.printf(
        "# Harness: N=%d (%d resident), %d cores, max heap %d MiB, Java %s, server heap %s, load"
            + " average %.2f%n",
        n,
        resident,
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20,
        System.getProperty("java.version"),
        serverHeap(),
        load());

    // 0. Warm up every path (JIT of this JVM and of the server) on a throwaway server.
    startServer();
    int warmCount = Math.min(n, 200);
    if (withBaselines) {
      Baselines warmBaselines = new Baselines(client);
      parallel(0, warmCount, id -> warmBaselines.likeForLikeCreate(id, false));
      parallel(warmCount, warmCount, id -> warmBaselines.floorCreate(id, false));
    }
    SimpleMeterRegistry warmRegistry = new SimpleMeterRegistry();
    OperatorRuntime warm = OperatorRuntime.start(client, config(), warmRegistry, Clock.systemUTC());
    createAndAwait(0, warmCount);
    warm.close();
    stopServer();

    // Phase 1 runs once, or -Dbench.rounds=R times in turn (each on a fresh server) for the
    // median ratios; the operator of the last round stays up for the phases after.
    int rounds = Math.max(1, Integer.getInteger("bench.rounds", 1));
    Map<String, List<Double>> ratios = new java.util.LinkedHashMap<>();
    SimpleMeterRegistry registry = null;
    OperatorRuntime runtime = null;
    OperatorConfig config = config();
    for (int round = 1; round <= rounds; round++) {
      if (runtime != null) {
        runtime.close();
        stopServer();
      }
      if (rounds > 1) {
        System.out.printf("# round %d of %d, load average %.2f%n", round, rounds, load());
      }
      Map<String, Long> baselineMs = new java.util.LinkedHashMap<>();
      if (withBaselines) {
        // 1a. The floor: only the writes the job needs, with a bare fabric8 client.
        startServer();
        baselineMs.put("floor", baselinePhase("floor", b -> id -> b.floorCreate(id, false)));
        stopServer();
        // 1b. Like-for-like: the writes the operator made when the baseline was written.
        startServer();
        baselineMs.put(
            "like-for-like",
            baselinePhase("like-for-like", b -> id -> b.likeForLikeCreate(id, false)));
        stopServer();
        // 1c. Like-for-like while two informers watch and cache what the operator's informers do
        // (ManagedSecrets everywhere, Secrets with the operator's label): what any informer-based
        // client costs the server and itself, before it does any work of its own.
        startServer();
        var watchedSecrets =
            client
                .secrets()
                .inAnyNamespace()
                .withLabel(Projection.MANAGED_BY_LABEL, Projection.MANAGED_BY)
                .inform();
        var watchedManagedSecrets = client.resources(ManagedSecret.class).inAnyNamespace().inform();
        baselineMs.put(
            "like-for-like with two informers",
            baselinePhase(
                "like-for-like with two informers", b -> id -> b.likeForLikeCreate(id, true)));
        watchedSecrets.close();
        watchedManagedSecrets.close();
        stopServer();
      }

      // 2. The operator: create N ManagedSecrets and wait until all are Ready.
      startServer();
      registry = new SimpleMeterRegistry();
      runtime = OperatorRuntime.start(client, config, registry, Clock.systemUTC());
      writes();
      Cpu cpu1 = cpu();
      serverTimes();
      long operatorMs = createAndAwait(0, n);
      Map<String, Integer> w = writes();
      StringBuilder toBaselines = new StringBuilder();
      for (Map.Entry<String, Long> b : baselineMs.entrySet()) {
        double ratio = (double) operatorMs / b.getValue();
        ratios.computeIfAbsent(b.getKey(), k -> new ArrayList<>()).add(ratio);
        toBaselines.append(String.format("; to %s %.2fx", b.getKey(), ratio));
      }
      System.out.printf(
          "operator: %d ManagedSecrets Ready in %d ms%s (load average %.2f)%n  writes per"
              + " ManagedSecret: %s%n  %s%n  %s%n",
          n,
          operatorMs,
          toBaselines,
          load(),
          WriteCounts.line(w, n),
          cpu().since(cpu1),
          serverTimes());
      System.out.printf(
          "  KMS calls: %.0f; %.0f reconciles; time inside reconciles %.1f s (%.1f ms each), in the"
              + " store %.1f s%n",
          kms(registry),
          reconciles(registry),
          seconds(registry, "managedsecret.reconcile.duration"),
          1000 * seconds(registry, "managedsecret.reconcile.duration") / reconciles(registry),
          seconds(registry, "managedsecret.store.duration"));
    }
    if (rounds > 1) {
      ratios.forEach(
          (k, v) ->
              System.out.printf("rounds: ratio to %s %s, median %.2fx%n", k, ratios(v), median(v)));
    }
    if (Boolean.getBoolean("bench.createOnly")) {
      runtime.close();
      stopServer();
      return;
    }

    // 3. Memory: live objects of this JVM (the operator and the harness's client) with N and with
    // 10N resident, each after full collections once the operator is quiet.
    awaitQuiet();
    settleBeforeMemory();
    Live liveN = Live.measure();
    Live.dumpIfAsked("-n.hprof");
    System.out.printf("memory: %,d resident: %s (load average %.2f)%n", n, liveN, load());
    createInBatches(n, resident, registry);
    awaitQuiet();
    settleBeforeMemory();
    Live liveResident = Live.measure();
    Live.dumpIfAsked("-10n.hprof");
    System.out.printf(
        "memory: %,d resident: %s (load average %.2f)%n", resident, liveResident, load());
    System.out.printf(
        "memory: live objects (%,d -> %,d resident) %.2f KiB per ManagedSecret (class histogram);"
            + " heap used after full collections %.2f KiB per ManagedSecret%n",
        n,
        resident,
        (liveResident.histogramBytes() - liveN.histogramBytes()) / 1024.0 / (resident - n),
        (liveResident.heapBytes() - liveN.heapBytes()) / 1024.0 / (resident - n));
    Live.printGrowth(liveN.classes(), liveResident.classes(), resident - n);
    int unrelated = Integer.getInteger("bench.unrelatedSecrets", 10_000);
    if (unrelated > 0) {
      unrelatedSecrets(unrelated);
      awaitQuiet();
      Live liveNoise = Live.measure();
      System.out.printf(
          "memory: +%,d unrelated Secrets: live objects %+d KiB, heap %+d KiB%n",
          unrelated,
          (liveNoise.histogramBytes() - liveResident.histogramBytes()) >> 10,
          (liveNoise.heapBytes() - liveResident.heapBytes()) >> 10);
    }

    // 4. Idle: two resync periods with nothing changed (-Dbench.idle=false leaves it out, for a
    // resync interval of hours).
    if (!"false".equals(System.getProperty("bench.idle"))) {
      writes();
      double kmsBefore = kms(registry);
      double reconcilesBefore = reconciles(registry);
      double loadBefore = load();
      Thread.sleep(config.resyncInterval().multipliedBy(2).plusSeconds(5).toMillis());
      System.out.printf(
          "idle (2 resync periods of %ds, %d resident): writes %s, KMS calls %.0f, %.0f reconciles"
              + " (load average %.2f -> %.2f)%n",
          config.resyncInterval().toSeconds(),
          resident,
          writes(),
          kms(registry) - kmsBefore,
          reconciles(registry) - reconcilesBefore,
          loadBefore,
          load());
    }

    // 5. Latency: spec change -> projected Secret updated, in several runs.
    queue = ReconcileQueue.of(runtime);
    latencyRuns(resident, registry);

    // 6. Cold start with nothing changed (after every pending change has reached status).
    while (settled() < resident) {
      Thread.sleep(1000);
    }
    awaitQuiet();
    runtime.close();
    SimpleMeterRegistry cold = new SimpleMeterRegistry();
    writes();
    double coldLoad = load();
    long start = System.nanoTime();
    runtime = OperatorRuntime.start(client, config, cold, Clock.systemUTC());
    while (reconciles(cold) < resident) {
      Thread.sleep(100);
    }
    long coldMs = (System.nanoTime() - start) / 1_000_000;
    awaitQuiet();
    System.out.printf(
        "cold start (%d resident): %d reconciles in %d ms (%d once quiet), writes %s, KMS calls"
            + " %.0f (load average %.2f -> %.2f)%n",
        resident,
        (long) reconciles(cold),
        coldMs,
        (System.nanoTime() - start) / 1_000_000,
        writes(),
        kms(cold),
        coldLoad,
        load());
    runtime.close();
    stopServer();
  }

  /**
   * Waits {@code -Dbench.memorySettle} (an ISO-8601 duration, default none) before a memory
   * reading: what a cache keeps only for a while has then gone.
   */
  static void settleBeforeMemory() throws InterruptedException {
    Thread.sleep(
        java.time.Duration.parse(System.getProperty("bench.memorySettle", "PT0S")).toMillis());
  }

  /**
   * Creates ManagedSecrets {@code from} up to {@code to} in batches of {@code -Dbench.batch}
   * (default 10,000), each awaited through the server's count of status writes, then checks once
   * that all are Ready.
   */
  void createInBatches(int from, int to, SimpleMeterRegistry registry) throws Exception {
    int batch = Integer.getInteger("bench.batch", 10_000);
    for (int i = from; i < to; i += batch) {
      int count = Math.min(batch, to - i);
      long ms = createAndCount(i, count, Harness::managedSecret);
      System.out.printf(
          "  created %,d-%,d: Ready (status written) in %d ms, %.0f reconciles so far, load average"
              + " %.2f%n",
          i, i + count, ms, reconciles(registry), load());
    }
    while (ready() < to) {
      Thread.sleep(1000);
    }
  }

  /** The API server's JVM's maximum heap: {@code -Dbench.serverHeap} (default 6g). */
  static String serverHeap() {
    return System.getProperty("bench.serverHeap", "6g");
  }

  /** The machine's load average over the last minute. */
  static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /**
   * Waits until the server's writes did not move for 3 s (at most 3 minutes): what a measurement of
   * a quiet operator needs. Reconciles do not count: with a short resync interval an idle operator
   * reconciles all the time, without a write.
   */
  void awaitQuiet() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    long writes = -1;
    while (System.nanoTime() < deadline) {
      long w = totalWrites();
      if (w == writes) {
        return;
      }
      writes = w;
      Thread.sleep(3000);
    }
  }

  /**
   * The last run's changes: milliseconds and the reconcile queue's length at the change's write.
   */
  final List<long[]> slowest = Collections.synchronizedList(new ArrayList<>());

  /** The operator's reconcile executor's queue, to see what a slow change waited behind. */
  ReconcileQueue queue = ReconcileQueue.NONE;

  /**
   * {@code -Dbench.latencyRuns} runs (default 5) of {@code -Dbench.latencyChanges} changes (default
   * 200) each; per run p50, p99 and max, then the median of the runs' p50 and p99 with their least
   * and greatest (the spread).
   */
  void latencyRuns(int resident, SimpleMeterRegistry registry) throws Exception {
    int runs = Integer.getInteger("bench.latencyRuns", 5);
    int changes = Integer.getInteger("bench.latencyChanges", 200);
    List<Double> p50s = new ArrayList<>();
    List<Double> p99s = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      double loadBefore = load();
      double reconcilesBefore = reconciles(registry);
      Stalls stallsBefore = Stalls.now(registry);
      long t0 = System.nanoTime();
      List<Long> latencies = latency(changes, resident, run);
      Stalls stalls = Stalls.now(registry).since(stallsBefore);
      double reconcilesPerSecond =
          (reconciles(registry) - reconcilesBefore) * 1e9 / (System.nanoTime() - t0);
      Collections.sort(latencies);
      if (latencies.isEmpty()) {
        System.out.printf("latency run %d: no change reached its Secret%n", run);
        continue;
      }
      long p50 = latencies.get(latencies.size() / 2);
      long p99 = latencies.get((int) Math.ceil(latencies.size() * 0.99) - 1);
      p50s.add((double) p50);
      p99s.add((double) p99);
      System.out.printf(
          "latency run %d (%d changes, %d seen, %d resident): p50 %d ms, p99 %d ms, max %d ms"
              + " (%.0f reconciles/s meanwhile; load average %.2f -> %.2f)%n  %s%n",
          run,
          changes,
          latencies.size(),
          resident,
          p50,
          p99,
          latencies.get(latencies.size() - 1),
          reconcilesPerSecond,
          loadBefore,
          load(),
          stalls);
      List<long[]> byTime = new ArrayList<>(slowest);
      byTime.sort((a, b) -> Long.compare(b[0], a[0]));
      System.out.printf(
          "  slowest changes (ms, reconciles queued at the write, when written): %s; queued at the"
              + " writes: median %d, max %d%n",
          byTime.stream()
              .limit(5)
              .map(
                  x ->
                      x[0]
                          + " ms/"
                          + x[1]
                          + "/"
                          + java.time.Instant.ofEpochMilli(x[2]).toString().substring(11, 23)
                          + " (write "
                          + x[3]
                          + " ms, its event here at "
                          + x[4]
                          + " ms)")
              .collect(Collectors.joining(", ")),
          byTime.isEmpty()
              ? 0
              : byTime.stream().mapToLong(x -> x[1]).sorted().toArray()[byTime.size() / 2],
          byTime.stream().mapToLong(x -> x[1]).max().orElse(0));
      System.out.printf(
          "  longest reconcile lately: %.0f ms%n",
          registry.find("managedsecret.reconcile.duration").timers().stream()
              .mapToDouble(t -> t.max(TimeUnit.MILLISECONDS))
              .max()
              .orElse(-1));
      Thread.sleep(2000);
    }
    if (!p99s.isEmpty()) {
      System.out.printf(
          "latency (%d runs of %d changes, %d resident): p50 median %.0f ms (%.0f-%.0f); p99 median"
              + " %.0f ms (%.0f-%.0f)%n",
          p99s.size(),
          changes,
          resident,
          median(p50s),
          Collections.min(p50s),
          Collections.max(p50s),
          median(p99s),
          Collections.min(p99s),
          Collections.max(p99s));
    }
  }

  /**
   * What can hold a change back, counted in this JVM (operator and load client): failed reconciles
   * (retried after the retry interval), API requests that waited for a rate-limit token and how
   * long, and garbage-collection time.
   */
  record Stalls(double failed, double waited, double waitedMs, long gcMs, long gcCount) {
    static Stalls now(SimpleMeterRegistry registry) {
      long gcMs = 0;
      long gcCount = 0;
      for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
        gcMs += Math.max(0, gc.getCollectionTime());
        gcCount += Math.max(0, gc.getCollectionCount());
      }
      return new Stalls(
          registry.find("managedsecret.errors").counters().stream()
              .mapToDouble(c -> c.count())
              .sum(),
          registry.find("managedsecret.api.requests.waited").counters().stream()
              .mapToDouble(c -> c.count())
              .sum(),
          registry.find("managedsecret.api.rate.limit.wait").timers().stream()
              .mapToDouble(t -> t.totalTime(TimeUnit.MILLISECONDS))
              .sum(),
          gcMs,
          gcCount);
    }

    Stalls since(Stalls before) {
      return new Stalls(
          failed - before.failed,
          waited - before.waited,
          waitedMs - before.waitedMs,
          gcMs - before.gcMs,
          gcCount - before.gcCount);
    }

    @Override
    public String toString() {
      return String.format(
          "meanwhile: %.0f failed reconciles, %.0f API requests waited for a rate-limit token"
              + " (%.0f ms in all), %d collections (%d ms)",
          failed, waited, waitedMs, gcCount, gcMs);
    }
  }

  /** The baseline's writes for N objects on the running server, timed and reported. */
  long baselinePhase(String label, java.util.function.Function<Baselines, IntConsumer> writes)
      throws Exception {
    Cpu cpu0 = cpu();
    serverTimes();
    IntConsumer perObject = writes.apply(new Baselines(client));
    long ms = timed(() -> parallel(0, n, perObject));
    System.out.printf(
        "%s: %d objects' writes in %d ms (load average %.2f)%n  writes per ManagedSecret: %s%n"
            + "  %s%n  %s%n",
        label, n, ms, load(), WriteCounts.line(writes(), n), cpu().since(cpu0), serverTimes());
    return ms;
  }

  /** CPU time used so far by the API server's JVM and by this one (operator and load client). */
  record Cpu(long serverMs, long harnessMs) {
    String since(Cpu before) {
      return String.format(
          "CPU: API server %.1f s, operator + load client %.1f s",
          (serverMs - before.serverMs) / 1000.0, (harnessMs - before.harnessMs) / 1000.0);
    }
  }

  /** The server's time by request kind since the last call, largest first, as one line. */
  String serverTimes() throws Exception {
    serverIn.println("TIMES");
    String line;
    while ((line = serverOut.readLine()) != null && !line.startsWith("TIMES")) {
      // skip
    }
    List<String[]> rows = new ArrayList<>();
    for (String kv : line.substring(5).trim().split(" ")) {
      if (!kv.isBlank()) {
        int eq = kv.lastIndexOf('=');
        String[] nt = kv.substring(eq + 1).split("/");
        rows.add(new String[] {kv.substring(0, eq).replace('_', ' '), nt[0], nt[1]});
      }
    }
    rows.sort((a, b) -> Long.compare(Long.parseLong(b[2]), Long.parseLong(a[2])));
    long total = rows.stream().mapToLong(r -> Long.parseLong(r[2])).sum();
    StringBuilder out = new StringBuilder("server time " + total + " ms:");
    for (String[] r : rows) {
      out.append(String.format(" %s %sx %s ms;", r[0], r[1], r[2]));
    }
    return out.toString();
  }

  Cpu cpu() throws Exception {
    serverIn.println("CPU");
    String line;
    while ((line = serverOut.readLine()) != null && !line.startsWith("CPU ")) {
      // skip
    }
    long server = Long.parseLong(line.substring(4).trim());
    long own =
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime()
            / 1_000_000;
    return new Cpu(server, own);
  }

  static double seconds(SimpleMeterRegistry registry, String timer) {
    return registry.find(timer).timers().stream()
        .mapToDouble(t -> t.totalTime(TimeUnit.SECONDS))
        .sum();
  }

  OperatorConfig config() {
    return OperatorConfig.load(
        null,
        Map.of(
            "MANAGEDSECRET_ACCOUNT_ID",
            "123456789012",
            "MANAGEDSECRET_RESYNC_INTERVAL",
            System.getProperty("bench.resyncInterval", "PT30S"),
            "MANAGEDSECRET_RECONCILE_THREADS",
            String.valueOf(THREADS),
            // Every ManagedSecret of a run is in one namespace: 2N and more versions.
            "MANAGEDSECRET_QUOTA_VERSIONS_PER_NAMESPACE",
            "100000000"));
  }

  /**
   * Creates {@code count} ManagedSecrets from 20 threads and returns the milliseconds until all are
   * Ready.
   *
   * <p>The harness learns that cheaply: it asks the server how many status writes it has taken
   * (each ManagedSecret's first status write is its Ready one), then lists once to check. Listing
   * every ManagedSecret every 250 ms while the operator works cost the server and this JVM a few
   * percent at 1000 and over a tenth at 10,000 (17 lists of 10,000 objects in one run), and that
   * cost was counted as the operator's. If the check finds one not Ready, the harness lists until
   * all are and the time runs to that list.
   */
  long createAndAwait(int from, int count) throws Exception {
    return createAndAwait(from, count, Harness::managedSecret);
  }

  /** As above, with ManagedSecret {@code i} made by {@code objects} (namespace bench, app-i). */
  long createAndAwait(int from, int count, IntFunction<ManagedSecret> objects) throws Exception {
    long t0 = System.nanoTime();
    createAndCount(from, count, objects);
    long elapsed = (System.nanoTime() - t0) / 1_000_000;
    while (ready() < from + count) {
      Thread.sleep(250);
      elapsed = (System.nanoTime() - t0) / 1_000_000;
    }
    return elapsed;
  }

  /**
   * Creates {@code count} ManagedSecrets from 20 threads and returns the milliseconds until the
   * server has taken as many more status writes, without listing.
   */
  long createAndCount(int from, int count, IntFunction<ManagedSecret> objects) throws Exception {
    long t0 = System.nanoTime();
    long statusWrites = totalWrites(STATUS_WRITE);
    parallel(from, count, id -> client.resource(objects.apply(id)).create());
    while (totalWrites(STATUS_WRITE) - statusWrites < count) {
      Thread.sleep(20);
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /** Runs {@code task} for ids {@code from} to {@code from + count - 1} on 20 threads. */
  static void parallel(int from, int count, IntConsumer task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = from; i < from + count; i++) {
        int id = i;
        futures.add(pool.submit(() -> task.accept(id)));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  static final String STATUS_WRITE = "PUT managedsecrets/status";

  /** Writes of one kind since the server started; asking costs the server a map copy. */
  long totalWrites(String kind) throws Exception {
    return totals().getOrDefault(kind, 0);
  }

  /** Writes of every kind since the server started. */
  long totalWrites() throws Exception {
    return totals().values().stream().mapToLong(Integer::longValue).sum();
  }

  private Map<String, Integer> totals() throws Exception {
    serverIn.println("TOTALS");
    String line;
    while ((line = serverOut.readLine()) != null && !line.startsWith("TOTALS ")) {
      // skip
    }
    return parseCounts(line.substring(7));
  }

  static Map<String, Integer> parseCounts(String text) {
    Map<String, Integer> out = new java.util.TreeMap<>();
    String body = text.trim();
    body = body.substring(1, body.length() - 1);
    if (!body.isBlank()) {
      for (String kv : body.split(", ")) {
        int eq = kv.lastIndexOf('=');
        out.put(kv.substring(0, eq), Integer.parseInt(kv.substring(eq + 1)));
      }
    }
    return out;
  }

  long ready() {
    return client.resources(ManagedSecret.class).inNamespace("bench").list().getItems().stream()
        .filter(Harness::isReady)
        .count();
  }

  /** Whether {@code ms} has the condition Ready=True. */
  static boolean isReady(ManagedSecret ms) {
    if (ms.getStatus() == null || ms.getStatus().conditions == null) {
      return false;
    }
    for (Condition c : ms.getStatus().conditions) {
      if ("Ready".equals(c.getType()) && "True".equals(c.getStatus())) {
        return true;
      }
    }
    return false;
  }

  long settled() {
    return client.resources(ManagedSecret.class).inNamespace("bench").list().getItems().stream()
        .filter(
            ms ->
                ms.getStatus() != null
                    && ms.getMetadata().getGeneration().equals(ms.getStatus().observedGeneration))
        .count();
  }

  static ManagedSecret managedSecret(int i) {
    ManagedSecret ms = new ManagedSecret();
    ms.setMetadata(new ObjectMetaBuilder().withNamespace("bench").withName("app-" + i).build());
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.data = Map.of("username", "user-" + i, "password", "p-" + i + "-0123456789abcdef");
    ms.setSpec(spec);
    return ms;
  }

  void unrelatedSecrets(int count) throws Exception {
    parallel(
        0,
        count,
        id -> client.resource(Baselines.secret("noise", "noise-" + id, 256, "none")).create());
  }

  /**
   * Changes the value of ManagedSecret {@code app-id} in {@code namespace} (a PATCH, as a user's
   * kubectl edit or apply makes it); {@code round} makes the new value unique.
   */
  static ManagedSecret changeValue(KubernetesClient client, String namespace, int id, int round) {
    return client
        .resources(ManagedSecret.class)
        .inNamespace(namespace)
        .withName("app-" + id)
        .edit(
            ms -> {
              ms.getSpec().data =
                  Map.of("username", "changed-" + round, "password", "x" + round + "-0123456789ab");
              return ms;
            });
  }

  /**
   * Run {@code run} (from 1) of {@code changes} changes, each awaited; the milliseconds of each.
   *
   * <p>The watch that sees the projected Secrets starts at the namespace's current resource version
   * (started without one, a watch first replays every object there as ADDED). A second watch sees
   * the ManagedSecrets' own events, to tell when the API server sent each change's event.
   */
  List<Long> latency(int changes, int resident, int run) throws Exception {
    Map<String, Long> started = new ConcurrentHashMap<>();
    List<Long> out = Collections.synchronizedList(new ArrayList<>());
    Map<String, String> before = new ConcurrentHashMap<>();
    Map<String, Integer> queuedAt = new ConcurrentHashMap<>();
    Map<String, Long> writtenAt = new ConcurrentHashMap<>();
    Map<String, long[]> entries = new ConcurrentHashMap<>();
    Map<String, Long> eventMs = new ConcurrentHashMap<>();
    java.util.concurrent.CountDownLatch watching = new java.util.concurrent.CountDownLatch(1);
    slowest.clear();
    try (Watch events =
            client
                .resources(ManagedSecret.class)
                .inNamespace("bench")
                .watch(
                    new ListOptionsBuilder()
                        .withResourceVersion(
                            client
                                .resources(ManagedSecret.class)
                                .inNamespace("bench")
                                .list(new ListOptionsBuilder().withLimit(1L).build())
                                .getMetadata()
                                .getResourceVersion())
                        .build(),
                    new Watcher<>() {
                      @Override
                      public void eventReceived(Action action, ManagedSecret ms) {
                        String name = ms.getMetadata().getName();
                        Long t0 = started.get(name);
                        if (t0 != null) {
                          eventMs.putIfAbsent(name, (System.nanoTime() - t0) / 1_000_000);
                        }
                      }

                      @Override
                      public void onClose(WatcherException cause) {}
                    });
        Watch watch =
            client
                .secrets()
                .inNamespace("bench")
                .watch(
                    new ListOptionsBuilder().withResourceVersion(currentVersion("bench")).build(),
                    new Watcher<>() {
                      @Override
                      public void eventReceived(Action action, Secret s) {
                        String name = s.getMetadata().getName();
                        if (MARKER.equals(name)) {
                          watching.countDown();
                          return;
                        }
                        Long t0 = started.get(name);
                        String version =
                            s.getMetadata().getAnnotations() == null
                                ? null
                                : s.getMetadata()
                                    .getAnnotations()
                                    .get("managedsecrets.dev/version-id");
                        if (t0 != null && version != null && !version.equals(before.get(name))) {
                          started.remove(name);
                          long ms = (System.nanoTime() - t0) / 1_000_000;
                          out.add(ms);
                          long[] entry = {
                            ms,
                            queuedAt.getOrDefault(name, -1),
                            writtenAt.getOrDefault(name, 0L),
                            -1,
                            -1
                          };
                          entries.put(name, entry);
                          slowest.add(entry);
                        }
                      }

                      @Override
                      public void onClose(WatcherException cause) {}
                    })) {
      // A watch's connection is made after watch() returns: the first changes would wait for it.
      // Measure once it has delivered an event of its own (a marker Secret written now).
      client
          .secrets()
          .inNamespace("bench")
          .resource(
              new io.fabric8.kubernetes.api.model.SecretBuilder()
                  .withNewMetadata()
                  .withName(MARKER)
                  .withNamespace("bench")
                  .endMetadata()
                  .addToStringData("run", String.valueOf(run))
                  .build())
          .serverSideApply();
      long connected = System.nanoTime();
      if (!watching.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the watch of Secrets delivered nothing in 60 s");
      }
      System.out.printf(
          "  the watch delivered its first event %d ms after the marker's write%n",
          (System.nanoTime() - connected) / 1_000_000);
      Random random = new Random(42 + run);
      for (int i = 0; i < changes; i++) {
        int id = random.nextInt(resident);
        String name = "app-" + id;
        Secret current = client.secrets().inNamespace("bench").withName(name).get();
        before.put(
            name, current.getMetadata().getAnnotations().get("managedsecrets.dev/version-id"));
        queuedAt.put(name, queue.length());
        writtenAt.put(name, System.currentTimeMillis());
        started.put(name, System.nanoTime());
        long w0 = System.nanoTime();
        changeValue(client, "bench", id, run * changes + i);
        long written = (System.nanoTime() - w0) / 1_000_000;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (started.containsKey(name) && System.nanoTime() < deadline) {
          Thread.sleep(2);
        }
        long[] seen = entries.get(name);
        if (seen != null) {
          seen[3] = written;
          seen[4] = eventMs.getOrDefault(name, -1L);
        }
        eventMs.remove(name);
      }
    }
    return new ArrayList<>(out);
  }

  /** A Secret the latency runs write to know that their watch delivers events. */
  static final String MARKER = "latency-watch-marker";

  /** The resource version of a list of {@code namespace}'s Secrets, at most one of them read. */
  String currentVersion(String namespace) {
    return client
        .secrets()
        .inNamespace(namespace)
        .list(new ListOptionsBuilder().withLimit(1L).build())
        .getMetadata()
        .getResourceVersion();
  }

  static double kms(SimpleMeterRegistry registry) {
    return registry.find("managedsecret.kms.requests").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  static double reconciles(SimpleMeterRegistry registry) {
    return registry.find("managedsecret.reconciles").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  interface Body {
    void run() throws Exception;
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int m = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
  }

  static String ratios(List<Double> values) {
    return values.stream()
        .map(v -> String.format("%.2fx", v))
        .collect(Collectors.joining(", ", "[", "]"));
  }

  static long timed(Body body) throws Exception {
    long t0 = System.nanoTime();
    body.run();
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /**
   * The API server JVM's command line; {@code -Dbench.serverJvmArgs="..."} adds options, e.g. a
   * flight recording: {@code -XX:StartFlightRecording=filename=/tmp/server.jfr}.
   */
  static List<String> serverCommand(Path kubeconfig) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx" + serverHeap());
    String extra = System.getProperty("bench.serverJvmArgs", "").trim();
    if (!extra.isEmpty()) {
      command.addAll(List.of(extra.split("\\s+")));
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            ApiServerMain.class.getName(),
            kubeconfig.toString()));
    return command;
  }

  void startServer() throws Exception {
    Path dir = Files.createTempDirectory("bench-apiserver");
    Path kubeconfig = dir.resolve("kubeconfig");
    server =
        new ProcessBuilder(serverCommand(kubeconfig))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    serverOut =
        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    serverIn = new PrintWriter(server.getOutputStream(), true, StandardCharsets.UTF_8);
    String line;
    while ((line = serverOut.readLine()) != null && !line.startsWith("READY ")) {
      // skip the server's own output
    }
    if (line == null) {
      throw new IllegalStateException("the API server process did not start");
    }
    // the server's URL and token
    Config cfg =
        new ConfigBuilder(Config.fromKubeconfig(Files.readString(kubeconfig)))
            .withNamespace("bench")
            .withHttp2Disable(true)
            .withRequestTimeout(60_000)
            .build();
    Files.delete(kubeconfig);
    Files.delete(dir);
    client = new KubernetesClientBuilder().withConfig(cfg).build();
  }

  Map<String, Integer> writes() throws Exception {
    serverIn.println("WRITES");
    String line;
    while ((line = serverOut.readLine()) != null && !line.startsWith("WRITES ")) {
      // skip
    }
    return parseCounts(line.substring(7));
  }

  void stopServer() throws Exception {
    client.close();
    serverIn.println("QUIT");
    server.waitFor(30, TimeUnit.SECONDS);
    server.destroyForcibly();
  }
}
