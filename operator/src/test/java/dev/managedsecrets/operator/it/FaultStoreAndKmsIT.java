package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitReady;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.condition;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.ready;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.kms.aws.FakeAwsKms;
import dev.managedsecrets.operator.metrics.OperatorMetrics;
import dev.managedsecrets.operator.store.TestPostgres;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store unavailable (the PostgreSQL server stopped) and the KMS failing or slow (the fake AWS
 * KMS answering 500, or not answering yet): the ManagedSecret is Reconciling with the reason of
 * what failed, retried no more often than the configured back-off allows, its projected Secret
 * keeps its value, and everything converges, once, when the store or the KMS is back.
 */
class FaultStoreAndKmsIT {

  private static final Logger LOG = LoggerFactory.getLogger(FaultStoreAndKmsIT.class);

  /** How long the store or the KMS stays down. */
  static final Duration OUTAGE = Duration.ofSeconds(10);

  /**
   * Requests the AWS SDK makes for one call that keeps failing with a 500: its first and its
   * retries (legacy retry mode: 3), whatever their waits.
   */
  static final int SDK_ATTEMPTS = 4;

  static TestPostgres postgres;
  static FakeAwsKms aws;
  static TestCluster cluster;
  static AutoCloseable credentials;

  @BeforeAll
  static void start() throws Exception {
    // The AWS SDK's default credentials chain reads these first; nothing asks a metadata service.
    credentials = FakeAwsKms.credentials("AKIDFAULTSUITE", "fault-suite-secret");
    postgres = TestPostgres.start();
    aws = new FakeAwsKms();
    cluster = TestCluster.withoutOperator();
    PostgresOperatorIT.createCredentials(cluster, TestPostgres.USER, TestPostgres.PASSWORD);
    Map<String, String> env = new HashMap<>(PostgresOperatorIT.usePostgres(postgres));
    env.put("MANAGEDSECRET_KMS_AWS_REGION", FakeAwsKms.REGION);
    env.put("MANAGEDSECRET_KMS_AWS_ENDPOINT", aws.endpoint().toString());
    env.putAll(FaultApiServerIT.RETRY);
    cluster.configure = env;
    cluster.startOperator();
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    postgres.close();
    aws.close();
    credentials.close();
  }

  @Test
  void aStoppedDatabaseMakesItReconcilingWithInternalServiceErrorKeepsTheSecretAndRecovers()
      throws Exception {
    create(cluster.client, managedSecret("team-a", "ledger", s -> s.secretString = "one"));
    String first = awaitSynced(cluster.client, "team-a", "ledger").getStatus().versionId;
    Secret projected = secret(cluster.client, "team-a", "ledger");
    double failedBefore = storeCalls("unavailable");

    postgres.stop();
    long started = System.nanoTime();
    edit(cluster.client, "team-a", "ledger", s -> s.secretString = "two");
    assertReconciling("ledger", "InternalServiceError", first, projected);
    Thread.sleep(OUTAGE.toMillis());
    long attempts = (long) (storeCalls("unavailable") - failedBefore);
    Duration window = Duration.ofNanos(System.nanoTime() - started);
    postgres.restart();

    // One store call per failed reconcile (it claims the name, which reads the record first).
    long allowed = Backoff.mostRequests(window, Backoff.reconciles(retry(), 1, List.of()));
    LOG.info("Database down {}: store calls {} (allowed {})", window, attempts, allowed);
    assertThat(attempts).isPositive().isLessThanOrEqualTo(allowed);
    assertConverged("team-a", "ledger", first, "two");
  }

  @Test
  void aFailingKmsMakesItReconcilingWithEncryptionFailureKeepsTheSecretAndRecovers()
      throws Exception {
    remoteKey("team-b", "remote");
    createOnKey("sealed", "remote");
    String first = awaitSynced(cluster.client, "team-b", "sealed").getStatus().versionId;
    Secret projected = secret(cluster.client, "team-b", "sealed");
    int callsBefore = aws.requests("GenerateDataKey").size();

    Duration window;
    try (AutoCloseable down = aws.failAlways("GenerateDataKey", "KMSInternalException", 500)) {
      long started = System.nanoTime();
      edit(cluster.client, "team-b", "sealed", s -> s.secretString = "two");
      ManagedSecret failed = assertReconciling("sealed", "EncryptionFailure", first, projected);
      assertThat(ready(failed).getMessage())
          .contains("AWS KMS refused GenerateDataKey")
          .contains("KMSInternalException");
      Thread.sleep(OUTAGE.toMillis());
      window = Duration.ofNanos(System.nanoTime() - started);
    }
    long calls = aws.requests("GenerateDataKey").size() - callsBefore;

    // One GenerateDataKey per failed reconcile, which the SDK makes up to SDK_ATTEMPTS times.
    long allowed =
        Backoff.mostRequests(
            window, Backoff.reconciles(retry(), 1, Collections.nCopies(SDK_ATTEMPTS - 1, 0L)));
    LOG.info("KMS down {}: GenerateDataKey requests {} (allowed {})", window, calls, allowed);
    assertThat(calls).isPositive().isLessThanOrEqualTo(allowed);
    assertConverged("team-b", "sealed", first, "two");
  }

