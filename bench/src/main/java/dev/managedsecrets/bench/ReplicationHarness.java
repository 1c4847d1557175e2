package dev.managedsecrets.bench;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretReplica;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.ReplicaRegion;
import dev.managedsecrets.api.v1alpha1.ReplicationStatus;
import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.core.projection.Projection;
import dev.managedsecrets.operator.OperatorClient;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.replication.Replicator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * Replica regions: how long a change of a primary takes to reach its replica's projected Secret,
 * and what a region that is down costs the primary's creates. Usage: {@code java -cp
 * bench/target/benchmarks.jar dev.managedsecrets.bench.ReplicationHarness [N] [M]}.
 *
 * <p>Three regions in this JVM: us-east-1 (the primary: an in-process API server and its operator),
 * eu-west-1 (a replica region: its own API server and operator, peers of each other through
 * kubeconfig Secrets), and ap-south-1, a peer of us-east-1 whose kubeconfig points at a closed port
 * (down).
 *
 * <ol>
 *   <li>N ManagedSecrets in us-east-1 replicated to eu-west-1, until every one is InSync and every
 *       replica's projected Secret holds its value.
 *   <li>Change to replica, {@code -Dbench.rounds} rounds: M of them get a new value at a steady
 *       pace ({@code -Dbench.changesPerSecond}, default 20); per change, the time from the edit's
 *       return to: the primary's projected Secret holding it (us-east-1), the replica object
 *       rewritten in eu-west-1, and the replica's projected Secret holding it (all three seen by
 *       informers of this JVM). p50, p99 and max per round; the medians of the rounds with every
 *       round's figure. And the requests each region's API server answered per change.
 *   <li>Create throughput with a region down, {@code -Dbench.rounds} rounds: N ManagedSecrets
 *       created from 20 threads until all are Ready=True, (a) with no replica regions, (b) with
 *       {@code replicaRegions: [{region: ap-south-1}]}, each in a namespace of its own, the order
 *       alternating between rounds; the ratio b/a per round and its median. {@code
 *       -Dbench.throughput=false} leaves this part out.
 * </ol>
 */
public final class ReplicationHarness {

  static final String EAST = "us-east-1";
  static final String WEST = "eu-west-1";
  static final String DOWN = "ap-south-1";
  static final String OPERATOR_NAMESPACE = "managedsecret-system";
  static final String NS = "bench";
  static final long TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(15);

  private ReplicationHarness() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int m = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int rounds = Math.max(1, Integer.getInteger("bench.rounds", 3));
    int rate = Math.max(1, Integer.getInteger("bench.changesPerSecond", 20));
    System.out.printf(
        "# ReplicationHarness: N=%d, M=%d changes per round at %d/s, %d rounds, %d cores, max heap"
            + " %d MiB, Java %s%n",
        n,
        m,
        rate,
        rounds,
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20,
        System.getProperty("java.version"));

    EmbeddedApiServer eastApi = EmbeddedApiServer.start(0);
    EmbeddedApiServer westApi = EmbeddedApiServer.start(0);
    KubernetesClient east = eastApi.client();
    KubernetesClient west = westApi.client();
    peer(east, "peer-west", westApi.kubeconfig());
    peer(east, "peer-down", westApi.kubeconfig().replace(westApi.url(), "https://127.0.0.1:9"));
    peer(west, "peer-east", eastApi.kubeconfig());
    namespace(east, NS, Map.of());
    namespace(west, NS, Map.of("managedsecrets.dev/accept-replicas", "true"));

    OperatorConfig westConfig =
        config(WEST, "[{region: " + EAST + ", kubeconfigSecret: peer-east}]");
    OperatorConfig eastConfig =
        config(
            EAST,
            "[{region: "
                + WEST
                + ", kubeconfigSecret: peer-west}, {region: "
                + DOWN
                + ", kubeconfigSecret: peer-down}]");
    KubernetesClient westOperatorClient =
        OperatorClient.build(westApi.config(), westConfig.api(), new SimpleMeterRegistry());
    KubernetesClient eastOperatorClient =
        OperatorClient.build(eastApi.config(), eastConfig.api(), new SimpleMeterRegistry());
    OperatorRuntime westOperator = start(westOperatorClient, westConfig);
    OperatorRuntime eastOperator = start(eastOperatorClient, eastConfig);

