package dev.managedsecrets.operator.credentialsproxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.managedsecrets.core.crypto.PemTrust;
import dev.managedsecrets.operator.http.JdkHttpServers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loopback helper for botocore (the AWS CLI, boto3), which takes a container credentials URI
 * only on loopback or EKS's link-local addresses: it serves {@code GET /v1/credentials} on a
 * loopback address of the pod and forwards each request's Authorization header (the projected
 * ServiceAccount token botocore read from {@code AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}) to the
 * endpoint's {@code /v1/credentials} over TLS, relaying its status and body.
 *
 * <p>It holds no credentials and keeps nothing: each request is one request to the endpoint. It
 * logs no token and no answer. Bounded: the Authorization header to {@link #MAX_AUTHORIZATION}
 * characters, the endpoint's answer to {@link #MAX_ANSWER} bytes, each forward to {@link #TIMEOUT},
 * {@link #THREADS} requests at a time.
 */
public final class CredentialsProxy implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CredentialsProxy.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The path served here, and asked for at the endpoint. */
  public static final String PATH = "/v1/credentials";

  /** The longest Authorization header forwarded (the endpoint reviews no longer token). */
  static final int MAX_AUTHORIZATION = 16384;

  /** The largest answer relayed (credentials are well under 2 KiB). */
  static final int MAX_ANSWER = 64 * 1024;

  static final int MAX_USER_AGENT = 256;
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration TIMEOUT = Duration.ofSeconds(15);
  static final int THREADS = 4;

  private final HttpServer server;
  private final ExecutorService executor;
  private final HttpClient http;
  private final URI target;

  private CredentialsProxy(
      HttpServer server, ExecutorService executor, HttpClient http, URI target) {
    this.server = server;
    this.executor = executor;
    this.http = http;
    this.target = target;
  }

  /**
   * Listens on {@code listen} (a loopback address; port 0: any free port) and forwards to {@code
   * endpoint}'s {@value #PATH}, trusting {@code tls}'s certificates.
   *
   * @param endpoint the endpoint's base URL: https, or http on a loopback host only
   * @throws IllegalArgumentException for an address that is not loopback, or an endpoint that is
   *     neither https nor http on loopback
   * @throws UncheckedIOException when the address cannot be bound
   */
  public static CredentialsProxy start(InetSocketAddress listen, URI endpoint, SSLContext tls) {
    if (listen.getAddress() == null || !listen.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException(
          "--listen must be a loopback address (127.0.0.1 or ::1): botocore asks no other, and"
              + " nothing outside the pod may ask: "
              + listen);
    }
    URI target = target(endpoint);
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .sslContext(tls)
            .build();
    ExecutorService executor = JdkHttpServers.workers(THREADS, "credentials-proxy");
    try {
      HttpServer server = JdkHttpServers.http(listen, 16);
      CredentialsProxy proxy = new CredentialsProxy(server, executor, http, target);
      server.createContext("/", proxy::serve);
      server.setExecutor(executor);
      server.start();
      LOG.info(
          "Serving {} on http://{}:{}, forwarding to {}",
          PATH,
          listen.getAddress().getHostAddress(),
          server.getAddress().getPort(),
          target);
      return proxy;
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException("Could not listen on " + listen, e);
    }
  }

  /** The endpoint's {@value #PATH}, from its base URL. */
  static URI target(URI endpoint) {
    String scheme =
        endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
    String host = endpoint.getHost();
    boolean loopback =
        host != null
            && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"));
    if (host == null || !(scheme.equals("https") || (scheme.equals("http") && loopback))) {
      throw new IllegalArgumentException(
          "--endpoint must be the endpoint's https URL (http only on loopback): " + endpoint);
    }
    if (endpoint.getRawQuery() != null || endpoint.getRawFragment() != null) {
      throw new IllegalArgumentException("--endpoint takes no query or fragment: " + endpoint);
    }
    String base = endpoint.toString().replaceAll("/+$", "");
    return URI.create(base.endsWith(PATH) ? base : base + PATH);
  }

  /**
   * TLS that trusts the certificates of a PEM file (the endpoint's CA, as the chart publishes it);
   * the JDK's default trust when {@code caFile} is null.
   */
  public static SSLContext trusting(Path caFile) {
    try {
      return caFile == null ? SSLContext.getDefault() : PemTrust.context(caFile);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read --ca-file " + caFile, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "--ca-file " + caFile + " is not a PEM certificate: " + e.getMessage(), e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      if (!PATH.equals(path)) {
        answer(exchange, 404, error("NotFound", "Only " + PATH + " is served here."));
        return;
      }
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "GET");
        answer(exchange, 405, error("MethodNotAllowed", PATH + " answers GET only."));
        return;
      }
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      if (authorization != null && authorization.length() > MAX_AUTHORIZATION) {
        answer(
            exchange,
            400,
            error(
                "InvalidToken",
                "The Authorization header is longer than " + MAX_AUTHORIZATION + " characters."));
        return;
      }
      Relayed relayed = forward(authorization, exchange.getRequestHeaders().getFirst("User-Agent"));
      answer(exchange, relayed.status(), relayed.body());
    }
  }

  /** The endpoint's answer: its status and body (JSON), or a 502/504 of this proxy. */
  record Relayed(int status, byte[] body) {}

  private Relayed forward(String authorization, String userAgent) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(target).timeout(TIMEOUT).GET().header("Accept", "application/json");
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    request.header(
        "User-Agent",
        "managedsecret-credentials-proxy"
            + (userAgent == null || userAgent.isBlank()
                ? ""
                : " (" + clip(userAgent.replaceAll("[\\p{Cntrl}]", " ")) + ")"));
    try {
      HttpResponse<InputStream> answer =
          http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = answer.body()) {
        byte[] body = in.readNBytes(MAX_ANSWER + 1);
        if (body.length > MAX_ANSWER) {
          LOG.warn("The endpoint's answer is larger than {} bytes: not relayed", MAX_ANSWER);
          return new Relayed(
              502,
              error(
                  "BadGateway",
                  "The credentials endpoint answered more than " + MAX_ANSWER + " bytes."));
        }
        return new Relayed(answer.statusCode(), body);
      }
    } catch (HttpTimeoutException e) {
      LOG.warn("The credentials endpoint {} did not answer in time", target);
      return new Relayed(
          504, error("GatewayTimeout", "The credentials endpoint did not answer in time."));
    } catch (IOException e) {
      LOG.warn(
          "Could not reach the credentials endpoint {}: {}", target, e.getClass().getSimpleName());
      return new Relayed(
          502,
          error(
              "BadGateway",
              "The credentials endpoint could not be reached ("
                  + e.getClass().getSimpleName()
                  + ")."));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Relayed(502, error("BadGateway", "Interrupted."));
    }
  }

  private static String clip(String text) {
    return text.length() > MAX_USER_AGENT ? text.substring(0, MAX_USER_AGENT) : text;
  }

  private static byte[] error(String code, String message) {
    ObjectNode body = JSON.createObjectNode();
    body.put("Code", code);
    body.put("Message", message);
    return body.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void answer(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
