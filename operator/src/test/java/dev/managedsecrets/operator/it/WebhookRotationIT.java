package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.WAIT;
import static dev.managedsecrets.operator.it.Fixtures.awaitReady;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.condition;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.ready;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.RotationSpec;
import dev.managedsecrets.api.v1alpha1.WebhookService;
import dev.managedsecrets.api.v1alpha1.WebhookSpec;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.operator.rotation.TestCertificates;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Rotation with the webhook strategy, as Secrets Manager runs a rotation Lambda: each of AWS's four
 * steps is POSTed over HTTPS to a function behind a Service of the ManagedSecret's namespace, which
 * writes the pending version and moves AWSCURRENT through the Secrets Manager endpoint with AWS's
 * SDK. A failed step leaves AWSCURRENT and the Secret alone and the next attempt resumes with the
 * same token; a certificate the CA bundle does not verify fails the rotation; the schema names no
 * other namespace; a value the spec sets is refused.
 */
class WebhookRotationIT {

  static final String NS = "team-a";

  static TestCluster cluster;
  static RotationFunction function;
  static SecretsManagerClient admin;
  static StoreView store;

  @BeforeAll
  static void start() throws Exception {
    cluster = EndpointClients.start();
    function = new RotationFunction(cluster, NS, "rotator");
    admin = EndpointClients.client(cluster, EndpointClients.administrator(cluster));
    store = new StoreView(cluster.client);
  }

  @AfterAll
  static void stop() {
    if (function != null) {
      function.close();
    }
    if (admin != null) {
      admin.close();
    }
    cluster.close();
  }

  /** A value in the store, rotated by the function on request only (a 30-day schedule). */
  static Consumer<ManagedSecretSpec> rotatedByWebhook(String caBundle) {
    return s -> {
      s.valueSource = "Store";
      s.rotation = new RotationSpec();
      s.rotation.scheduleExpression = "rate(30 days)";
      s.rotation.rotateImmediately = false;
      s.rotation.strategy = "webhook";
      s.rotation.webhook = webhook("rotator", function.port(), caBundle);
    };
  }

  static WebhookSpec webhook(String service, int port, String caBundle) {
    WebhookSpec w = new WebhookSpec();
    w.service = new WebhookService();
    w.service.name = service;
    w.service.port = port;
    w.service.path = "/rotate";
    w.caBundle = caBundle;
    return w;
  }

  /** The ManagedSecret, its first value put through the endpoint; returns that version. */
  static String withFirstValue(String name, Consumer<ManagedSecretSpec> spec) {
    create(cluster.client, managedSecret(NS, name, spec));
    String arn =
        await()
            .atMost(WAIT)
            .until(
                () -> {
                  ManagedSecret ms = get(cluster.client, NS, name);
                  return ms.getStatus() == null ? null : ms.getStatus().arn;
                },
                a -> a != null);
    String first =
        admin
            .putSecretValue(r -> r.secretId(arn).secretString("{\"password\":\"first\"}"))
            .versionId();
    await()
        .atMost(WAIT)
        .until(() -> first.equals(awaitSynced(cluster.client, NS, name).getStatus().versionId));
    return first;
  }

