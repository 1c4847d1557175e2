package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The proxy to Services: the Service is read from the store, its port found by name or number, and
 * the request forwarded to the backend registered for that port, without the caller's credentials;
 * answered as the API server answers when there is no Service, no such port or no endpoint.
 */
class ServiceProxyTest {

  private static EmbeddedApiServer api;
  private static HttpServer backend;
  private static final List<Map<String, String>> seen = new ArrayList<>();
  private static HttpClient http;

  @BeforeAll
  static void start() throws IOException {
    api = EmbeddedApiServer.start(0);
    api.client()
        .services()
        .inNamespace("managedsecret-system")
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("echo")
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName("web")
                .withPort(8082)
                .endPort()
                .addNewPort()
                .withName("other")
                .withPort(9000)
                .endPort()
                .endSpec()
                .build())
        .create();
    backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
    backend.createContext(
        "/",
        exchange -> {
          try (exchange) {
            String body =
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (seen) {
              seen.add(
                  Map.of(
                      "method", exchange.getRequestMethod(),
                      "uri", exchange.getRequestURI().toString(),
                      "authorization",
                          String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")),
                      "forwardedFor",
                          String.valueOf(exchange.getRequestHeaders().getFirst("X-Forwarded-For")),
                      "contentType",
                          String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")),
                      "body", body));
            }
            byte[] answer = "{\"echo\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(201, answer.length);
            exchange.getResponseBody().write(answer);
          }
        });
    backend.start();
    http =
        HttpClient.newBuilder()
            .sslContext(api.trust())
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  @AfterAll
  static void stop() {
    backend.stop(0);
    api.close();
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(api.url() + path))
            .header("Authorization", "Bearer " + api.token())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRequestIsForwardedToTheBackendOfTheNamedPortWithoutTheCallersToken() throws Exception {
    InetSocketAddress address =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), backend.getAddress().getPort());
    try (AutoCloseable registered =
        api.proxyService("managedsecret-system", "echo", 8082, address)) {
      for (String name : List.of("echo:web", "echo:8082")) {
        HttpResponse<String> r =
            post(
                "/api/v1/namespaces/managedsecret-system/services/" + name + "/proxy/v1/reseal?x=1",
                "{\"a\":1}");
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.body()).isEqualTo("{\"echo\":true}");
        Map<String, String> request;
        synchronized (seen) {
          request = seen.get(seen.size() - 1);
        }
        assertThat(request)
            .containsEntry("method", "POST")
            .containsEntry("uri", "/v1/reseal?x=1")
            .containsEntry("authorization", "null")
            .containsEntry("forwardedFor", "127.0.0.1")
            .containsEntry("contentType", "application/json")
            .containsEntry("body", "{\"a\":1}");
      }
    }
  }

  @Test
  void withoutTheServiceItsPortOrAnEndpointTheProxyAnswersAsTheApiServerDoes() throws Exception {
    HttpResponse<String> none =
        post("/api/v1/namespaces/managedsecret-system/services/nothing:web/proxy/", "{}");
    assertThat(none.statusCode()).isEqualTo(404);
    assertThat(none.body()).contains("services \\\"nothing\\\" not found");

    HttpResponse<String> noPort =
        post("/api/v1/namespaces/managedsecret-system/services/echo:nope/proxy/", "{}");
    assertThat(noPort.statusCode()).isEqualTo(503);
    assertThat(noPort.body())
        .contains("no service port \\\"nope\\\" found for service \\\"echo\\\"");

    HttpResponse<String> noEndpoint =
        post("/api/v1/namespaces/managedsecret-system/services/echo:other/proxy/", "{}");
    assertThat(noEndpoint.statusCode()).isEqualTo(503);
    assertThat(noEndpoint.body()).contains("no endpoints available for service \\\"echo\\\"");
  }

  @Test
  void theProxyAnswersOnlyCallersWithTheServersToken() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        api.url()
                            + "/api/v1/namespaces/managedsecret-system/services/echo:web/proxy/"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
  }

  @Test
  void aServiceAccountReachesTheProxyOnlyForTheServicePortsItsRoleNames() throws Exception {
    String ns = "managedsecret-system";
    api.client()
        .serviceAccounts()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
                .withNewMetadata()
                .withName("sealer")
                .endMetadata()
                .build())
        .create();
    api.client()
        .rbac()
        .roles()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.rbac.RoleBuilder()
                .withNewMetadata()
                .withName("echo-proxy")
                .endMetadata()
                .addNewRule()
                .withApiGroups("")
                .withResources("services/proxy")
                .withResourceNames("echo:web")
                .withVerbs("create")
                .endRule()
                .build())
        .create();
    api.client()
        .rbac()
        .roleBindings()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder()
                .withNewMetadata()
                .withName("echo-proxy")
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", "echo-proxy")
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName("sealer")
                .withNamespace(ns)
                .endSubject()
                .build())
        .create();
    String token =
        api.client()
            .serviceAccounts()
            .inNamespace(ns)
            .withName("sealer")
            .tokenRequest(
                new io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(600L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    InetSocketAddress address =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), backend.getAddress().getPort());
    try (AutoCloseable registered = api.proxyService(ns, "echo", 8082, address);
        AutoCloseable other = api.proxyService(ns, "echo", 9000, address)) {
      HttpResponse<String> allowed =
          postAs(token, "/api/v1/namespaces/" + ns + "/services/echo:web/proxy/v1/reseal", "{}");
      assertThat(allowed.statusCode()).isEqualTo(201);

      HttpResponse<String> otherPort =
          postAs(token, "/api/v1/namespaces/" + ns + "/services/echo:other/proxy/v1/reseal", "{}");
      assertThat(otherPort.statusCode()).isEqualTo(403);
      assertThat(otherPort.body()).contains("cannot create resource \\\"services/proxy\\\"");
    }
  }

  private static HttpResponse<String> postAs(String token, String path, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(api.url() + path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
