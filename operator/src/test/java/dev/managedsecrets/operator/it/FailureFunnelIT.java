package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.api.v1alpha1.KmsKeySpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.operator.kms.aws.FakeAwsKms;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every failure of a reconcile, of a ManagedSecret or of a KmsKey, ends as the same three signals
 * with one reason, the AWS exception name: an INFO log line, a Warning Event on the object, and
 * Ready=False with Reconciling=True when it is retried or Stalled=True when it waits for a change.
 * Shown for a store outage, a KMS refusal and an exception nobody expected (a KMS endpoint that
 * answers without the fields the AWS SDK's response should have).
 */
class FailureFunnelIT {

  static final String FUNNEL = "dev.managedsecrets.operator.reconcile.FailureFunnel";

  static FakeAwsKms aws;
  static TestCluster cluster;
  static final ListAppender<ILoggingEvent> log = new ListAppender<>();
  static AutoCloseable credentials;

  @BeforeAll
  static void start() throws Exception {
    aws = new FakeAwsKms();
    // The AWS SDK's default credentials chain reads these first; nothing asks a metadata service.
    credentials = FakeAwsKms.credentials("AKIDFAILUREFUNNEL", "failure-funnel-secret");
    cluster = TestCluster.withoutOperator();
    cluster.configure =
        Map.of(
            "MANAGEDSECRET_KMS_AWS_REGION",
            FakeAwsKms.REGION,
            "MANAGEDSECRET_KMS_AWS_ENDPOINT",
            aws.endpoint().toString());
    cluster.startOperator();
    Logger funnel = (Logger) LoggerFactory.getLogger(FUNNEL);
    log.start();
    funnel.addAppender(log);
    funnel.setLevel(Level.DEBUG);
  }

  @AfterAll
  static void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(FUNNEL)).detachAppender(log);
    cluster.close();
    aws.close();
    credentials.close();
  }

  // ---- ManagedSecret

  @Test
  void aStoreOutageOfAManagedSecretIsLoggedEventedAndReconciling() throws Exception {
    try (AutoCloseable outage =
        cluster.api.fail("POST", "/api/v1/namespaces/managedsecret-system/secrets", 503)) {
      create(cluster.client, managedSecret("team-a", "store-down", s -> s.secretString = "v"));
      Condition ready =
          assertSignals(ManagedSecret.class, "team-a", "store-down", "InternalServiceError", true);
      assertThat(ready.getMessage()).contains("503");
    }
    awaitSynced(cluster.client, "team-a", "store-down");
  }

  @Test
  void aKmsRefusalOfAManagedSecretIsLoggedEventedAndStalled() throws Exception {
    remoteKey("team-b", "refusing");
    // Refused for as long as the signals are read: a reconcile that another event brings (Stalled
    // means no retry of its own, not that nothing else wakes it) meets the same refusal.
    try (AutoCloseable refusing = aws.failAlways("GenerateDataKey", "AccessDeniedException", 400)) {
      create(
          cluster.client,
          managedSecret(
              "team-b",
              "refused",
              s -> {
                s.secretString = "v";
                s.kmsKeyId = "refusing";
              }));
      Condition ready =
          assertSignals(ManagedSecret.class, "team-b", "refused", "AccessDeniedException", false);
      assertThat(ready.getMessage()).contains("AWS KMS refused GenerateDataKey");
    }
  }

  @Test
  void anUnexpectedExceptionOfAManagedSecretIsLoggedEventedAndReconciling() throws Exception {
    remoteKey("team-a", "odd");
    try (AutoCloseable misbehaving = aws.answerAlways("GenerateDataKey", "{}")) {
      create(
          cluster.client,
          managedSecret(
              "team-a",
              "unexpected",
              s -> {
                s.secretString = "v";
                s.kmsKeyId = "odd";
              }));
      Condition ready =
          assertSignals(ManagedSecret.class, "team-a", "unexpected", "InternalServiceError", true);
      assertThat(ready.getMessage())
          .isEqualTo(
              "The operator failed unexpectedly (NullPointerException); it retries with back-off."
                  + " Its log has the details.");
      assertUnexpectedLogged("ManagedSecret team-a/unexpected");
    }
    awaitSynced(cluster.client, "team-a", "unexpected"); // a retry gets a proper answer
  }

  // ---- KmsKey

  @Test
  void aStoreOutageOfAKmsKeyIsLoggedEventedAndReconciling() throws Exception {
    try (AutoCloseable outage =
        cluster.api.fail(
            "PUT", "/api/v1/namespaces/managedsecret-system/secrets/managedsecret-keyring", 503)) {
      createKey("team-a", "keyring-down", null);
      Condition ready =
          assertSignals(KmsKey.class, "team-a", "keyring-down", "InternalServiceError", true);
      assertThat(ready.getMessage()).contains("keyring");
    }
    awaitKeyReady("team-a", "keyring-down");
  }

  @Test
  void aKmsRefusalOfAKmsKeyIsLoggedEventedAndStalled() {
    aws.failNext("DescribeKey", "AccessDeniedException");
    createKey("team-b", "denied", "aws-kms");
    Condition ready =
        assertSignals(KmsKey.class, "team-b", "denied", "AccessDeniedException", false);
    assertThat(ready.getMessage()).contains("AWS KMS refused DescribeKey");
  }

  @Test
  void anUnexpectedExceptionOfAKmsKeyIsLoggedEventedAndReconciling() throws Exception {
    try (AutoCloseable misbehaving = aws.answerAlways("CreateKey", "{}")) {
      createKey("team-b", "odd-key", "aws-kms");
      Condition ready =
          assertSignals(KmsKey.class, "team-b", "odd-key", "InternalServiceError", true);
      assertThat(ready.getMessage()).contains("NullPointerException");
      assertUnexpectedLogged("KmsKey team-b/odd-key");
    }
    awaitKeyReady("team-b", "odd-key"); // a retry gets a proper answer
  }

  // ---- the three signals

  /**
   * Waits for Ready=False with {@code reason}, then checks the other two signals carry the same
   * reason and message; answers the Ready condition.
   */
  private static <R extends CustomResource<?, ?>> Condition assertSignals(
      Class<R> kind, String namespace, String name, String reason, boolean retried) {
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> reason.equals(reasonOf(condition(kind, namespace, name, "Ready"))));
    Condition ready = condition(kind, namespace, name, "Ready");
    String kindName = kind.getSimpleName();
    assertThat(ready.getStatus()).isEqualTo("False");
    String message = ready.getMessage();

    // 1. The condition that says what happens next, with the same reason and message.
    Condition next = condition(kind, namespace, name, retried ? "Reconciling" : "Stalled");
    assertThat(next).as("%s", retried ? "Reconciling" : "Stalled").isNotNull();
    assertThat(next.getStatus()).isEqualTo("True");
    assertThat(next.getReason()).isEqualTo(reason);
    assertThat(next.getMessage()).isEqualTo(message);
    assertThat(condition(kind, namespace, name, retried ? "Stalled" : "Reconciling")).isNull();

    // 2. A Warning Event on the object, with the same reason and message.
    await()
        .atMost(Fixtures.WAIT)
        .untilAsserted(
            () ->
                assertThat(events(namespace, kindName, name))
                    .anySatisfy(
                        e -> {
                          assertThat(e.getType()).isEqualTo("Warning");
                          assertThat(e.getReason()).isEqualTo(reason);
                          assertThat(e.getMessage()).isEqualTo(message);
                        }));

    // 3. One INFO log line with the kind, the object, the reason and the message.
    assertThat(logged())
        .anySatisfy(
            e -> {
              assertThat(e.getLevel()).isEqualTo(Level.INFO);
              assertThat(e.getFormattedMessage())
                  .isEqualTo(
                      kindName
                          + " "
                          + namespace
                          + "/"
                          + name
                          + " is not ready: "
                          + reason
                          + ": "
                          + message);
            });
    return ready;
  }

  /** The unexpected exception is logged by type and place, not by its message. */
  private static void assertUnexpectedLogged(String object) {
    assertThat(logged())
        .anySatisfy(
            e -> {
              assertThat(e.getLevel()).isEqualTo(Level.WARN);
              assertThat(e.getFormattedMessage())
                  .startsWith(object + " failed unexpectedly: java.lang.NullPointerException at ")
                  .contains("AwsKmsKeyProvider");
            });
  }

  /** What the funnel logged so far (the appender appends under its own lock). */
  private static List<ILoggingEvent> logged() {
    synchronized (log) {
      return List.copyOf(log.list);
    }
  }

  private static <R extends CustomResource<?, ?>> Condition condition(
      Class<R> kind, String namespace, String name, String type) {
    R r = cluster.client.resources(kind).inNamespace(namespace).withName(name).get();
    Object status = r == null ? null : r.getStatus();
    List<Condition> conditions =
        status instanceof dev.managedsecrets.api.v1alpha1.ManagedSecretStatus m
            ? m.conditions
            : status instanceof dev.managedsecrets.api.v1alpha1.KmsKeyStatus k
                ? k.conditions
                : null;
    return conditions == null
        ? null
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  private static String reasonOf(Condition c) {
    return c == null ? null : c.getReason();
  }

  private static List<Event> events(String namespace, String kind, String name) {
    return cluster.client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(
            e ->
                kind.equals(e.getInvolvedObject().getKind())
                    && name.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  /** A KmsKey in AWS KMS (the fake), ready before the test goes on. */
  private static void remoteKey(String namespace, String name) {
    createKey(namespace, name, "aws-kms");
    awaitKeyReady(namespace, name);
  }

  private static void createKey(String namespace, String name, String provider) {
    KmsKey key = new KmsKey();
    key.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    KmsKeySpec spec = new KmsKeySpec();
    spec.provider = provider;
    key.setSpec(spec);
    cluster.client.resource((HasMetadata) key).create();
  }

  private static void awaitKeyReady(String namespace, String name) {
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> "Synced".equals(reasonOf(condition(KmsKey.class, namespace, name, "Ready"))));
  }
}
