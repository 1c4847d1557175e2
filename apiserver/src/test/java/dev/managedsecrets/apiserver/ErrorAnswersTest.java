package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The errors the embedded API server answers over HTTP, each a Status with the code, reason and
 * details a real API server gives (what client-go, kubectl, Helm and fabric8 tell them apart by);
 * never one of the fabric8 mock's own (reason Invalid whatever the code).
 */
class ErrorAnswersTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";

  private record Answer(int code, JsonNode body) {
    String reason() {
      return body.path("reason").asText();
    }

    JsonNode details() {
      return body.path("details");
    }
  }

  private static Answer send(
      EmbeddedApiServer api, String method, String path, String contentType, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(api.url() + path))
            .header("Authorization", "Bearer " + api.token())
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    HttpResponse<String> response =
        HttpClient.newBuilder()
            .sslContext(api.trust())
            .build()
            .send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode parsed = JSON.readTree(response.body().lines().findFirst().orElse("{}"));
    return new Answer(response.statusCode(), parsed);
  }

  private static Answer send(EmbeddedApiServer api, String method, String path) throws Exception {
    return send(api, method, path, null, null);
  }

  private static void assertStatus(Answer a, int code, String reason) {
    assertThat(a.code()).as("HTTP code of %s", a.body()).isEqualTo(code);
    assertThat(a.body().path("kind").asText()).isEqualTo("Status");
    assertThat(a.body().path("code").asInt()).isEqualTo(code);
    assertThat(a.reason()).isEqualTo(reason);
  }

  private static ConfigMap configMap(String name) {
    return StatusReasonsTest.configMap(name);
  }

  /** POSTs a JSON body (single quotes for double) and checks the Status answered. */
  private static Answer post(EmbeddedApiServer api, String path, String body) throws Exception {
    return send(api, "POST", path, "application/json", json(body));
  }

  /** The answer is a Status with this code, reason, message and details (single-quoted JSON). */
  private static void assertAnswer(
      Answer a, int code, String reason, String message, String details) throws Exception {
    assertStatus(a, code, reason);
    assertThat(a.body().path("message").asText()).isEqualTo(message);
    assertThat(a.details()).isEqualTo(JSON.readTree(json(details)));
  }

  private static String json(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  @Test
  void aSecondCreateOfTheSameNameIsAlreadyExistsWithNameAndPluralKind() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      String body = "{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'twice'}}";
      assertThat(post(api, CONFIGMAPS, body).code()).isEqualTo(201);
      assertAnswer(
          post(api, CONFIGMAPS, body),
          409,
          "AlreadyExists",
          "configmaps \"twice\" already exists",
          "{'name':'twice','kind':'configmaps'}");
    }
  }

  @Test
  void aCreateInANamespaceThatDoesNotExistIsNotFoundNamingTheNamespace() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      assertAnswer(
          post(
              api,
              "/api/v1/namespaces/nowhere/configmaps",
              "{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c'}}"),
          404,
          "NotFound",
          "namespaces \"nowhere\" not found",
          "{'name':'nowhere','kind':'namespaces'}");
    }
  }

  @Test
  void aCreateWithoutNameOrGenerateNameIsInvalidWithAFieldValueRequiredCause() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      assertAnswer(
          post(api, CONFIGMAPS, "{'apiVersion':'v1','kind':'ConfigMap','metadata':{}}"),
          422,
          "Invalid",
          "ConfigMap \"\" is invalid: metadata.name: Required value: name or generateName is"
              + " required",
          "{'kind':'ConfigMap','causes':[{'reason':'FieldValueRequired','message':'Required"
              + " value: name or generateName is required','field':'metadata.name'}]}");
    }
  }

  @Test
  void aCreateWhoseBodyLeavesOutKindAndApiVersionTakesThemFromTheUrl() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      Answer a = post(api, CONFIGMAPS, "{'metadata':{'name':'bare'}}");
      assertThat(a.code()).as("%s", a.body()).isEqualTo(201);
      assertThat(a.body().path("kind").asText()).isEqualTo("ConfigMap");
      assertThat(a.body().path("apiVersion").asText()).isEqualTo("v1");
    }
  }

  @Test
  void aCreateUpdateOrApplyOfAnObjectNamingAnotherNamespaceThanTheUrlIsABadRequest()
      throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      String message =
          "the namespace of the provided object does not match the namespace sent on the request";
      String elsewhere =
          "{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c','namespace':'kube-system'}}";
      assertBadRequest(post(api, CONFIGMAPS, elsewhere), message);
      assertThat(api.client().configMaps().inNamespace("kube-system").withName("c").get()).isNull();

      // Without a namespace in the body, the URL's is taken: an update stores it too.
      assertThat(post(api, CONFIGMAPS, "{'metadata':{'name':'c'}}").code()).isEqualTo(201);
      Answer put =
          send(
              api, "PUT", CONFIGMAPS + "/c", "application/json", json("{'metadata':{'name':'c'}}"));
      assertThat(put.code()).as("%s", put.body()).isEqualTo(200);
      assertThat(put.body().at("/metadata/namespace").asText()).isEqualTo("default");
      assertBadRequest(
          send(api, "PUT", CONFIGMAPS + "/c", "application/json", json(elsewhere)), message);
      assertBadRequest(
          send(
              api,
              "PATCH",
              CONFIGMAPS + "/c?fieldManager=test",
              "application/apply-patch+yaml",
              json(elsewhere)),
          message);
    }
  }

  /** A 400 BadRequest with this message and no details, as the API server's NewBadRequest. */
  private static void assertBadRequest(Answer a, String message) {
    assertStatus(a, 400, "BadRequest");
    assertThat(a.body().path("message").asText()).isEqualTo(message);
    assertThat(a.body().has("details")).isFalse();
  }

  @Test
  void anUpdatePatchOrApplyFromAnOlderResourceVersionIsConflict() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      KubernetesClient client = api.client();
      ConfigMap first = client.resource(configMap("raced")).create();
      client.resource(new ConfigMapBuilder(first).addToData("k", "w").build()).update();
      String stale = first.getMetadata().getResourceVersion();
      String object =
          json(
              "{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'raced',"
                  + "'resourceVersion':'"
                  + stale
                  + "'},'data':{'k':'x'}}");

      Answer put = send(api, "PUT", CONFIGMAPS + "/raced", "application/json", object);
      Answer patch =
          send(api, "PATCH", CONFIGMAPS + "/raced", "application/merge-patch+json", object);
      Answer apply =
          send(
              api,
              "PATCH",
              CONFIGMAPS + "/raced?fieldManager=test&force=true",
              "application/apply-patch+yaml",
              object);
      for (Answer a : new Answer[] {put, patch, apply}) {
        assertStatus(a, 409, "Conflict");
        assertThat(a.body().path("message").asText())
            .startsWith("Operation cannot be fulfilled on configmaps \"raced\": the object has");
        assertThat(a.details())
            .isEqualTo(JSON.readTree(json("{'name':'raced','kind':'configmaps'}")));
      }
    }
  }

  @Test
  void aGetOrDeleteOfAMissingObjectIsNotFoundNamingIt() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      for (String method : new String[] {"GET", "DELETE"}) {
        Answer a = send(api, method, "/apis/apps/v1/namespaces/default/deployments/missing");
        assertAnswer(
            a,
            404,
            "NotFound",
            "deployments.apps \"missing\" not found",
            "{'name':'missing','group':'apps','kind':'deployments'}");
      }
      Status viaFabric8 =
          catchThrowableOfType(
                  KubernetesClientException.class,
                  () -> api.client().configMaps().withName("missing").edit(c -> c))
              .getStatus();
      assertThat(viaFabric8.getReason()).isEqualTo("NotFound");
    }
  }

  @Test
  void anUnknownResourceIsTheGenericNotFoundAndAWrongMethodIsMethodNotAllowed() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      assertAnswer(
          send(api, "GET", "/apis/example.com/v1/namespaces/default/widgets"),
          404,
          "NotFound",
          "the server could not find the requested resource",
          "{}");
      assertAnswer(
          post(
              api,
              CONFIGMAPS + "/named",
              "{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'named'}}"),
          405,
          "MethodNotAllowed",
          "the server does not allow this method on the requested resource",
          "{}");
    }
  }

  @Test
  void anApplyWithoutFieldManagerIsInvalidPatchOptions() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      Answer a =
          send(
              api,
              "PATCH",
              CONFIGMAPS + "/applied",
              "application/apply-patch+yaml",
              json("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'applied'}}"));
      assertAnswer(
          a,
          422,
          "Invalid",
          "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required"
              + " for apply patch",
          "{'group':'meta.k8s.io','kind':'PatchOptions','causes':[{'reason':"
              + "'FieldValueRequired','message':'Required value: is required for"
              + " apply patch','field':'fieldManager'}]}");
    }
  }

  @Test
  void anInjectedFaultIsAnsweredWithTheReasonOfItsCode() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0);
        KubernetesClient client =
            new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(api.config()).withRequestRetryBackoffLimit(0).build())
                .build()) {
      int[] codes = {409, 500, 503, 504, 404, 429};
      String[] reasons = {
        "Conflict", "InternalError", "ServiceUnavailable", "Timeout", "NotFound", "TooManyRequests"
      };
      for (int i = 0; i < codes.length; i++) {
        try (AutoCloseable fault = api.fail("GET", CONFIGMAPS, codes[i])) {
          KubernetesClientException e =
              catchThrowableOfType(
                  KubernetesClientException.class,
                  () -> client.configMaps().inNamespace("default").list());
          if (codes[i] == 404) {
            // fabric8 answers a list's 404 itself; the raw answer shows the Status
            Answer a = send(api, "GET", CONFIGMAPS);
            assertStatus(a, 404, "NotFound");
            continue;
          }
          assertThat(e).as("code %d refused", codes[i]).isNotNull();
          assertThat(e.getCode()).isEqualTo(codes[i]);
          assertThat(e.getStatus().getReason()).isEqualTo(reasons[i]);
        }
      }
    }
  }

  /** A server that keeps the latest two changes for watches. */
  private static EmbeddedApiServer shortHistory() {
    return EmbeddedApiServer.start(EmbeddedApiServer.options().watchHistory(2));
  }

  /** Five creates on a server that keeps two changes: answers the first one's resourceVersion. */
  private static String pastHistory(KubernetesClient client) {
    String old = client.resource(configMap("w0")).create().getMetadata().getResourceVersion();
    for (int i = 1; i <= 4; i++) {
      client.resource(configMap("w" + i)).create();
    }
    return old;
  }

  @Test
  void aWatchOverHttpFromAResourceVersionNoLongerKeptGetsAnExpiredErrorEvent() throws Exception {
    try (EmbeddedApiServer api = shortHistory()) {
      String old = pastHistory(api.client());
      Answer a = send(api, "GET", CONFIGMAPS + "?watch=true&resourceVersion=" + old);
      assertThat(a.code()).isEqualTo(200);
      assertThat(a.body().path("type").asText()).isEqualTo("ERROR");
      JsonNode status = a.body().path("object");
      assertThat(status.path("kind").asText()).isEqualTo("Status");
      assertThat(status.path("code").asInt()).isEqualTo(410);
      assertThat(status.path("reason").asText()).isEqualTo("Expired");
      assertThat(status.path("message").asText())
          .matches("too old resource version: " + old + " \\(\\d+\\)");
    }
  }

  @Test
  void aWebSocketWatchFromAResourceVersionNoLongerKeptClosesAsGone() throws Exception {
    try (EmbeddedApiServer api = shortHistory()) {
      String old = pastHistory(api.client());
      CompletableFuture<WatcherException> closed = new CompletableFuture<>();
      try (Watch watch =
          api.client()
              .configMaps()
              .inNamespace("default")
              .withResourceVersion(old)
              .watch(
                  new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, ConfigMap resource) {}

                    @Override
                    public void onClose(WatcherException cause) {
                      closed.complete(cause);
                    }
                  })) {
        WatcherException cause = closed.get(10, TimeUnit.SECONDS);
        assertThat(cause.isHttpGone()).as("%s", cause.getMessage()).isTrue();
        assertThat(cause.getMessage()).startsWith("too old resource version: " + old);
      }
    }
  }

  @Test
  void aListOfExactlyAnOlderResourceVersionOrWithAContinueTokenIsExpired() throws Exception {
    try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
      KubernetesClient client = api.client();
      String old = client.resource(configMap("l0")).create().getMetadata().getResourceVersion();
      client.resource(configMap("l1")).create();
      String current =
          client.configMaps().inNamespace("default").list().getMetadata().getResourceVersion();

      Answer exact =
          send(api, "GET", CONFIGMAPS + "?resourceVersionMatch=Exact&resourceVersion=" + old);
      assertStatus(exact, 410, "Expired");
      assertThat(exact.body().path("message").asText())
          .isEqualTo("The resourceVersion for the provided list is too old.");
      assertThat(
              send(
                      api,
                      "GET",
                      CONFIGMAPS + "?resourceVersionMatch=Exact&resourceVersion=" + current)
                  .code())
          .isEqualTo(200);

      Answer continued = send(api, "GET", CONFIGMAPS + "?limit=1&continue=abc");
      assertStatus(continued, 410, "Expired");
    }
  }
}
