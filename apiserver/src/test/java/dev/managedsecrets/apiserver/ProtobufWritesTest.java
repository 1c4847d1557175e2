package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.V1;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Creates, updates and deletes with protobuf bodies over HTTP, as Helm 3 writes its release
 * Secrets: they go the way JSON goes (resourceVersion, preconditions, dryRun) and are answered in
 * JSON.
 */
class ProtobufWritesTest {

  private static final String SECRETS = "/api/v1/namespaces/default/secrets";

  private static HttpResponse<String> send(
      EmbeddedApiServer api, String method, String path, String contentType, byte[] body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(api.url() + path))
            .header("Authorization", "Bearer " + api.token())
            .header("Accept", "application/vnd.kubernetes.protobuf, application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return HttpClient.newBuilder()
        .sslContext(api.trust())
        .build()
        .send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> protobuf(
      EmbeddedApiServer api, String method, String path, byte[] body) throws Exception {
    return send(api, method, path, Protobuf.CONTENT_TYPE, body);
  }

  private static byte[] release(String name, String status, String resourceVersion, byte[] data) {
    V1.Secret.Builder secret = ProtobufTest.helmRelease(name, "default", data);
    secret.getMetadataBuilder().setResourceVersion(resourceVersion).putLabels("status", status);
    return ProtobufTest.body("v1", "Secret", secret.build());
  }

  private static byte[] deleteOptions(Meta.DeleteOptions options) {
    return ProtobufTest.body("v1", "DeleteOptions", options);
  }

  /** A DELETE with these DeleteOptions in protobuf. */
  private static HttpResponse<String> delete(
      EmbeddedApiServer api, String path, Meta.DeleteOptions.Builder options) throws Exception {
    return protobuf(api, "DELETE", path, deleteOptions(options.build()));
  }

  /** A ConfigMap or a Pod with only a name (and namespace default). */
  private static byte[] named(String kind, String name) {
    Meta.ObjectMeta meta = ProtobufTest.meta(name, "default").build();
    com.google.protobuf.Message object =
        kind.equals("Pod")
            ? V1.Pod.newBuilder().setMetadata(meta).build()
            : V1.ConfigMap.newBuilder().setMetadata(meta).build();
    return ProtobufTest.body("v1", kind, object);
  }

  private static HttpResponse<String> deleteIf(
      EmbeddedApiServer api, String path, Meta.Preconditions.Builder preconditions)
      throws Exception {
    return delete(api, path, Meta.DeleteOptions.newBuilder().setPreconditions(preconditions));
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  @Test
  void aSecretCreatedInProtobufIsStoredWithItsLabelsAndDataAndAnsweredInJson() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      HttpResponse<String> created =
          protobuf(api, "POST", SECRETS, release("rel.v1", "deployed", "", new byte[] {0, 1}));

      assertThat(created.statusCode()).isEqualTo(201);
      assertThat(created.headers().firstValue("Content-Type")).hasValue("application/json");
      Secret stored = api.client().secrets().inNamespace("default").withName("rel.v1").get();
      assertThat(stored.getMetadata().getLabels())
          .containsEntry("owner", "helm")
          .containsEntry("status", "deployed");
      assertThat(stored.getData()).containsEntry("release", "AAE=");
      assertThat(stored.getType()).isEqualTo("helm.sh/release.v1");
      assertThat(stored.getImmutable()).isNull();
      assertThat(stored.getMetadata().getUid()).isNotEmpty();
    }
  }

  private static io.fabric8.kubernetes.client.dsl.Resource<Secret> release(
      KubernetesClient client) {
    return client.secrets().inNamespace("default").withName("rel.v1");
  }

  /** Helm's update of release rel.v1 to deployed, from this resourceVersion. */
  private static HttpResponse<String> putRelease(EmbeddedApiServer api, String resourceVersion)
      throws Exception {
    return protobuf(
        api,
        "PUT",
        SECRETS + "/rel.v1",
        release("rel.v1", "deployed", resourceVersion, new byte[] {2}));
  }

