package dev.managedsecrets.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.apiserver.RequestCounts;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The test entry point, {@link EmbeddedApiServer}, with the operator running against it. */
class EmbeddedApiServerIT {

  static EmbeddedApiServer api;
  static OperatorRuntime operator;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    api = EmbeddedApiServer.start(0);
    client = api.client();
    operator =
        OperatorRuntime.start(
            client,
            OperatorConfig.load(null, Map.of()),
            new SimpleMeterRegistry(),
            Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (api != null) {
      api.close();
    }
  }

  private static ManagedSecret managedSecret(String name, String value) {
    ManagedSecret ms = new ManagedSecret();
    ms.getMetadata().setName(name);
    ms.getMetadata().setNamespace("default");
    ms.setSpec(new ManagedSecretSpec());
    ms.getSpec().secretString = value;
    return ms;
  }

  private static boolean ready(String name) {
    ManagedSecret ms =
        client.resources(ManagedSecret.class).inNamespace("default").withName(name).get();
    return ms != null
        && ms.getStatus() != null
        && ms.getStatus().conditions != null
        && ms.getStatus().conditions.stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
  }

  @Test
  void anIdleReconcileMakesNoWriteRequest() {
    client.resources(ManagedSecret.class).resource(managedSecret("idle", "value-1")).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> ready("idle"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.secrets().inNamespace("default").withName("idle").get() != null);

    RequestCounts.Mark mark = api.requests().mark();
    // An unrelated annotation on the projected Secret: the operator reconciles (it reads its
    // store) and finds nothing to change.
    client
        .secrets()
        .inNamespace("default")
        .withName("idle")
        .edit(
            s -> {
              s.getMetadata().getAnnotations().put("example.com/touched", "yes");
              return s;
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> api.requests().since(mark).getOrDefault("GET", 0L) > 0);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(api.requests().writesSince(mark)).isEqualTo(1));
  }

  @Test
  void specChangesBumpGenerationAndStatusWritesDoNot() {
    var resource = client.resources(ManagedSecret.class).inNamespace("default").withName("gen");
    ManagedSecret created = resource.create(managedSecret("gen", "v"));
    assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
    await().atMost(Duration.ofSeconds(30)).until(() -> ready("gen"));
    assertThat(resource.get().getMetadata().getGeneration()).isEqualTo(1L);

    resource.edit(
        ms -> {
          ms.getSpec().secretString = "w";
          return ms;
        });
    assertThat(resource.get().getMetadata().getGeneration()).isEqualTo(2L);
  }

  @Test
  void statusMergePatchWithAFieldManagerIsApplied() {
    var resource =
        client.resources(ManagedSecret.class).inNamespace("default").withName("status-patch");
    resource.create(managedSecret("status-patch", "v"));
    operator.close(); // the test writes status itself; the operator would overwrite it
    try {
      resource
          .subresource("status")
          .patch(
              new PatchContext.Builder()
                  .withPatchType(PatchType.JSON_MERGE)
                  .withFieldManager("tester")
                  .build(),
              "{\"status\":{\"name\":\"patched-by-test\"}}");
      assertThat(resource.get().getStatus().name).isEqualTo("patched-by-test");
      assertThat(resource.get().getMetadata().getGeneration()).isEqualTo(1L);

      resource
          .subresource("status")
          .patch(
              new PatchContext.Builder()
                  .withPatchType(PatchType.SERVER_SIDE_APPLY)
                  .withFieldManager("status-applier")
                  .withForce(true)
                  .build(),
              "{\"apiVersion\":\"managedsecrets.dev/v1alpha1\",\"kind\":\"ManagedSecret\","
                  + "\"metadata\":{\"name\":\"status-patch\"},\"spec\":{\"secretString\":\"ignored\"},"
                  + "\"status\":{\"arn\":\"applied\"}}");
      ManagedSecret applied = resource.get();
      assertThat(applied.getStatus().arn).isEqualTo("applied");
      assertThat(applied.getSpec().secretString).isEqualTo("v");
      assertThat(applied.getMetadata().getGeneration()).isEqualTo(1L);
    } finally {
      operator =
          OperatorRuntime.start(
              client,
              OperatorConfig.load(null, Map.of()),
              new SimpleMeterRegistry(),
              Clock.systemUTC());
    }
  }