    // 1. N replicated ManagedSecrets, until all are InSync and projected in eu-west-1.
    long t0 = System.nanoTime();
    create(east, n, i -> managedSecret(NS, i, "v0-" + i, WEST));
    while (inSync(east, n) < n || projected(west, n) < n) {
      if (System.nanoTime() - t0 > TIMEOUT_NANOS) {
        throw new IllegalStateException(
            "not all replicated in 15 minutes: "
                + inSync(east, n)
                + " InSync, "
                + projected(west, n)
                + " projected");
      }
      Thread.sleep(1000);
    }
    System.out.printf(
        "setup: %d ManagedSecrets replicated to %s, all InSync and projected there in %.1f s"
            + " (checked every second)%n",
        n, WEST, (System.nanoTime() - t0) / 1e9);

    // 2. Change to replica.
    Latency latency = new Latency(east, west);
    List<Map<String, Double>> stats = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      stats.add(latency.round(eastApi, westApi, round, n, m, rate));
    }
    latency.close();
    for (String stage : Latency.STAGES) {
      StringBuilder line = new StringBuilder("change to " + stage + ":");
      for (String q : List.of("p50", "p99", "max")) {
        List<Double> values = stats.stream().map(s -> s.get(stage + " " + q)).toList();
        line.append(
            String.format(" %s median %.0f ms %s;", q, Harness.median(values), millisList(values)));
      }
      System.out.println(line);
    }

    // 3. Create throughput: no replica regions (a) vs one region that is down (b).
    if (!Boolean.parseBoolean(System.getProperty("bench.throughput", "true"))) {
      System.exit(0);
    }
    List<Double> ratios = new ArrayList<>();
    List<Double> plain = new ArrayList<>();
    List<Double> down = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      boolean plainFirst = round % 2 == 1;
      double a = 0;
      double b = 0;
      for (int phase = 0; phase < 2; phase++) {
        if ((phase == 0) == plainFirst) {
          a = throughput(east, eastApi, "plain-" + round, n, null);
        } else {
          b = throughput(east, eastApi, "down-" + round, n, DOWN);
        }
      }
      plain.add(a);
      down.add(b);
      ratios.add(b / a);
      System.out.printf(
          "round %d (%s first): ratio down/plain %.2fx%n",
          round, plainFirst ? "plain" : "down", b / a);
    }
    System.out.printf(
        "create %d until Ready: no replica regions median %.1f s %s; with %s down median %.1f s"
            + " %s; ratio median %.2fx %s%n",
        n,
        Harness.median(plain),
        secondsList(plain),
        DOWN,
        Harness.median(down),
        secondsList(down),
        Harness.median(ratios),
        Harness.ratios(ratios));

    eastOperator.close();
    westOperator.close();
    eastOperatorClient.close();
    westOperatorClient.close();
    eastApi.close();
    westApi.close();
    System.exit(0);
  }

  static OperatorRuntime start(KubernetesClient client, OperatorConfig config) {
    return OperatorRuntime.start(
        client, config, new SimpleMeterRegistry(), Clock.systemUTC(), () -> {});
  }

  static OperatorConfig config(String region, String peers) {
    Map<String, String> env = new HashMap<>();
    env.put("MANAGEDSECRET_NAMESPACE", OPERATOR_NAMESPACE);
    env.put("MANAGEDSECRET_ACCOUNT_ID", "123456789012");
    env.put("MANAGEDSECRET_RECONCILE_THREADS", String.valueOf(Harness.THREADS));
    env.put("MANAGEDSECRET_QUOTA_VERSIONS_PER_NAMESPACE", "100000000");
    env.put("MANAGEDSECRET_REGION", region);
    env.put("MANAGEDSECRET_REPLICATION_PEERS", peers);
    env.put("MANAGEDSECRET_REPLICATION_REQUEST_TIMEOUT", "PT2S");
    // The harness measures the operator and replication, not the client-side rate limit.
    env.put("MANAGEDSECRET_API_QPS", "1000000");
    env.put("MANAGEDSECRET_API_BURST", "1000000");
    return OperatorConfig.load(null, env);
  }

  /** A Secret of the operator's namespace holding a peer region's kubeconfig. */
  static void peer(KubernetesClient client, String name, String kubeconfig) {
    client
        .secrets()
        .inNamespace(OPERATOR_NAMESPACE)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withData(
                    Map.of(
                        "kubeconfig",
                        Base64.getEncoder()
                            .encodeToString(kubeconfig.getBytes(StandardCharsets.UTF_8))))
                .build())
        .create();
  }

  static void namespace(KubernetesClient client, String name, Map<String, String> labels) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
  }

  /** ManagedSecret app-{@code i} holding {@code password}, replicated to {@code region} if set. */
  static ManagedSecret managedSecret(String namespace, int i, String password, String region) {
    ManagedSecret ms = new ManagedSecret();
    ms.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName("app-" + i).build());
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.data = Map.of("password", password);
    if (region != null) {
      ReplicaRegion r = new ReplicaRegion();
      r.region = region;
      spec.replicaRegions = List.of(r);
    }
    ms.setSpec(spec);
    return ms;
  }

  /** Creates ManagedSecrets 0..count-1 from the harness's 20 threads. */
  static void create(KubernetesClient client, int count, IntFunction<ManagedSecret> objects)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(Harness.THREADS);
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int id = i;
      futures.add(pool.submit(() -> client.resource(objects.apply(id)).create()));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();
  }

  static long inSync(KubernetesClient east, int n) {
    return east.resources(ManagedSecret.class).inNamespace(NS).list().getItems().stream()
        .filter(ms -> Replicator.IN_SYNC.equals(regionStatus(ms, WEST)))
        .count();
  }

  static String regionStatus(ManagedSecret ms, String region) {
    if (ms.getStatus() == null || ms.getStatus().replicationStatus == null) {
      return null;
    }
    for (ReplicationStatus s : ms.getStatus().replicationStatus) {
      if (region.equals(s.region)) {
        return s.status;
      }
    }
    return null;
  }

  /** Projected Secrets of eu-west-1 holding their first value. */
  static long projected(KubernetesClient west, int n) {
    return west
        .secrets()
        .inNamespace(NS)
        .withLabel(Projection.MANAGED_BY_LABEL, Projection.MANAGED_BY)
        .list()
        .getItems()
        .stream()
        .filter(s -> ("v0-" + s.getMetadata().getName().substring(4)).equals(password(s)))
        .count();
  }

  static String password(Secret s) {
    String v = s.getData() == null ? null : s.getData().get("password");
    return v == null ? null : new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
  }

  /**
   * Seconds from the first create until all {@code n} ManagedSecrets of a new namespace are
   * Ready=True (seen by an informer of that namespace), with {@code region} in their replica
   * regions if set; prints the writes per ManagedSecret and, with a region, the time until every
   * one also reports it Failed.
   */
  static double throughput(
      KubernetesClient east, EmbeddedApiServer api, String namespace, int n, String region)
      throws Exception {
    namespace(east, namespace, Map.of());
    Set<String> ready = ConcurrentHashMap.newKeySet();
    Set<String> failed = ConcurrentHashMap.newKeySet();
    long[] done = new long[2];
    Consumer<ManagedSecret> seen =
        ms -> {
          String name = ms.getMetadata().getName();
          if (Harness.isReady(ms) && ready.add(name) && ready.size() == n) {
            done[0] = System.nanoTime();
          }
          if (region != null
              && Replicator.FAILED.equals(regionStatus(ms, region))
              && failed.add(name)
              && failed.size() == n) {
            done[1] = System.nanoTime();
          }
        };
    SharedIndexInformer<ManagedSecret> informer =
        east.resources(ManagedSecret.class).inNamespace(namespace).inform(handler(seen));
    Map<String, Long> writes0 = api.requests().writesByResource();
    long t0 = System.nanoTime();
    create(east, n, i -> managedSecret(namespace, i, "p-" + i, region));
    while (ready.size() < n || (region != null && failed.size() < n)) {
      if (System.nanoTime() - t0 > TIMEOUT_NANOS) {
        throw new IllegalStateException(
            namespace + ": " + ready.size() + " Ready, " + failed.size() + " Failed in 15 min");
      }
      Thread.sleep(20);
    }
    informer.close();
    double seconds = (done[0] - t0) / 1e9;
    Map<String, Long> writes = since(writes0, api.requests().writesByResource());
    System.out.printf(
        "  %s: %d Ready in %.1f s (%.0f per second)%s; writes per ManagedSecret %.1f %s%n",
        region == null ? "no replica regions" : "replicated to " + region + " (down)",
        n,
        seconds,
        n / seconds,
        region == null
            ? ""
            : String.format(", all reporting %s Failed after %.1f s", region, (done[1] - t0) / 1e9),
        writes.values().stream().mapToLong(Long::longValue).sum() / (double) n,
        perChange(writes, n));
    return seconds;
  }

  static <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> seen) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T o) {
        seen.accept(o);
      }

      @Override
      public void onUpdate(T before, T after) {
        seen.accept(after);
      }

      @Override
      public void onDelete(T o, boolean unknown) {}
    };
  }

  static Map<String, Long> since(Map<String, Long> before, Map<String, Long> now) {
    Map<String, Long> out = new TreeMap<>();
    now.forEach(
        (k, v) -> {
          long d = v - before.getOrDefault(k, 0L);
          if (d != 0) {
            out.put(k, d);
          }
        });
    return out;
  }

  static Map<String, Long> requests(EmbeddedApiServer api) {
    Map<String, Long> out = new TreeMap<>();
    api.requests().timings().forEach((k, t) -> out.put(k, t.requests()));
    return out;
  }

  static String perChange(Map<String, Long> counts, int changes) {
    return counts.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .map(e -> String.format("%s %.2f", e.getKey(), e.getValue() / (double) changes))
        .collect(Collectors.joining(", ", "[", "]"));
  }

  /** The informers that time each change's way to eu-west-1, and the rounds of changes. */
  static final class Latency implements AutoCloseable {
    static final List<String> STAGES =
        List.of("primary's Secret (us-east-1)", "replica object (eu-west-1)", "replica's Secret");

    /** Per ManagedSecret being changed: the value it is changed to. */
    final Map<String, String> expected = new ConcurrentHashMap<>();

    /** Per ManagedSecret being changed: the replica object's source digest before the change. */
    final Map<String, String> digestBefore = new ConcurrentHashMap<>();

    /** Per stage, per ManagedSecret: when the stage was first seen with the change. */
    final List<Map<String, Long>> seen = new ArrayList<>();

    final KubernetesClient east;
    final SharedIndexInformer<Secret> primarySecrets;
    final SharedIndexInformer<ManagedSecretReplica> replicas;
    final SharedIndexInformer<Secret> replicaSecrets;

    Latency(KubernetesClient east, KubernetesClient west) {
      this.east = east;
      for (int i = 0; i < STAGES.size(); i++) {
        seen.add(new ConcurrentHashMap<>());
      }
      primarySecrets = projections(east, seen.get(0));
      replicas =
          west.resources(ManagedSecretReplica.class)
              .inNamespace(NS)
              .inform(
                  handler(
                      r -> {
                        String name = r.getMetadata().getName();
                        String before = digestBefore.get(name);
                        if (before != null && !before.equals(digest(r))) {
                          seen.get(1).putIfAbsent(name, System.nanoTime());
                        }
                      }));
      replicaSecrets = projections(west, seen.get(2));
    }

    SharedIndexInformer<Secret> projections(KubernetesClient client, Map<String, Long> times) {
      return client
          .secrets()
          .inNamespace(NS)
          .withLabel(Projection.MANAGED_BY_LABEL, Projection.MANAGED_BY)
          .inform(
              handler(
                  s -> {
                    String name = s.getMetadata().getName();
                    String want = expected.get(name);
                    if (want != null && want.equals(password(s))) {
                      times.putIfAbsent(name, System.nanoTime());
                    }
                  }));
    }

    static String digest(ManagedSecretReplica r) {
      return r.getMetadata().getAnnotations() == null
          ? ""
          : r.getMetadata().getAnnotations().getOrDefault(Replicator.SOURCE_DIGEST, "");
    }

    /** One round of M changes; per stage its p50, p99 and max in ms. */
    Map<String, Double> round(
        EmbeddedApiServer eastApi, EmbeddedApiServer westApi, int round, int n, int m, int rate)
        throws Exception {
      expected.clear();
      digestBefore.clear();
      seen.forEach(Map::clear);
      Map<String, Long> returned = new ConcurrentHashMap<>();
      List<String> order = new ArrayList<>();
      Map<String, Long> eastRequests0 = requests(eastApi);
      Map<String, Long> westRequests0 = requests(westApi);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> edits = new ArrayList<>();
      long periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
      long start = System.nanoTime();
      for (int k = 0; k < m; k++) {
        long at = start + k * periodNanos;
        long wait = at - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        String name = "app-" + ((int) ((long) k * n / m) + round) % n;
        String value = "v" + round + "-" + name;
        ManagedSecretReplica replica = replicas.getStore().getByKey(NS + "/" + name);
        digestBefore.put(name, replica == null ? "" : digest(replica));
        expected.put(name, value);
        order.add(name);
        edits.add(
            pool.submit(
                () -> {
                  east.resources(ManagedSecret.class)
                      .inNamespace(NS)
                      .withName(name)
                      .edit(
                          ms -> {
                            ms.getSpec().data = Map.of("password", value);
                            return ms;
                          });
                  returned.put(name, System.nanoTime());
                  return null;
                }));
      }
      for (Future<?> f : edits) {
        f.get();
      }
      pool.shutdown();
      long sent = System.nanoTime();
      while (seen.get(2).size() < m && System.nanoTime() - sent < TimeUnit.SECONDS.toNanos(120)) {
        Thread.sleep(10);
      }
      Thread.sleep(3000); // the statuses written after the projection, counted with the change
      Map<String, Long> eastRequests = since(eastRequests0, requests(eastApi));
      Map<String, Long> westRequests = since(westRequests0, requests(westApi));
      Map<String, Double> out = new HashMap<>();
      StringBuilder line =
          new StringBuilder(
              String.format(
                  "round %d: %d changes at %d/s over %.1f s;",
                  round, m, rate, (sent - start) / 1e9));
      for (int s = 0; s < STAGES.size(); s++) {
        List<Long> ms = new ArrayList<>();
        for (Map.Entry<String, Long> e : returned.entrySet()) {
          Long t = seen.get(s).get(e.getKey());
          if (t != null) {
            ms.add(Math.max(0, t - e.getValue()) / 1_000_000);
          }
        }
        Collections.sort(ms);
        if (ms.size() < m) {
          line.append(
              String.format(" %s: %d of %d not seen in 120 s;", STAGES.get(s), m - ms.size(), m));
        }
        if (ms.isEmpty()) {
          continue;
        }
        double p50 = ms.get((int) Math.ceil(ms.size() * 0.50) - 1);
        double p99 = ms.get((int) Math.ceil(ms.size() * 0.99) - 1);
        double max = ms.get(ms.size() - 1);
        out.put(STAGES.get(s) + " p50", p50);
        out.put(STAGES.get(s) + " p99", p99);
        out.put(STAGES.get(s) + " max", max);
        line.append(
            String.format(
                " %s p50 %.0f ms p99 %.0f ms max %.0f ms;", STAGES.get(s), p50, p99, max));
      }
      System.out.println(line);
      System.out.printf(
          "  replica's Secret by when the change was sent: p50 of the first quarter %s ms, of the"
              + " last quarter %s ms%n",
          quarterP50(order.subList(0, m / 4), returned),
          quarterP50(order.subList(m - m / 4, m), returned));
      System.out.printf(
          "  requests per change, %s's API server (the harness's GET and PATCH included): %s%n"
              + "  requests per change, %s's API server: %s%n",
          EAST, perChange(eastRequests, m), WEST, perChange(westRequests, m));
      return out;
    }

    /** The median time to the replica's Secret of these changes, or "-" if none was seen. */
    String quarterP50(List<String> names, Map<String, Long> returned) {
      List<Long> ms = new ArrayList<>();
      for (String name : names) {
        Long t = seen.get(2).get(name);
        if (t != null) {
          ms.add(Math.max(0, t - returned.get(name)) / 1_000_000);
        }
      }
      Collections.sort(ms);
      return ms.isEmpty() ? "-" : String.valueOf(ms.get((ms.size() - 1) / 2));
    }

    @Override
    public void close() {
      primarySecrets.close();
      replicas.close();
      replicaSecrets.close();
    }
  }

  static String millisList(List<Double> values) {
    return values.stream()
        .map(v -> String.format("%.0f", v))
        .collect(Collectors.joining(", ", "(", ")"));
  }

  static String secondsList(List<Double> values) {
    return values.stream()
        .map(v -> String.format("%.1f", v))
        .collect(Collectors.joining(", ", "(", ")"));
  }
}
