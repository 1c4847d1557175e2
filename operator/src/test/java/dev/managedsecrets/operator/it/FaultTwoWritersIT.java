package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.core.projection.Projection;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.operator.OperatorClient;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.metrics.OperatorMetrics;
import dev.managedsecrets.operator.store.PostgresStoreStartup;
import dev.managedsecrets.operator.store.SecretStore;
import dev.managedsecrets.operator.store.TestPostgres;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two operators without leader election on one API server (a misconfiguration: two replicas and
 * leaderElection false), both reconciling every change at once, with either store. The store's
 * record changes only by conditional writes, so of two writers from one revision one wins and the
 * other reconciles again: no version is lost, none is written twice, and the newest value wins. The
 * status is written the same way: a status computed from an older view never replaces a newer one
 * (this test found both a failure status of the losing writer left in place of the winner's
 * Ready=True, and the in-memory API server taking a status write from an old resourceVersion). And
 * an operator whose view of the spec is behind writes nothing over what a later generation wrote
 * (the store's record remembers it): once found here as a value written twice, it is held without a
 * race by holding one operator's informer a change behind.
 */
class FaultTwoWritersIT {

  private static final Logger LOG = LoggerFactory.getLogger(FaultTwoWritersIT.class);

  static final int SECRETS = 3;

  /** Changes each waited for: every one of them is AWSCURRENT at some point. */
  static final int AWAITED = 5;

  /** Changes made one right after the other: some are never AWSCURRENT, and need not be. */
  static final int RAPID = 8;

  static TestPostgres postgres;
  static final AtomicInteger RUNS = new AtomicInteger();

  @BeforeAll
  static void startDatabase() {
    postgres = TestPostgres.start();
  }

  @AfterAll
  static void stopDatabase() {
    postgres.close();
  }

  @ParameterizedTest(name = "store {0}")
  @ValueSource(strings = {"kubernetes", "postgres"})
  void twoOperatorsWithoutLeaderElectionLoseNoVersionAndWriteNoneTwice(String storeType)
      throws Exception {
    try (TestCluster cluster = TestCluster.withoutOperator()) {
      Store setup = Store.of(cluster, storeType);
      MeterRegistry metricsA = new SimpleMeterRegistry();
      MeterRegistry metricsB = new SimpleMeterRegistry();
      try (OperatorRuntime a = cluster.newOperator(setup.config(), metricsA, () -> {});
          OperatorRuntime b = cluster.newOperator(setup.config(), metricsB, () -> {});
          SecretStore store = setup.open(cluster)) {
        StoreView view = new StoreView(cluster.client, store);
        List<List<String>> written = new ArrayList<>();
        List<Set<String>> current = new ArrayList<>();
        for (int i = 0; i < SECRETS; i++) {
          String value = value(i, 0);
          create(cluster.client, managedSecret("team-a", name(i), s -> s.secretString = value));
          written.add(new ArrayList<>(List.of(value)));
          current.add(new HashSet<>());
        }

        // Each change waited for: both operators reconcile it at once.
        for (int change = 0; change <= AWAITED; change++) {
          if (change > 0) {
            for (int i = 0; i < SECRETS; i++) {
              String value = value(i, change);
              edit(cluster.client, "team-a", name(i), s -> s.secretString = value);
              written.get(i).add(value);
            }
          }
          for (int i = 0; i < SECRETS; i++) {
            current.get(i).add(awaitValue(cluster, i, value(i, change)));
          }
        }
        // Changes one right after the other (merge patches, as `kubectl patch` sends them): an
        // operator may act on a change the other has already passed.
        for (int change = AWAITED + 1; change <= AWAITED + RAPID; change++) {
          for (int i = 0; i < SECRETS; i++) {
            String value = value(i, change);
            cluster
                .client
                .resources(ManagedSecret.class)
                .inNamespace("team-a")
                .withName(name(i))
                .patch(
                    PatchContext.of(PatchType.JSON_MERGE),
                    "{\"spec\":{\"secretString\":\"" + value + "\"}}");
            written.get(i).add(value);
          }
        }
        for (int i = 0; i < SECRETS; i++) {
          current.get(i).add(awaitValue(cluster, i, value(i, AWAITED + RAPID)));
        }

        long stored = 0;
        for (int i = 0; i < SECRETS; i++) {
          StoredSecret record = view.record("team-a", "team-a/" + name(i)).orElseThrow();
          stored += record.versions().size();
          assertVersions(view, record, written.get(i), current.get(i));
        }
        double created =
            count(metricsA, OperatorMetrics.VERSIONS_CREATED)
                + count(metricsB, OperatorMetrics.VERSIONS_CREATED);
        long conflicts = conflicts(metricsA) + conflicts(metricsB);
        LOG.info(
            "Two writers ({} store): {} versions stored, {} created, {} writes refused as"
                + " conflicts",
            storeType,
            stored,
            created,
            conflicts);
        assertThat(created)
            .as("versions the two operators created, each kept in the store")
            .isEqualTo(stored);
        assertThat(conflicts)
            .as("conditional writes refused: both wrote at once, and one of them lost")
            .isPositive();
      }
    }
  }

  /**
   * The race without timing: operator B's informer of ManagedSecrets is held a change behind (its
   * watch dropped, and watching or listing again refused to it alone), while operator A takes the
   * change and writes the newer value. A's projection of it makes B reconcile, from its older view,
   * after A's store write: B's conditional write would succeed. B writes nothing: it asks the API
   * server, which has the newer generation, and leaves the ManagedSecret to be reconciled again.
   */
  @ParameterizedTest(name = "store {0}")
  @ValueSource(strings = {"kubernetes", "postgres"})
  void anOperatorWhoseInformerIsAChangeBehindWritesNothingOverTheNewerValue(String storeType)
      throws Exception {
    try (TestCluster cluster = TestCluster.withoutOperator()) {
      Store setup = Store.of(cluster, storeType);
      MeterRegistry metricsB = new SimpleMeterRegistry();
      String agentB = OperatorClient.USER_AGENT + " behind";
      try (KubernetesClient clientB = cluster.operatorClient("behind");
          OperatorRuntime a =
              cluster.newOperator(setup.config(), new SimpleMeterRegistry(), () -> {});
          OperatorRuntime b = cluster.newOperator(clientB, setup.config(), metricsB);
          SecretStore store = setup.open(cluster)) {
        StoreView view = new StoreView(cluster.client, store);
        create(cluster.client, managedSecret("team-a", "behind", s -> s.secretString = "first"));
        awaitSynced(cluster.client, "team-a", "behind");
        double createdByB = count(metricsB, OperatorMetrics.VERSIONS_CREATED);
        // (The two raced to create it: the loser's refused write may have been reported.)
        List<String> warningsBefore = warnings(cluster, "behind");

        // B's view of ManagedSecrets stops here: its watch is dropped, and it may not list or
        // watch them again (a namespaced get of one still works).
        String listAndWatch = "/apis/managedsecrets.dev/v1alpha1/managedsecrets";
        try (AutoCloseable frozen = cluster.api.failFor(agentB, "GET", listAndWatch, 500)) {
          cluster.api.dropWatches();
          cluster.drainRequests();
          edit(cluster.client, "team-a", "behind", s -> s.secretString = "second");
          awaitValue(cluster, "behind", "second");
          // B reconciled from its older view after A's write, and asked the API server.
          String live = "/apis/managedsecrets.dev/v1alpha1/namespaces/team-a/managedsecrets/behind";
          List<EmbeddedApiServer.Request> seen = new ArrayList<>();
          await()
              .atMost(Fixtures.WAIT)
              .until(
                  () -> {
                    seen.addAll(cluster.drainRequests());
                    return seen.stream()
                        .anyMatch(
                            r ->
                                agentB.equals(r.userAgent())
                                    && "GET".equals(r.method())
                                    && live.equals(r.path().split("\\?")[0]));
                  });

          StoredSecret record = view.record("team-a", "team-a/behind").orElseThrow();
          assertThat(record.versions().stream().map(v -> view.open(record, v)))
              .containsExactly("first", "second");
          assertThat(view.open(record, record.current().orElseThrow())).isEqualTo("second");
          assertThat(count(metricsB, OperatorMetrics.VERSIONS_CREATED)).isEqualTo(createdByB);
        }

        // B's view catches up: nothing more is written.
        awaitValue(cluster, "behind", "second");
        assertThat(view.record("team-a", "team-a/behind").orElseThrow().versions()).hasSize(2);
        assertThat(warnings(cluster, "behind"))
            .as("no failure reported for the view that was behind")
            .isEqualTo(warningsBefore);
      }
    }
  }

  /** The Warning Events of a ManagedSecret, each with how often it was recorded. */
  private static List<String> warnings(TestCluster cluster, String name) {
    return cluster.client.v1().events().inNamespace("team-a").list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .filter(e -> "Warning".equals(e.getType()))
        .map(e -> e.getMetadata().getName() + " x" + e.getCount())
        .sorted()
        .toList();
  }

  /**
   * The versions of a secret: no value twice, in the order the values were written, every version
   * that was AWSCURRENT kept, and the last value AWSCURRENT.
   */
  private static void assertVersions(
      StoreView view, StoredSecret stored, List<String> written, Set<String> wereCurrent) {
    List<String> versions = stored.versions().stream().map(StoredVersion::versionId).toList();
    List<String> values = stored.versions().stream().map(v -> view.open(stored, v)).toList();
    assertThat(values)
        .as("values of the versions of %s, oldest first", stored.id())
        .doesNotHaveDuplicates()
        .isSubsetOf(written);
    assertThat(written)
        .as("the versions follow the order of the changes")
        .containsSubsequence(values);
    assertThat(versions).as("every version that was AWSCURRENT is kept").containsAll(wereCurrent);
    assertThat(values.get(values.size() - 1)).isEqualTo(written.get(written.size() - 1));
    assertThat(stored.current().orElseThrow().versionId())
        .isEqualTo(versions.get(versions.size() - 1));
  }

  // ---- helpers ----

  private static String name(int i) {
    return "writers-" + i;
  }

  private static String value(int secret, int change) {
    return "s" + secret + "-v" + change;
  }

  /** As {@link #awaitValue(TestCluster, String, String)}, for the test's i-th ManagedSecret. */
  private static String awaitValue(TestCluster cluster, int i, String value) {
    return awaitValue(cluster, name(i), value);
  }

  /**
   * Waits until the ManagedSecret {@code name} is Synced with the Secret holding {@code value};
   * answers its AWSCURRENT version id.
   */
  private static String awaitValue(TestCluster cluster, String name, String value) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              var s = secret(cluster.client, "team-a", name);
              return s != null && Map.of("secretString", value).equals(text(s));
            });
    try {
      awaitSynced(cluster.client, "team-a", name);
    } catch (ConditionTimeoutException e) {
      var ms = get(cluster.client, "team-a", name);
      throw new AssertionError(
          name
              + " is not Synced at generation "
              + ms.getMetadata().getGeneration()
              + "; its status: "
              + Serialization.asJson(ms.getStatus()),
          e);
    }
    String version = get(cluster.client, "team-a", name).getStatus().versionId;
    assertThat(secret(cluster.client, "team-a", name).getMetadata().getAnnotations())
        .containsEntry(Projection.VERSION_ANNOTATION, version);
    return version;
  }

  /**
   * The store of one test and the operators' configuration for it: each run its own schema, so runs
   * never see each other's records.
   */
  private record Store(String type, String schema, OperatorConfig config) {
    static Store of(TestCluster cluster, String type) {
      String schema = "writers_" + RUNS.incrementAndGet();
      return new Store(type, schema, TestCluster.testConfig(configure(cluster, type, schema)));
    }

    /** The test's own connection to the store the operators use. */
    SecretStore open(TestCluster cluster) {
      return FaultTwoWritersIT.open(cluster, type, schema);
    }
  }

  /** The store's configuration, for the operators' environment. */
  private static Map<String, String> configure(
      TestCluster cluster, String storeType, String schema) {
    if (storeType.equals("kubernetes")) {
      return Map.of();
    }
    PostgresOperatorIT.createCredentials(cluster, TestPostgres.USER, TestPostgres.PASSWORD);
    Map<String, String> env = new HashMap<>(PostgresOperatorIT.usePostgres(postgres));
    env.put("MANAGEDSECRET_STORE_SCHEMA", schema);
    return env;
  }

  /** The test's own connection to the store the operators use. */
  private static SecretStore open(TestCluster cluster, String storeType, String schema) {
    if (storeType.equals("kubernetes")) {
      return new StoreView(cluster.client).store();
    }
    return PostgresStoreStartup.open(
        new PostgresStoreStartup.Settings(
            postgres.jdbcUrl() + "?sslmode=disable",
            TestPostgres.USER,
            TestPostgres.PASSWORD,
            schema,
            2,
            Duration.ofSeconds(5),
            "the test"));
  }

  private static double count(MeterRegistry registry, String name) {
    return registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private static long conflicts(MeterRegistry registry) {
    return registry
        .find(OperatorMetrics.STORE_DURATION)
        .tag("outcome", "conflict")
        .timers()
        .stream()
        .mapToLong(t -> t.count())
        .sum();
  }
}
