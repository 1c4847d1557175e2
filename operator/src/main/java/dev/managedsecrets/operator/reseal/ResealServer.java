package dev.managedsecrets.operator.reseal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.managedsecrets.core.sealing.ResealAnswer;
import dev.managedsecrets.core.sealing.ResealRequest;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.operator.http.JdkHttpServers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The re-seal endpoint, {@code POST /v1/reseal} on the JDK's own HTTP server: the sealed values of
 * one manifest in, the same values sealed for the current sealing key out (JSON, {@link
 * ResealRequest}, {@link ResealAnswer}). The kubectl plugin reaches it through the API server's
 * service proxy, which authorizes the caller (create on services/proxy of the re-seal Service); the
 * operator itself only knows the caller as the proxy tells it (the connection's address and
 * X-Forwarded-For), and logs nothing else of a request than the ManagedSecret's namespace and name,
 * how many values, and the key id: no value and no key name.
 *
 * <p>Bounded before any work: the body to {@link ResealRequest#MAX_BODY_BYTES}, the values to what
 * a spec may hold (256 sealedData keys, or one whole value), two requests at a time.
 */
public final class ResealServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ResealServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int THREADS = 2;
  private static final int MAX_FORWARDED_FOR = 200;

  private final HttpServer server;
  private final ExecutorService executor;
  private final Function<ResealRequest, ResealAnswer> reseal;

  private ResealServer(
      HttpServer server, ExecutorService executor, Function<ResealRequest, ResealAnswer> reseal) {
    this.server = server;
    this.executor = executor;
    this.reseal = reseal;
  }

  /**
   * Listens on {@code address} (port 0: any free port) and answers with {@code reseal}.
   *
   * @throws UncheckedIOException when the address cannot be bound
   */
  public static ResealServer start(
      InetSocketAddress address, Function<ResealRequest, ResealAnswer> reseal) {
    ExecutorService executor = JdkHttpServers.workers(THREADS, "managedsecret-reseal");
    try {
      HttpServer http = JdkHttpServers.http(address, 16);
      ResealServer server = new ResealServer(http, executor, reseal);
      http.createContext("/", server::handle);
      http.setExecutor(executor);
      http.start();
      LOG.info("Serving the re-seal endpoint {} on port {}", ResealRequest.PATH, server.port());
      return server;
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException("Could not listen on " + address + " for re-sealing", e);
    }
  }

  /** Listens on every address on this port (the operator's {@code sealing.resealPort}). */
  public static ResealServer start(int port, Function<ResealRequest, ResealAnswer> reseal) {
    return start(new InetSocketAddress(port), reseal);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals(ResealRequest.PATH)) {
        send(
            exchange, 404, error("NotFound", "The re-seal endpoint is POST " + ResealRequest.PATH));
        return;
      }
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "POST");
        send(exchange, 405, error("MethodNotAllowed", "Re-seal with POST."));
        return;
      }
      String type = exchange.getRequestHeaders().getFirst("Content-Type");
      if (type == null
          || !type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT).equals("application/json")) {
        send(exchange, 415, error("UnsupportedMediaType", "The request body is JSON."));
        return;
      }
      byte[] body = declaredTooLong(exchange) ? null : readBounded(exchange.getRequestBody());
      if (body == null) {
        send(
            exchange,
            413,
            error(
                AwsError.LIMIT_EXCEEDED_EXCEPTION.exceptionName(),
                "The request is larger than "
                    + ResealRequest.MAX_BODY_BYTES
                    + " bytes: re-seal one ManagedSecret a request."));
        return;
      }
      answer(exchange, body);
    }
  }

  private void answer(HttpExchange exchange, byte[] body) throws IOException {
    String caller = caller(exchange);
    ResealRequest request;
    try {
      request = ResealRequest.parse(body);
    } catch (SecretsManagerException e) {
      LOG.info("Refused a re-seal request from {}: {}", caller, e.error().exceptionName());
      send(exchange, 400, error(e.error().exceptionName(), e.getMessage()));
      return;
    }
    try {
      ResealAnswer answer = reseal.apply(request);
      LOG.info(
          "Re-sealed {} sealed values of ManagedSecret {}/{} for sealing key {} (request from {})",
          count(answer),
          request.namespace(),
          request.name(),
          answer.keyId(),
          caller);
      send(exchange, 200, answer.toJson());
    } catch (SecretsManagerException e) {
      // Its message names the value by its place, never by its key's name, and holds no byte of it.
      boolean unavailable = !e.error().terminal();
      LOG.info(
          "Refused to re-seal the sealed values of ManagedSecret {}/{} (request from {}): {}",
          request.namespace(),
          request.name(),
          caller,
          e.error().exceptionName());
      send(exchange, unavailable ? 503 : 400, error(e.error().exceptionName(), e.getMessage()));
    } catch (RuntimeException e) {
      LOG.warn(
          "Could not re-seal the sealed values of ManagedSecret {}/{}: {}",
          request.namespace(),
          request.name(),
          e.getClass().getName());
      send(
          exchange,
          500,
          error(
              AwsError.INTERNAL_SERVICE_ERROR.exceptionName(),
              "The operator could not re-seal the values; see its log."));
    }
  }

  private static int count(ResealAnswer a) {
    return (a.sealedData() == null ? 0 : a.sealedData().size())
        + (a.sealedSecretString() == null ? 0 : 1)
        + (a.sealedSecretBinary() == null ? 0 : 1);
  }

  /** Whether the body's declared length is past the bound: refused before a byte is read. */
  private static boolean declaredTooLong(HttpExchange exchange) {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    try {
      return length != null && Long.parseLong(length.trim()) > ResealRequest.MAX_BODY_BYTES;
    } catch (NumberFormatException e) {
      return false; // the server itself refuses a malformed length
    }
  }

  /** The body, or null when it is longer than the bound (read no further than that). */
  private static byte[] readBounded(InputStream in) throws IOException {
    byte[] body = in.readNBytes(ResealRequest.MAX_BODY_BYTES + 1);
    return body.length > ResealRequest.MAX_BODY_BYTES ? null : body;
  }

  /** Who asked, as far as the operator can tell: the peer, and whom the proxy says it forwards. */
  private static String caller(HttpExchange exchange) {
    InetSocketAddress peer = exchange.getRemoteAddress();
    String from = peer == null ? "?" : peer.getAddress().getHostAddress();
    String forwarded = exchange.getRequestHeaders().getFirst("X-Forwarded-For");
    if (forwarded == null) {
      return from;
    }
    String clean = forwarded.replaceAll("[^0-9A-Fa-f.:, \\[\\]]", "?");
    if (clean.length() > MAX_FORWARDED_FOR) {
      clean = clean.substring(0, MAX_FORWARDED_FOR) + "...";
    }
    return from + ", forwarded for " + clean;
  }

  private static byte[] error(String name, String message) {
    ObjectNode out = JSON.createObjectNode();
    out.put("error", name);
    out.put("message", message);
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