  @Test
  void aSecretPutInProtobufFromAStaleResourceVersionIsAConflictAndFromTheCurrentOneIsStored()
      throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      KubernetesClient client = api.client();
      assertThat(
              protobuf(api, "POST", SECRETS, release("rel.v1", "pending", "", new byte[] {1}))
                  .statusCode())
          .isEqualTo(201);
      String stale = release(client).get().getMetadata().getResourceVersion();
      release(client)
          .edit(
              s ->
                  new SecretBuilder(s)
                      .editMetadata()
                      .addToAnnotations("touched", "yes")
                      .endMetadata()
                      .build());
      String current = release(client).get().getMetadata().getResourceVersion();

      HttpResponse<String> conflict = putRelease(api, stale);
      HttpResponse<String> stored = putRelease(api, current);

      assertThat(conflict.statusCode()).isEqualTo(409);
      assertThat(conflict.body())
          .contains("\"reason\":\"Conflict\"")
          .contains("the object has been modified");
      assertThat(stored.statusCode()).isEqualTo(200);
      assertThat(stored.headers().firstValue("Content-Type")).hasValue("application/json");
      Secret now = release(client).get();
      assertThat(now.getData()).containsEntry("release", b64(new byte[] {2}));
      assertThat(now.getMetadata().getLabels()).containsEntry("status", "deployed");
      assertThat(now.getMetadata().getResourceVersion()).isNotEqualTo(current);
    }
  }

  @Test
  void aProtobufDeleteHonoursItsPreconditionsAndDryRunAndThenDeletes() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      protobuf(api, "POST", SECRETS, release("rel.v1", "deployed", "", new byte[] {1}));
      Secret secret = api.client().secrets().inNamespace("default").withName("rel.v1").get();
      String path = SECRETS + "/rel.v1";

      HttpResponse<String> staleUid =
          deleteIf(api, path, Meta.Preconditions.newBuilder().setUid("other-uid"));
      HttpResponse<String> staleVersion =
          deleteIf(api, path, Meta.Preconditions.newBuilder().setResourceVersion("1"));
      HttpResponse<String> dryRun =
          delete(api, path, Meta.DeleteOptions.newBuilder().addDryRun("All"));

      assertThat(staleUid.statusCode()).isEqualTo(409);
      assertThat(staleUid.body())
          .contains("\"reason\":\"Conflict\"")
          .contains(
              "Operation cannot be fulfilled on secrets \\\"rel.v1\\\": Precondition failed: UID"
                  + " in precondition: other-uid, UID in object meta: "
                  + secret.getMetadata().getUid());
      assertThat(staleVersion.statusCode()).isEqualTo(409);
      assertThat(staleVersion.body())
          .contains("Precondition failed: ResourceVersion in precondition: 1");
      assertThat(dryRun.statusCode()).isEqualTo(200);
      assertThat(api.client().secrets().inNamespace("default").withName("rel.v1").get())
          .as("still there after the refused and the dry-run deletes")
          .isNotNull();

      HttpResponse<String> deleted =
          delete(
              api,
              path,
              Meta.DeleteOptions.newBuilder()
                  .setPreconditions(
                      Meta.Preconditions.newBuilder()
                          .setUid(secret.getMetadata().getUid())
                          .setResourceVersion(secret.getMetadata().getResourceVersion()))
                  .setPropagationPolicy("Background"));
      assertThat(deleted.statusCode()).isEqualTo(200);
      assertThat(deleted.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(api.client().secrets().inNamespace("default").withName("rel.v1").get()).isNull();
    }
  }

  @Test
  void jsonDeleteOptionsAreHonouredTheSameWay() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      api.client()
          .configMaps()
          .inNamespace("default")
          .resource(new ConfigMapBuilder().withNewMetadata().withName("c").endMetadata().build())
          .create();
      String path = "/api/v1/namespaces/default/configmaps/c";
      byte[] stale =
          "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"preconditions\":{\"uid\":\"x\"}}"
              .getBytes(java.nio.charset.StandardCharsets.UTF_8);

      assertThat(send(api, "DELETE", path, "application/json", stale).statusCode()).isEqualTo(409);
      assertThat(send(api, "DELETE", path + "?dryRun=All", null, new byte[0]).statusCode())
          .isEqualTo(200);
      assertThat(api.client().configMaps().inNamespace("default").withName("c").get()).isNotNull();
      assertThat(send(api, "DELETE", path, null, new byte[0]).statusCode()).isEqualTo(200);
      assertThat(api.client().configMaps().inNamespace("default").withName("c").get()).isNull();
    }
  }

  @Test
  void aConfigMapAndANamespaceAreCreatedUpdatedAndDeletedInProtobuf() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      String configMaps = "/api/v1/namespaces/default/configmaps";
      V1.ConfigMap.Builder cm =
          V1.ConfigMap.newBuilder()
              .setMetadata(ProtobufTest.meta("settings", "default"))
              .putData("mode", "fast");
      assertThat(
              protobuf(api, "POST", configMaps, ProtobufTest.body("v1", "ConfigMap", cm.build()))
                  .statusCode())
          .isEqualTo(201);
      assertThat(
              protobuf(
                      api,
                      "PUT",
                      configMaps + "/settings",
                      ProtobufTest.body("v1", "ConfigMap", cm.putData("mode", "slow").build()))
                  .statusCode())
          .isEqualTo(200);
      assertThat(api.client().configMaps().inNamespace("default").withName("settings").get())
          .extracting(c -> c.getData())
          .isEqualTo(Map.of("mode", "slow"));

      V1.Namespace ns =
          V1.Namespace.newBuilder().setMetadata(ProtobufTest.meta("team-x", "")).build();
      assertThat(
              protobuf(api, "POST", "/api/v1/namespaces", ProtobufTest.body("v1", "Namespace", ns))
                  .statusCode())
          .isEqualTo(201);
      assertThat(
              protobuf(
                      api,
                      "DELETE",
                      "/api/v1/namespaces/team-x",
                      deleteOptions(Meta.DeleteOptions.getDefaultInstance()))
                  .statusCode())
          .isEqualTo(200);
      assertThat(protobuf(api, "DELETE", configMaps + "/settings", new byte[0]).statusCode())
          .as("a protobuf delete without a body")
          .isEqualTo(200);
      assertThat(api.client().namespaces().withName("team-x").get()).isNull();
      assertThat(api.client().configMaps().inNamespace("default").withName("settings").get())
          .isNull();
    }
  }

  @Test
  void aBodyOfAnotherKindThanTheUrlsOrAnotherNameIsABadRequest() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      protobuf(api, "POST", SECRETS, release("rel.v1", "deployed", "", new byte[] {1}));
      byte[] configMap = named("ConfigMap", "rel.v1");

      HttpResponse<String> otherKind = protobuf(api, "PUT", SECRETS + "/rel.v1", configMap);
      HttpResponse<String> otherName =
          protobuf(
              api, "PUT", SECRETS + "/rel.v1", release("rel.v2", "deployed", "", new byte[] {1}));
      HttpResponse<String> cut =
          protobuf(
              api,
              "PUT",
              SECRETS + "/rel.v1",
              java.util.Arrays.copyOf(release("rel.v1", "x", "", new byte[32]), 40));

      assertThat(otherKind.statusCode()).isEqualTo(400);
      assertThat(otherKind.body())
          .contains("\"reason\":\"BadRequest\"")
          .contains("the kind in the data (ConfigMap) does not match the expected kind (Secret)");
      assertThat(otherName.statusCode()).isEqualTo(400);
      assertThat(otherName.body())
          .contains("the name of the object (rel.v2) does not match the name on the URL (rel.v1)");
      assertThat(cut.statusCode()).isEqualTo(400);
    }
  }

  @Test
  void aPatchAnotherResourceOrAKindNotServedInProtobufIsAnUnsupportedMediaType() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      protobuf(api, "POST", SECRETS, release("rel.v1", "deployed", "", new byte[] {1}));
      byte[] pod = named("Pod", "p");

      HttpResponse<String> patch =
          protobuf(api, "PATCH", SECRETS + "/rel.v1", release("rel.v1", "x", "", new byte[0]));
      HttpResponse<String> otherResource =
          protobuf(api, "POST", "/api/v1/namespaces/default/pods", pod);
      HttpResponse<String> podAsSecret = protobuf(api, "POST", SECRETS, pod);

      for (HttpResponse<String> r : java.util.List.of(patch, otherResource, podAsSecret)) {
        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(r.body()).contains("\"reason\":\"UnsupportedMediaType\"");
      }
      assertThat(
              api.client()
                  .secrets()
                  .inNamespace("default")
                  .withName("rel.v1")
                  .get()
                  .getMetadata()
                  .getLabels())
          .containsEntry("status", "deployed");
    }
  }
}
