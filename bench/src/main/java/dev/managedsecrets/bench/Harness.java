package dev.managedsecrets.bench;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.core.projection.Projection;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
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
    System.out.printf(
        "# Harness: N=%d, %d cores, max heap %d MiB, Java %s%n",
        n,
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20,
        System.getProperty("java.version"));

    // 0. Warm up both paths (JIT of this JVM and of the server) on a throwaway server.
    startServer();
    baselineWrites(Math.min(n, 200), false);
    SimpleMeterRegistry warmRegistry = new SimpleMeterRegistry();
    OperatorRuntime warm = OperatorRuntime.start(client, config(), warmRegistry, Clock.systemUTC());
    createAndAwait(0, Math.min(n, 200), warmRegistry);
    warm.close();
    stopServer();

    // Phases 1, 1b and 2 run once, or -Dbench.rounds=R times in turn (each on a fresh server) for
    // the median ratio; the operator of the last round stays up for the phases after.
    int rounds = Math.max(1, Integer.getInteger("bench.rounds", 1));
    List<Double> toBaseline = new ArrayList<>();
    List<Double> toWatched = new ArrayList<>();
    SimpleMeterRegistry registry = null;
    OperatorRuntime runtime = null;
    OperatorConfig config = config();
    for (int round = 1; round <= rounds; round++) {
      if (runtime != null) {
        runtime.close();
        stopServer();
      }
      if (rounds > 1) {
        System.out.printf("# round %d of %d%n", round, rounds);
      }
      // 1. Baseline: the same API writes with a bare fabric8 client.
      startServer();
      long baseline = baselinePhase("baseline", false);
      stopServer();

      // 1b. The same writes while two informers watch and cache what the operator's informers do
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
      long watched = baselinePhase("baseline with two informers", true);
      watchedSecrets.close();
      watchedManagedSecrets.close();
      stopServer();

      // 2. The operator: create N ManagedSecrets and wait until all are Ready.
      startServer();
      registry = new SimpleMeterRegistry();
      runtime = OperatorRuntime.start(client, config, registry, Clock.systemUTC());
      writes();
      Cpu cpu1 = cpu();
      serverTimes();
      long operatorMs = createAndAwait(0, n, registry);
      Map<String, Integer> w = writes();
      System.out.printf(
          "operator: %d ManagedSecrets Ready in %d ms; ratio to baseline %.2fx, to baseline with"
              + " informers %.2fx (%s)%n  %s%n  %s%n",
          n,
          operatorMs,
          (double) operatorMs / baseline,
          (double) operatorMs / watched,
          w,
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
      toBaseline.add((double) operatorMs / baseline);
      toWatched.add((double) operatorMs / watched);
    }
    if (rounds > 1) {
      System.out.printf(
          "rounds: ratio to baseline %s, median %.2fx; to baseline with informers %s, median %.2fx%n",
          ratios(toBaseline), median(toBaseline), ratios(toWatched), median(toWatched));
    }
    if (Boolean.getBoolean("bench.createOnly")) {
      runtime.close();
      stopServer();
      return;
    }

    // 3. Memory: heap after GC with N and 2N, then with 10,000 unrelated Secrets.
    long heapN = heapAfterGc();
    Map<String, long[]> histogramN = histogram();
    createAndAwait(n, n, registry);
    long heap2N = heapAfterGc();
    Map<String, long[]> histogram2N = histogram();
    System.out.printf(
        "memory: heap %d KiB at N, %d KiB at 2N: %.2f KiB per ManagedSecret%n",
        heapN >> 10, heap2N >> 10, (heap2N - heapN) / 1024.0 / n);
    printGrowth(histogramN, histogram2N, n);
    unrelatedSecrets(10_000);
    Thread.sleep(3000);
    long heapNoise = heapAfterGc();
    System.out.printf("memory: +10,000 unrelated Secrets: %+d KiB%n", (heapNoise - heap2N) >> 10);

    // 4. Idle: two resync periods with nothing changed.
    writes();
    double kmsBefore = kms(registry);
    Thread.sleep(config.resyncInterval().multipliedBy(2).plusSeconds(5).toMillis());
    System.out.printf(
        "idle (2 resync periods of %ds, %d resident): writes %s, KMS calls %.0f%n",
        config.resyncInterval().toSeconds(), 2 * n, writes(), kms(registry) - kmsBefore);

    // 5. Latency: spec change -> projected Secret updated.
    List<Long> latencies = latency(200, 2 * n);
    Collections.sort(latencies);
    System.out.printf(
        "latency (%d changes, %d resident): p50 %d ms, p99 %d ms, max %d ms%n",
        latencies.size(),
        2 * n,
        latencies.get(latencies.size() / 2),
        latencies.get((int) Math.ceil(latencies.size() * 0.99) - 1),
        latencies.get(latencies.size() - 1));

    // 6. Cold start with nothing changed (after every pending change has reached status).
    while (settled() < 2 * n) {
      Thread.sleep(1000);
    }
    runtime.close();
    SimpleMeterRegistry cold = new SimpleMeterRegistry();
    writes();
    long start = System.nanoTime();
    runtime = OperatorRuntime.start(client, config, cold, Clock.systemUTC());
    while (reconciles(cold) < 2 * n) {
      Thread.sleep(100);
    }
    System.out.printf(
        "cold start: %d reconciles in %d ms, writes %s, KMS calls %.0f%n",
        (long) reconciles(cold), (System.nanoTime() - start) / 1_000_000, writes(), kms(cold));
    runtime.close();
    stopServer();
  }

  /** The baseline's writes for N objects on the running server, timed and reported. */
  long baselinePhase(String label, boolean labelled) throws Exception {
    Cpu cpu0 = cpu();
    serverTimes();
    long ms = timed(() -> baselineWrites(n, labelled));
    System.out.printf(
        "%s: %d objects' writes in %d ms (%s)%n  %s%n  %s%n",
        label, n, ms, writes(), cpu().since(cpu0), serverTimes());
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
            "MANAGEDSECRET_ACCOUNT_ID", "123456789012",
            "MANAGEDSECRET_RESYNC_INTERVAL", "PT30S",
            "MANAGEDSECRET_RECONCILE_THREADS", String.valueOf(THREADS),
            // Every ManagedSecret of a run is in one namespace: 2N and more versions.
            "MANAGEDSECRET_QUOTA_VERSIONS_PER_NAMESPACE", "100000000"));
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
  long createAndAwait(int from, int count, SimpleMeterRegistry registry) throws Exception {
    return createAndAwait(from, count, Harness::managedSecret);
  }

  /** As above, with ManagedSecret {@code i} made by {@code objects} (namespace bench, app-i). */
  long createAndAwait(int from, int count, IntFunction<ManagedSecret> objects) throws Exception {
    long t0 = System.nanoTime();
    long statusWrites = totalWrites(STATUS_WRITE);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> futures = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      int id = i;
      futures.add(pool.submit(() -> client.resource(objects.apply(id)).create()));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
    while (totalWrites(STATUS_WRITE) - statusWrites < count) {
      Thread.sleep(20);
    }
    long elapsed = (System.nanoTime() - t0) / 1_000_000;
    while (ready() < from + count) {
      Thread.sleep(250);
      elapsed = (System.nanoTime() - t0) / 1_000_000;
    }
    return elapsed;
  }

  static final String STATUS_WRITE = "PUT managedsecrets/status";

  /** Writes of one kind since the server started; asking costs the server a map copy. */
  long totalWrites(String kind) throws Exception {
    serverIn.println("TOTALS");
    String line;
    while ((line = serverOut.readLine()) != null && !line.startsWith("TOTALS ")) {
      // skip
    }
    return parseCounts(line.substring(7)).getOrDefault(kind, 0);
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

  /**
   * Per object, the writes the operator makes for it, made directly; {@code labelled}: the
   * projected Secret carries the operator's label, so that a watch selecting it sees it.
   */
  void baselineWrites(int count, boolean labelled) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int id = i;
      futures.add(
          pool.submit(
              () -> {
                ManagedSecret ms = managedSecret(id);
                ms.getMetadata().setNamespace("baseline");
                ms = client.resource(ms).create();
                ms =
                    client
                        .resource(ms)
                        .edit(
                            m -> {
                              m.getMetadata()
                                  .setFinalizers(List.of("managedsecrets.dev/finalizer"));
                              return m;
                            });
                Secret record =
                    client.resource(secret("managedsecret-system", "rec-" + id, 600)).create();
                client.resource(secret("managedsecret-system", "ver-" + id, 200)).create();
                client
                    .resource(new SecretBuilder(record).addToData("more", "AAAA").build())
                    .update();
                Secret projected = secret("baseline", "app-" + id, 100);
                if (labelled) {
                  projected
                      .getMetadata()
                      .setLabels(Map.of(Projection.MANAGED_BY_LABEL, Projection.MANAGED_BY));
                }
                client.resource(projected).create();
                for (int e = 0; e < 3; e++) {
                  client
                      .v1()
                      .events()
                      .inNamespace("baseline")
                      .resource(
                          new EventBuilder()
                              .withNewMetadata()
                              .withName("app-" + id + "." + e)
                              .endMetadata()
                              .withNewInvolvedObject()
                              .withKind("ManagedSecret")
                              .withName("app-" + id)
                              .endInvolvedObject()
                              .withReason("Bench")
                              .withMessage("Created")
                              .withType("Normal")
                              .build())
                      .create();
                }
                ms.setStatus(new dev.managedsecrets.api.v1alpha1.ManagedSecretStatus());
                ms.getStatus().arn = "arn";
                client.resource(ms).updateStatus();
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
  }

  static Secret secret(String ns, String name, int bytes) {
    byte[] b = new byte[bytes];
    new Random(name.hashCode()).nextBytes(b);
    return new SecretBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .endMetadata()
        .addToData("v", java.util.Base64.getEncoder().encodeToString(b))
        .build();
  }

  void unrelatedSecrets(int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int id = i;
      futures.add(pool.submit(() -> client.resource(secret("noise", "noise-" + id, 256)).create()));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
  }

  List<Long> latency(int changes, int resident) throws Exception {
    Map<String, Long> started = new ConcurrentHashMap<>();
    List<Long> out = Collections.synchronizedList(new ArrayList<>());
    Map<String, String> before = new ConcurrentHashMap<>();
    try (Watch watch =
        client
            .secrets()
            .inNamespace("bench")
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, Secret s) {
                    String name = s.getMetadata().getName();
                    Long t0 = started.get(name);
                    String version =
                        s.getMetadata().getAnnotations() == null
                            ? null
                            : s.getMetadata().getAnnotations().get("managedsecrets.dev/version-id");
                    if (t0 != null && version != null && !version.equals(before.get(name))) {
                      started.remove(name);
                      out.add((System.nanoTime() - t0) / 1_000_000);
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                })) {
      Random random = new Random(42);
      for (int i = 0; i < changes; i++) {
        String name = "app-" + random.nextInt(resident);
        Secret current = client.secrets().inNamespace("bench").withName(name).get();
        before.put(
            name, current.getMetadata().getAnnotations().get("managedsecrets.dev/version-id"));
        int round = i;
        started.put(name, System.nanoTime());
        client
            .resources(ManagedSecret.class)
            .inNamespace("bench")
            .withName(name)
            .edit(
                ms -> {
                  ms.getSpec().data =
                      Map.of("username", "changed-" + round, "password", "x" + round);
                  return ms;
                });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (started.containsKey(name) && System.nanoTime() < deadline) {
          Thread.sleep(2);
        }
      }
    }
    return new ArrayList<>(out);
  }

  /**
   * Heap in use after full collections, once the operator is quiet: the least of several readings,
   * so that what a background thread allocated between a collection and its reading is not counted.
   */
  static long heapAfterGc() throws InterruptedException {
    Thread.sleep(2000);
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 6; i++) {
      System.gc();
      Thread.sleep(500);
      least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return least;
  }

  /** This JVM's live objects by class (jcmd GC.class_histogram): class -> {instances, bytes}. */
  static Map<String, long[]> histogram() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    String jcmd = java.replaceFirst("java$", "jcmd");
    Process p =
        new ProcessBuilder(
                jcmd, String.valueOf(ProcessHandle.current().pid()), "GC.class_histogram")
            .redirectErrorStream(true)
            .start();
    Map<String, long[]> out = new java.util.HashMap<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 4 && f[0].endsWith(":")) {
          out.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
        }
      }
    }
    p.waitFor();
    return out;
  }

  /** The classes whose live bytes grew most between two histograms, per ManagedSecret added. */
  static void printGrowth(Map<String, long[]> before, Map<String, long[]> after, int added) {
    List<Map.Entry<String, Long>> growth = new ArrayList<>();
    after.forEach(
        (k, v) -> growth.add(Map.entry(k, v[1] - before.getOrDefault(k, new long[2])[1])));
    growth.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
    long total = growth.stream().mapToLong(Map.Entry::getValue).sum();
    System.out.printf(
        "memory: live objects (class histogram) grew %.2f KiB per ManagedSecret%n",
        total / 1024.0 / added);
    StringBuilder line = new StringBuilder("  grew most, bytes per ManagedSecret:");
    for (Map.Entry<String, Long> e : growth.subList(0, Math.min(15, growth.size()))) {
      long instances = after.get(e.getKey())[0] - before.getOrDefault(e.getKey(), new long[2])[0];
      line.append(
          String.format(
              " %s %d (%.1f objects);",
              e.getKey(), e.getValue() / added, (double) instances / added));
    }
    System.out.println(line);
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
    command.add("-Xmx6g");
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