  @Test
  void invalidCustomResourcesAreRefusedWith422() {
    ManagedSecret both = managedSecret("both", "abc");
    both.getSpec().secretBinary = "AAAA";
    assertThatThrownBy(() -> client.resources(ManagedSecret.class).resource(both).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getStatus().getMessage())
                  .contains(
                      "ManagedSecret.managedsecrets.dev \"both\" is invalid",
                      "spec: Invalid value");
            });
  }

  @Test
  void secretStringDataIsStoredAsData() {
    Secret s =
        client
            .secrets()
            .inNamespace("default")
            .resource(
                new SecretBuilder()
                    .withNewMetadata()
                    .withName("plain")
                    .endMetadata()
                    .addToStringData("k", "v")
                    .build())
            .create();
    assertThat(s.getStringData()).isNullOrEmpty();
    assertThat(client.secrets().inNamespace("default").withName("plain").get().getData())
        .containsEntry("k", Base64.getEncoder().encodeToString("v".getBytes()));
  }

  @Test
  void strategicMergePatchMergesAndLabelSetSelectorsFilter() {
    client
        .configMaps()
        .inNamespace("default")
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("cm")
                .addToLabels("tier", "web")
                .endMetadata()
                .addToData("a", "1")
                .build())
        .create();
    client
        .configMaps()
        .inNamespace("default")
        .withName("cm")
        .patch(
            PatchContext.of(PatchType.STRATEGIC_MERGE),
            "{\"data\":{\"b\":\"2\"},\"metadata\":{\"finalizers\":[\"x/y\"]}}");
    ConfigMap cm = client.configMaps().inNamespace("default").withName("cm").get();
    assertThat(cm.getData()).containsEntry("a", "1").containsEntry("b", "2");
    assertThat(cm.getMetadata().getFinalizers()).containsExactly("x/y");

    assertThat(
            client
                .configMaps()
                .inNamespace("default")
                .withLabelIn("tier", "web", "db")
                .list()
                .getItems())
        .extracting(c -> c.getMetadata().getName())
        .contains("cm");
    assertThat(
            client
                .configMaps()
                .inNamespace("default")
                .withLabelNotIn("tier", "web")
                .list()
                .getItems())
        .extracting(c -> c.getMetadata().getName())
        .doesNotContain("cm");
    assertThat(client.configMaps().inNamespace("default").withoutLabel("tier").list().getItems())
        .extracting(c -> c.getMetadata().getName())
        .doesNotContain("cm");
  }

  @Test
  void serverSideApplyByTheClientCreatesAndRemovesFieldsItNoLongerSends() {
    var cms = client.configMaps().inNamespace("default");
    ConfigMap first =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("applied")
            .endMetadata()
            .addToData("keep", "1")
            .addToData("drop", "2")
            .build();
    cms.resource(first).fieldManager("test").forceConflicts().serverSideApply();
    ConfigMap second =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("applied")
            .endMetadata()
            .addToData("keep", "1")
            .build();
    cms.resource(second).fieldManager("test").forceConflicts().serverSideApply();
    ConfigMap stored = cms.withName("applied").get();
    assertThat(stored.getData()).containsOnlyKeys("keep");
    assertThat(stored.getMetadata().getManagedFields())
        .anySatisfy(
            m -> {
              assertThat(m.getManager()).isEqualTo("test");
              assertThat(m.getOperation()).isEqualTo("Apply");
            });
  }

  @Test
  void anInjectedOutageAnswersWithTheCodeUntilClosed() throws Exception {
    // a client that does not retry, so the outage shows at once
    KubernetesClient once =
        new KubernetesClientBuilder()
            .withConfig(new ConfigBuilder(api.config()).withRequestRetryBackoffLimit(0).build())
            .build();
    var cms = once.configMaps().inNamespace("default");
    try (once;
        AutoCloseable outage = api.fail("GET", "/api/v1/namespaces/default/configmaps", 503)) {
      assertThatThrownBy(() -> cms.withName("anything").get())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(503));
      outage.close();
      assertThat(cms.withName("anything").get()).isNull();
    }
  }
}