  @Test
  void aSlowKmsHoldsOnlyTheManagedSecretsThatUseItWhichKeepTheirSecretAndConvergeOnce()
      throws Exception {
    remoteKey("team-b", "sluggish");
    createOnKey("patient", "sluggish");
    create(cluster.client, managedSecret("team-b", "bystander", s -> s.secretString = "one"));
    String first = awaitSynced(cluster.client, "team-b", "patient").getStatus().versionId;
    String bystander = awaitSynced(cluster.client, "team-b", "bystander").getStatus().versionId;
    Secret projected = secret(cluster.client, "team-b", "patient");

    try (FakeAwsKms.Hold slow = aws.hold("GenerateDataKey")) {
      edit(cluster.client, "team-b", "patient", s -> s.secretString = "two");
      await().atMost(Fixtures.WAIT).until(() -> slow.held() == 1);

      // Others are reconciled meanwhile (here one on the local default key).
      edit(cluster.client, "team-b", "bystander", s -> s.secretString = "two");
      await()
          .atMost(Fixtures.WAIT)
          .until(
              () ->
                  !bystander.equals(
                      get(cluster.client, "team-b", "bystander").getStatus().versionId));
      assertThat(text(secret(cluster.client, "team-b", "bystander")))
          .containsExactly(Map.entry("secretString", "two"));

      // The waiting one has changed nothing yet.
      ManagedSecret waiting = get(cluster.client, "team-b", "patient");
      assertThat(waiting.getStatus().versionId).isEqualTo(first);
      assertThat(ready(waiting).getStatus()).isEqualTo("True");
      Secret during = secret(cluster.client, "team-b", "patient");
      assertThat(during.getMetadata().getResourceVersion())
          .isEqualTo(projected.getMetadata().getResourceVersion());
    }

    assertConverged("team-b", "patient", first, "two");
  }

  // ---- helpers ----

  /**
   * Waits for Ready=False with this reason, with Reconciling=True (retried) and no Stalled; the
   * status keeps the version, and the Secret its value and resourceVersion.
   */
  private static ManagedSecret assertReconciling(
      String name, String reason, String version, Secret projected) {
    String namespace = projected.getMetadata().getNamespace();
    ManagedSecret failed = awaitReady(cluster.client, namespace, name, "False", reason);
    assertThat(condition(failed, "Reconciling"))
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo(reason);
            });
    assertThat(condition(failed, "Stalled")).isNull();
    assertThat(failed.getStatus().versionId).isEqualTo(version);
    Secret during = secret(cluster.client, namespace, name);
    assertThat(during.getMetadata().getResourceVersion())
        .isEqualTo(projected.getMetadata().getResourceVersion());
    assertThat(text(during)).isEqualTo(text(projected));
    return failed;
  }

  /** The change made while down is stored once, as AWSCURRENT after the first, and projected. */
  private static void assertConverged(String namespace, String name, String first, String value)
      throws Exception {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> !first.equals(get(cluster.client, namespace, name).getStatus().versionId));
    var status = awaitSynced(cluster.client, namespace, name).getStatus();
    assertThat(status.versionIdsToStages)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(status.versionId, List.of("AWSCURRENT"), first, List.of("AWSPREVIOUS")));
    assertThat(PostgresOperatorIT.storedVersions(postgres, namespace, namespace + "/" + name))
        .containsExactly(first, status.versionId);
    assertThat(text(secret(cluster.client, namespace, name)))
        .containsExactly(Map.entry("secretString", value));
  }

  private static OperatorConfig.RetrySettings retry() {
    return TestCluster.testConfig(FaultApiServerIT.RETRY).retry();
  }

  private static double storeCalls(String outcome) {
    return cluster
        .registry
        .find(OperatorMetrics.STORE_DURATION)
        .tag("outcome", outcome)
        .timers()
        .stream()
        .mapToDouble(t -> t.count())
        .sum();
  }

  /** A ManagedSecret of team-b with the value "one" under a KmsKey of team-b. */
  private static void createOnKey(String name, String key) {
    create(
        cluster.client,
        managedSecret(
            "team-b",
            name,
            s -> {
              s.secretString = "one";
              s.kmsKeyId = key;
            }));
  }

  /** A KmsKey in AWS KMS (the fake), ready. */
  private static void remoteKey(String namespace, String name) {
    Fixtures.createKeySynced(cluster.client, namespace, name, s -> s.provider = "aws-kms");
  }
}
