package dev.managedsecrets.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API server's proxy to Services: {@code
 * /api/v1/namespaces/<namespace>/services/[http:]<name>[:<port>]/proxy/<path>}. The Service is read
 * from the store (404 without it), its port chosen by name or number (or its only port), and the
 * request forwarded to the backend a test or the embedded command registered for that port, on the
 * loopback interface, as the API server forwards to one of the Service's endpoints: the method, the
 * path after {@code proxy}, the query, the body and its type; never the caller's Authorization (the
 * API server consumes the credentials); {@code X-Forwarded-For} names the caller. There are no pods
 * here, so no endpoints but the registered ones: a port without one is answered 503, as a Service
 * without ready endpoints is.
 */
final class ServiceProxy {

  static final Pattern PATH =
      Pattern.compile("^/api/v1/namespaces/([^/]+)/services/([^/]+)/proxy(/.*)?$");

  /** The methods the proxy forwards (an API server forwards these and HEAD, OPTIONS). */
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** A Service's port: what a backend is registered for. */
  record Port(String namespace, String service, int port) {}

  private final Map<Port, InetSocketAddress> backends = new ConcurrentHashMap<>();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  /** Forwards requests for this Service port to {@code backend} until the handle is closed. */
  AutoCloseable register(Port port, InetSocketAddress backend) {
    if (!backend.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException("a backend of the embedded API server is on loopback");
    }
    backends.put(port, backend);
    return () -> backends.remove(port, backend);
  }

  static boolean matches(String path) {
    return PATH.matcher(path).matches();
  }

  /**
   * Forwards {@code request}; {@code read} reads an object of the store by its path.
   *
   * @throws ApiException as the API server answers: 404 without the Service, 503 without a port or
   *     an endpoint, or when the backend cannot be reached
   */
  MockResponse forward(RecordedRequest request, Function<ApiPath, JsonNode> read) {
    String uri = request.getPath();
    Matcher m = PATH.matcher(ApiPath.pathOf(uri));
    if (!m.matches()) {
      throw ApiException.notFoundGeneric();
    }
    String namespace = m.group(1);
    String[] parts = m.group(2).split(":", -1);
    String scheme = parts.length == 3 ? parts[0] : "";
    String name = parts.length == 3 ? parts[1] : parts[0];
    String portName = parts.length == 3 ? parts[2] : parts.length == 2 ? parts[1] : "";
    if (parts.length > 3 || !(scheme.isEmpty() || scheme.equals("http"))) {
      throw ApiException.serviceUnavailable(
          "the embedded API server proxies to services over http only: " + m.group(2));
    }
    String method = request.getMethod();
    if (!METHODS.contains(method)) {
      throw ApiException.methodNotAllowed();
    }
    JsonNode service =
        read.apply(ApiPath.parse("/api/v1/namespaces/" + namespace + "/services/" + name));
    if (service == null) {
      throw ApiException.notFound("", "services", name);
    }
    int port = port(service, name, portName);
    InetSocketAddress backend = backends.get(new Port(namespace, name, port));
    if (backend == null) {
      throw ApiException.serviceUnavailable("no endpoints available for service \"" + name + "\"");
    }
    return send(request, method, backend, m.group(3), uri);
  }

  /** The Service port a request names: by name or number, or the only one when it names none. */
  private static int port(JsonNode service, String name, String wanted) {
    JsonNode ports = service.path("spec").path("ports");
    if (wanted.isEmpty() && ports.size() == 1) {
      return ports.get(0).path("port").asInt();
    }
    for (JsonNode p : ports) {
      if (!wanted.isEmpty()
          && (wanted.equals(p.path("name").asText(null))
              || wanted.equals(p.path("port").asText()))) {
        return p.path("port").asInt();
      }
    }
    throw ApiException.serviceUnavailable(
        "no service port \"" + wanted + "\" found for service \"" + name + "\"");
  }

  private MockResponse send(
      RecordedRequest request, String method, InetSocketAddress backend, String rest, String uri) {
    int q = uri.indexOf('?');
    String target =
        "http://"
            + backend.getAddress().getHostAddress()
            + ":"
            + backend.getPort()
            + (rest == null ? "/" : rest)
            + (q < 0 ? "" : uri.substring(q));
    Buffer body = request.getBody();
    byte[] bytes = body == null ? new byte[0] : body.getBytes();
    HttpRequest.Builder out =
        HttpRequest.newBuilder(URI.create(target))
            .timeout(TIMEOUT)
            .method(
                method,
                bytes.length == 0
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(bytes))
            // The server listens on loopback only: that is where every caller is.
            .header("X-Forwarded-For", "127.0.0.1");
    for (String header : new String[] {"Content-Type", "Accept"}) {
      String value = request.getHeader(header);
      if (value != null) {
        out.header(header, value);
      }
    }
    HttpResponse<byte[]> answer;
    try {
      answer = http.send(out.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw ApiException.serviceUnavailable(
          "error trying to reach service: "
              + Objects.toString(e.getMessage(), "connection failed"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.serviceUnavailable("error trying to reach service");
    }
    MockResponse response = new MockResponse().setResponseCode(answer.statusCode());
    answer
        .headers()
        .firstValue("Content-Type")
        .ifPresent(type -> response.setHeader("Content-Type", type));
    return response.setBody(answer.body());
  }
}