  @Test
  void theFunctionPutsThePendingVersionAndMovesAwsCurrentAndTheSecretHoldsTheNewValue() {
    function.events.clear();
    String first = withFirstValue("hooked", rotatedByWebhook(function.ca.caPem()));

    annotate("hooked", "1");
    ManagedSecret rotated = awaitRotated("hooked", first);

    String token = rotated.getStatus().versionId;
    assertThat(rotated.getStatus().versionIdsToStages)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(token, List.of("AWSCURRENT"), first, List.of("AWSPREVIOUS")));
    assertThat(condition(rotated, "Rotating").getReason()).isEqualTo("RotationSucceeded");
    assertThat(ready(rotated).getStatus()).isEqualTo("True");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(text(secret(cluster.client, NS, "hooked")))
                    .isEqualTo(Map.of("password", "rotated-1")));
    List<JsonNode> events = eventsFor(rotated.getStatus().arn);
    assertThat(events)
        .extracting(e -> e.path("Step").asText())
        .containsExactly("createSecret", "setSecret", "testSecret", "finishSecret");
    assertThat(events)
        .allSatisfy(
            e -> {
              assertThat(e.path("ClientRequestToken").asText()).isEqualTo(token);
              assertThat(e.size()).isEqualTo(3);
            });
    assertThat(reasons("hooked")).contains("RotationStepSucceeded", "SecretRotated");
    assertNoValue("hooked", "rotated-1");
  }

  @Test
  void aFunctionFailingSetSecretLeavesAwsCurrentAndTheSecretAndTheNextAttemptResumesTheToken() {
    String first = withFirstValue("failing", rotatedByWebhook(function.ca.caPem()));
    String arn = get(cluster.client, NS, "failing").getStatus().arn;
    try {
      function.answer = step -> "setSecret".equals(step) ? 500 : 200;
      function.nextValue = "{\"password\":\"rotated-2\"}";
      annotate("failing", "1");
      ManagedSecret failed = awaitRotationFailed("failing");

      assertThat(condition(failed, "Rotating").getMessage())
          .contains("setSecret", "HTTP 500", "AWSCURRENT", "unchanged");
      assertThat(failed.getStatus().versionId).isEqualTo(first);
      assertThat(ready(failed).getStatus()).isEqualTo("True");
      assertThat(text(secret(cluster.client, NS, "failing")))
          .isEqualTo(Map.of("password", "first"));
      StoredSecret during = record("failing");
      assertThat(during.current().orElseThrow().versionId()).isEqualTo(first);
      String pending = during.versionWithStage("AWSPENDING").orElseThrow().versionId();
      assertThat(reasons("failing")).contains("RotationFailed");
      assertNoValue("failing", "rotated-2");

      // The function is mended: the next attempt resumes with the same token.
      function.answer = step -> 200;
      function.events.clear();
      annotate("failing", "2");
      ManagedSecret rotated = awaitRotated("failing", first);
      assertThat(rotated.getStatus().versionId).isEqualTo(pending);
      assertThat(eventsFor(arn))
          .allSatisfy(e -> assertThat(e.path("ClientRequestToken").asText()).isEqualTo(pending));
      assertThat(record("failing").versions()).hasSize(2);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(text(secret(cluster.client, NS, "failing")))
                      .isEqualTo(Map.of("password", "rotated-2")));
    } finally {
      function.answer = step -> 200;
      function.nextValue = "{\"password\":\"rotated-1\"}";
    }
  }

  @Test
  void turningRotationOnWithoutRotateImmediatelyTestsTheFunctionsCreateAndTestStepsOnly() {
    String first = withFirstValue("tested", s -> s.valueSource = "Store");
    String arn = get(cluster.client, NS, "tested").getStatus().arn;

    cluster
        .client
        .resources(ManagedSecret.class)
        .inNamespace(NS)
        .withName("tested")
        .edit(
            ms -> {
              rotatedByWebhook(function.ca.caPem()).accept(ms.getSpec());
              return ms;
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(eventsFor(arn))
                  .extracting(e -> e.path("Step").asText())
                  .containsExactly("createSecret", "testSecret");
              StoredSecret after = record("tested");
              assertThat(after.current().orElseThrow().versionId()).isEqualTo(first);
              assertThat(after.versionWithStage("AWSPENDING")).isEmpty();
              assertThat(reasons("tested")).contains("RotationStepSucceeded");
            });
    ManagedSecret tested = get(cluster.client, NS, "tested");
    assertThat(tested.getStatus().rotationEnabled).isTrue();
    assertThat(tested.getStatus().lastRotatedDate).isNull();
    assertThat(text(secret(cluster.client, NS, "tested"))).isEqualTo(Map.of("password", "first"));
  }

  @Test
  void aCertificateThatTheCaBundleDoesNotVerifyFailsTheRotationClearly() {
    String other = TestCertificates.newCa().caPem();
    String first = withFirstValue("wrong-ca", rotatedByWebhook(other));

    annotate("wrong-ca", "1");
    ManagedSecret failed = awaitRotationFailed("wrong-ca");

    assertThat(condition(failed, "Rotating").getMessage())
        .contains("createSecret", "TLS", "rotator.team-a.svc", "caBundle");
    assertThat(failed.getStatus().versionId).isEqualTo(first);
    assertThat(record("wrong-ca").versions()).hasSize(1);
  }

  @Test
  void theSchemaNamesNoServiceOfAnotherNamespaceAndNeedsTheWebhookSettings() {
    KubernetesClientException dotted =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                create(
                    cluster.client,
                    managedSecret(
                        NS,
                        "elsewhere",
                        rotatedByWebhook(function.ca.caPem())
                            .andThen(s -> s.rotation.webhook.service.name = "rotator.team-b"))));
    KubernetesClientException missing =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                create(
                    cluster.client,
                    managedSecret(
                        NS,
                        "no-settings",
                        rotatedByWebhook(function.ca.caPem())
                            .andThen(s -> s.rotation.webhook = null))));

    assertThat(dotted).isNotNull();
    assertThat(dotted.getCode()).isEqualTo(422);
    assertThat(missing).isNotNull();
    assertThat(missing.getMessage()).contains("The webhook strategy needs webhook");
    assertThat(get(cluster.client, NS, "elsewhere")).isNull();
  }

  @Test
  void aValueTheSpecSetsIsRefusedWithInvalidParameterException() {
    create(
        cluster.client,
        managedSecret(
            "team-b",
            "spec-value",
            rotatedByWebhook(function.ca.caPem())
                .andThen(
                    s -> {
                      s.valueSource = null;
                      s.secretString = "set-in-git";
                    })));
    ManagedSecret refused =
        awaitReady(cluster.client, "team-b", "spec-value", "False", "InvalidParameterException");
    assertThat(ready(refused).getMessage())
        .contains("valueSource", "Store")
        .doesNotContain("set-in-git");
  }

  // ---- helpers ----

  private static List<JsonNode> eventsFor(String arn) {
    return function.events.stream().filter(e -> arn.equals(e.path("SecretId").asText())).toList();
  }

  private static void annotate(String name, String value) {
    cluster
        .client
        .resources(ManagedSecret.class)
        .inNamespace(NS)
        .withName(name)
        .edit(
            ms -> {
              Map<String, String> annotations = new java.util.HashMap<>();
              if (ms.getMetadata().getAnnotations() != null) {
                annotations.putAll(ms.getMetadata().getAnnotations());
              }
              annotations.put("managedsecrets.dev/rotate-now", value);
              ms.getMetadata().setAnnotations(annotations);
              return ms;
            });
  }

  private static ManagedSecret awaitRotated(String name, String from) {
    return await()
        .atMost(WAIT)
        .until(
            () -> get(cluster.client, NS, name),
            ms ->
                ms.getStatus() != null
                    && ms.getStatus().lastRotatedDate != null
                    && !from.equals(ms.getStatus().versionId));
  }

  private static ManagedSecret awaitRotationFailed(String name) {
    return await()
        .atMost(WAIT)
        .until(
            () -> get(cluster.client, NS, name),
            ms ->
                condition(ms, "Rotating") != null
                    && "RotationFailed".equals(condition(ms, "Rotating").getReason()));
  }

  private static StoredSecret record(String name) {
    return store.record(NS, NS + "/" + name).orElseThrow();
  }

  private static List<String> reasons(String name) {
    return events(name).stream().map(Event::getReason).toList();
  }

  private static List<Event> events(String name) {
    return cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  /** No Event and no condition carries the value. */
  private static void assertNoValue(String name, String value) {
    assertThat(String.valueOf(get(cluster.client, NS, name).getStatus().conditions))
        .doesNotContain(value);
    assertThat(events(name)).allSatisfy(e -> assertThat(e.getMessage()).doesNotContain(value));
  }
}
