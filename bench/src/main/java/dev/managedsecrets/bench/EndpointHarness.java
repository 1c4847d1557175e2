package dev.managedsecrets.bench;

import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.apiserver.RequestCounts;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.endpoint.AccessKeys;
import dev.managedsecrets.operator.endpoint.ConstantFront;
import dev.managedsecrets.operator.endpoint.Principal;
import dev.managedsecrets.operator.endpoint.SecretsManagerEndpoint;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * GetSecretValue through the Secrets Manager endpoint (SigV4 verified, authorised as a
 * ServiceAccount, read from the store) against its floor: the endpoint's own HTTP server answering
 * a constant. AWS's SDK client on 16 threads, N secrets resident, the API server in this JVM.
 * Rounds alternate which of the two goes first; each phase is warmed up, then measured. Then the
 * API writes of the endpoint left idle.
 *
 * <p>Usage: java -cp bench/target/benchmarks.jar dev.managedsecrets.bench.EndpointHarness [N]
 * (-Dbench.rounds=3 -Dbench.seconds=20 -Dbench.warmupSeconds=10 -Dbench.idleSeconds=30
 * -Dbench.authorizationCacheTtl=PT5S -Dbench.readSecrets=N)
 */
public final class EndpointHarness {

  static final int THREADS = 16;
  static final String NAMESPACE = "bench";
  static final String ACCOUNT = "app";
  static final String REGION = "local";

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int rounds = Integer.getInteger("bench.rounds", 3);
    int seconds = Integer.getInteger("bench.seconds", 20);
    int warmup = Integer.getInteger("bench.warmupSeconds", 10);
    int idle = Integer.getInteger("bench.idleSeconds", 30);
    // The secrets read: all N at random, or the first few (an application reading its own).
    int read = Math.min(n, Integer.getInteger("bench.readSecrets", n));
    // The SDK's URL connection client keeps 5 idle connections per host by default: with 16
    // threads the rest would open a connection per call, against the endpoint and the floor alike.
    System.setProperty("http.maxConnections", String.valueOf(2 * THREADS));
    System.out.printf(
        "# EndpointHarness: N=%d, %d client threads, %d cores, Java %s; rounds %d of %d s (warm-up"
            + " %d s); reading %d of them; authorization cache %s; load average %.1f%n",
        n,
        THREADS,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        rounds,
        seconds,
        warmup,
        read,
        System.getProperty("bench.authorizationCacheTtl", "PT5S"),
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      KubernetesClient client = api.client();
      client
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
          .create();
      OperatorRuntime runtime =
          OperatorRuntime.start(client, config(), new SimpleMeterRegistry(), Clock.systemUTC());
      SecretsManagerEndpoint endpoint = runtime.endpoint().orElseThrow();
      AccessKeys.AccessKey key = serviceAccount(client, endpoint);
      try (SecretsManagerClient sm = client(endpoint.url(), key)) {
        create(sm, n);
        awaitReconciled(api, n);
        byte[] constant = constant(sm.getSecretValue(r -> r.secretId(name(0))));
        try (ConstantFront floor = ConstantFront.start(constant);
            SecretsManagerClient floorClient = client(floor.url(), key)) {
          List<Double> ratios = new ArrayList<>();
          for (int round = 1; round <= rounds; round++) {
            boolean floorFirst = round % 2 == 0;
            Result f = null;
            Result e;
            if (floorFirst) {
              f = phase("floor", floorClient, read, warmup, seconds, api);
            }
            e = phase("endpoint", sm, read, warmup, seconds, api);
            if (!floorFirst) {
              f = phase("floor", floorClient, read, warmup, seconds, api);
            }
            double ratio = e.perSecond() / f.perSecond();
            ratios.add(ratio);
            System.out.printf(
                "round %d: endpoint/floor throughput %.2fx; endpoint p99 %.2f ms%n",
                round, ratio, e.p99Ms());
          }
          System.out.printf(
              "median endpoint/floor throughput %.2fx (%s); load average now %.1f%n",
              Harness.median(ratios),
              Harness.ratios(ratios),
              java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                  .getSystemLoadAverage());
        }
        idle(api, idle);
      } finally {
        runtime.close();
      }
    }
    System.exit(0);
  }

  static OperatorConfig config() {
    return OperatorConfig.load(
        null,
        Map.of(
            "MANAGEDSECRET_ACCOUNT_ID", "123456789012",
            "MANAGEDSECRET_ENDPOINT_ENABLED", "true",
            "MANAGEDSECRET_ENDPOINT_ADDRESS", "127.0.0.1",
            "MANAGEDSECRET_ENDPOINT_PORT", "0",
            "MANAGEDSECRET_ENDPOINT_TLS_MODE", "none",
            "MANAGEDSECRET_QUOTA_VERSIONS_PER_NAMESPACE", "100000000",
            // The harness measures the endpoint, not the client-side rate limit of its client.
            "MANAGEDSECRET_API_QPS", "1000000",
            "MANAGEDSECRET_API_BURST", "1000000",
            "MANAGEDSECRET_ENDPOINT_AUTHORIZATION_CACHE_TTL",
                System.getProperty("bench.authorizationCacheTtl", "PT5S")));
  }

  /**
   * The ServiceAccount bench/app with a Role that lets it create ManagedSecrets and read their
   * values, and an access key of it as the endpoint's credentials would stand for it.
   */
  static AccessKeys.AccessKey serviceAccount(
      KubernetesClient client, SecretsManagerEndpoint endpoint) {
    ServiceAccount sa =
        client
            .resource(
                new ServiceAccountBuilder()
                    .withNewMetadata()
                    .withNamespace(NAMESPACE)
                    .withName(ACCOUNT)
                    .endMetadata()
                    .build())
            .create();
    client
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withNamespace(NAMESPACE)
                .withName("secrets")
                .endMetadata()
                .addNewRule()
                .withApiGroups("managedsecrets.dev")
                .withResources("managedsecrets", "managedsecrets/value")
                .withVerbs("get", "create")
                .endRule()
                .build())
        .create();
    client
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withNamespace(NAMESPACE)
                .withName("app-secrets")
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", "secrets")
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(ACCOUNT)
                .withNamespace(NAMESPACE)
                .endSubject()
                .build())
        .create();
    AccessKeys.AccessKey key =
        AccessKeys.generate(
            Principal.serviceAccount(NAMESPACE, ACCOUNT, sa.getMetadata().getUid()));
    endpoint.accessKeys().add(key);
    return key;
  }

  static SecretsManagerClient client(String url, AccessKeys.AccessKey key) {
    return SecretsManagerClient.builder()
        .endpointOverride(URI.create(url))
        .region(Region.of(REGION))
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey())))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  static String name(int i) {
    return "bench/db-" + i;
  }

  /** N secrets created through the endpoint, from 16 threads. */
  static void create(SecretsManagerClient sm, int n) throws Exception {
    long start = System.nanoTime();
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      done.add(
          pool.submit(
              () -> {
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                  int k = i;
                  sm.createSecret(
                      r ->
                          r.name(name(k))
                              .secretString(
                                  "{\"username\":\"app-"
                                      + k
                                      + "\",\"password\":\"p-"
                                      + Long.toHexString(ThreadLocalRandom.current().nextLong())
                                      + "\"}"));
                }
                return null;
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    System.out.printf(
        "created %d secrets through the endpoint in %d ms%n",
        n, (System.nanoTime() - start) / 1_000_000);
  }

  /** Waits until the operator has reconciled the N ManagedSecrets (each has a status version). */
  static void awaitReconciled(EmbeddedApiServer api, int n) throws InterruptedException {
    long start = System.nanoTime();
    while (true) {
      long ready =
          api
              .client()
              .resources(dev.managedsecrets.api.v1alpha1.ManagedSecret.class)
              .inNamespace(NAMESPACE)
              .list()
              .getItems()
              .stream()
              .filter(ms -> ms.getStatus() != null && ms.getStatus().versionId != null)
              .count();
      if (ready >= n) {
        break;
      }
      Thread.sleep(1000);
    }
    System.out.printf(
        "%d ManagedSecrets reconciled after %d ms more%n",
        n, (System.nanoTime() - start) / 1_000_000);
  }

  /** The floor's answer: a GetSecretValue answer as the endpoint gives it, byte for byte alike. */
  static byte[] constant(GetSecretValueResponse r) {
    String json =
        "{\"ARN\":\""
            + r.arn()
            + "\",\"Name\":\""
            + r.name()
            + "\",\"VersionId\":\""
            + r.versionId()
            + "\",\"SecretString\":"
            + com.fasterxml.jackson.databind.node.TextNode.valueOf(r.secretString())
            + ",\"VersionStages\":[\"AWSCURRENT\"],\"CreatedDate\":"
            + r.createdDate().getEpochSecond()
            + "}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  record Result(long calls, long errors, double seconds, long[] nanos) {

    double perSecond() {
      return calls / seconds;
    }

    double percentileMs(double p) {
      if (nanos.length == 0) {
        return Double.NaN;
      }
      int i = (int) Math.ceil(p * nanos.length) - 1;
      return nanos[Math.max(0, Math.min(nanos.length - 1, i))] / 1e6;
    }

    double p99Ms() {
      return percentileMs(0.99);
    }
  }

  /** Warm-up, then GetSecretValue of random secrets on 16 threads for the given seconds. */
  static Result phase(
      String what, SecretsManagerClient sm, int n, int warmup, int seconds, EmbeddedApiServer api)
      throws Exception {
    run(sm, n, warmup);
    Map<String, RequestCounts.Timing> before = api.requests().timings();
    Result r = run(sm, n, seconds);
    Map<String, RequestCounts.Timing> after = api.requests().timings();
    Map<String, Long> perKind = new HashMap<>();
    after.forEach(
        (k, v) -> {
          long d = v.requests() - before.getOrDefault(k, new RequestCounts.Timing(0, 0)).requests();
          if (d > 0) {
            perKind.put(k, d);
          }
        });
    StringBuilder kinds = new StringBuilder();
    perKind.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                kinds.append(
                    String.format(" %s=%.2f", e.getKey(), (double) e.getValue() / r.calls())));
    System.out.printf(
        "%s: %d calls in %.1f s, %.0f/s, %d errors; latency p50 %.2f ms, p99 %.2f ms, max %.2f"
            + " ms; API requests per call:%s%n",
        what,
        r.calls(),
        r.seconds(),
        r.perSecond(),
        r.errors(),
        r.percentileMs(0.50),
        r.p99Ms(),
        r.percentileMs(1.0),
        kinds.length() == 0 ? " none" : kinds);
    return r;
  }

  static Result run(SecretsManagerClient sm, int n, int seconds) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<long[]>> results = new ArrayList<>();
    AtomicInteger errors = new AtomicInteger();
    long[] window = new long[2];
    for (int t = 0; t < THREADS; t++) {
      results.add(
          pool.submit(
              () -> {
                long[] times = new long[1024];
                int count = 0;
                go.await();
                long end = window[1];
                while (true) {
                  String id = name(ThreadLocalRandom.current().nextInt(n));
                  long t0 = System.nanoTime();
                  if (t0 >= end) {
                    break;
                  }
                  try {
                    sm.getSecretValue(r -> r.secretId(id));
                  } catch (RuntimeException e) {
                    errors.incrementAndGet();
                    continue;
                  }
                  if (count == times.length) {
                    times = Arrays.copyOf(times, count * 2);
                  }
                  times[count++] = System.nanoTime() - t0;
                }
                return Arrays.copyOf(times, count);
              }));
    }
    window[0] = System.nanoTime();
    window[1] = window[0] + seconds * 1_000_000_000L;
    go.countDown();
    List<long[]> all = new ArrayList<>();
    for (Future<long[]> f : results) {
      all.add(f.get());
    }
    double elapsed = (System.nanoTime() - window[0]) / 1e9;
    pool.shutdown();
    long[] nanos = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    return new Result(nanos.length, errors.get(), elapsed, nanos);
  }

  /** The API writes while the endpoint and the operator sit idle with the N secrets resident. */
  static void idle(EmbeddedApiServer api, int seconds) throws InterruptedException {
    Map<String, Long> before = new HashMap<>(api.requests().writesByResource());
    Thread.sleep(seconds * 1000L);
    Map<String, Long> since = new HashMap<>();
    api.requests()
        .writesByResource()
        .forEach(
            (k, v) -> {
              long d = v - before.getOrDefault(k, 0L);
              if (d != 0) {
                since.put(k, d);
              }
            });
    System.out.printf(
        "idle %d s with the secrets resident: %d API writes %s%n",
        seconds, since.values().stream().mapToLong(Long::longValue).sum(), since);
  }
}
