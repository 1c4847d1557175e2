package dev.managedsecrets.operator.endpoint;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import dev.managedsecrets.operator.http.JdkHttpServers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * The endpoint's HTTP(S) server, on the JDK's own server: it bounds each request's body before it
 * reads it and hands the request to its {@link Handler}, the {@link Dispatcher}.
 */
final class HttpFront implements AutoCloseable {

  /**
   * The largest request body read: the largest valid request (a 65536-byte SecretString, JSON
   * escaping each character as six, and the other members) fits; anything larger is refused unread
   * with HTTP 413.
   */
  static final int MAX_BODY_BYTES = 512 * 1024;

  /**
   * How much of a refused body is read and dropped after the 413 is sent, so that the client, which
   * is usually still sending it, gets the answer rather than a reset connection (a lingering
   * close). A body declared larger than this is not drained: the connection is closed at once.
   */
  static final long DRAIN_BYTES = 2L * MAX_BODY_BYTES;

  static final String CONTENT_TYPE = "application/x-amz-json-1.1";

  /** What answers the calls: the {@link Dispatcher} (the benchmarks' floor answers a constant). */
  interface Handler {

    /** The answer to a call whose body was read. */
    Dispatcher.Answer handle(HttpCall call);

    /** The answer to a call refused before its body was read. */
    Dispatcher.Answer refuse(HttpCall call, AwsException error);
  }

  /** Calls served at once; more wait in the listen queue. */
  static final int THREADS = 32;

  private final HttpServer server;
  private final ExecutorService executor;
  private final String scheme;

  private HttpFront(HttpServer server, ExecutorService executor, String scheme) {
    this.server = server;
    this.executor = executor;
    this.scheme = scheme;
  }

  /** Listens on {@code address}:{@code port}; HTTPS with {@code tls}, plain HTTP when null. */
  static HttpFront start(String address, int port, SSLContext tls, Handler dispatcher) {
    ExecutorService executor = JdkHttpServers.workers(THREADS, "secretsmanager-endpoint");
    try {
      InetSocketAddress at = new InetSocketAddress(address, port);
      HttpServer server =
          tls == null
              ? JdkHttpServers.http(at, 128)
              : JdkHttpServers.https(at, 128, new HttpsConfigurator(tls));
      HttpFront front = new HttpFront(server, executor, tls == null ? "http" : "https");
      server.createContext("/", exchange -> front.serve(exchange, dispatcher));
      server.setExecutor(executor);
      server.start();
      return front;
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException(
          "Could not listen on " + address + ":" + port + " for the Secrets Manager endpoint", e);
    }
  }

  int port() {
    return server.getAddress().getPort();
  }

  String scheme() {
    return scheme;
  }

  private void serve(HttpExchange exchange, Handler dispatcher) throws IOException {
    try (exchange) {
      byte[] body = body(exchange);
      Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      headers.putAll(exchange.getRequestHeaders());
      HttpCall call =
          new HttpCall(
              exchange.getRequestMethod(),
              scheme,
              exchange.getRequestURI().getRawPath(),
              exchange.getRequestURI().getRawQuery(),
              headers,
              body == null ? new byte[0] : body,
              exchange.getRemoteAddress().getAddress().getHostAddress());
      Dispatcher.Answer answer =
          body == null
              ? dispatcher.refuse(
                  call,
                  new AwsException(
                      "RequestEntityTooLargeException",
                      413,
                      "The request body is larger than " + MAX_BODY_BYTES + " bytes."))
              : dispatcher.handle(call);
      exchange.getResponseHeaders().set("Content-Type", answer.contentType());
      exchange.getResponseHeaders().set("x-amzn-RequestId", answer.requestId());
      if (answer.errorType() != null) {
        exchange.getResponseHeaders().set("x-amzn-ErrorType", answer.errorType());
      }
      exchange.sendResponseHeaders(answer.status(), answer.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer.body());
        out.flush();
        if (body == null) {
          // Before the answer is closed: the server keeps a connection whose request was read.
          drain(exchange);
        }
      }
    }
  }

  /**
   * Reads and drops what is left of a refused body, up to {@link #DRAIN_BYTES}, nothing kept:
   * closing with unread bytes would reset the connection and could lose the 413 on its way.
   */
  private static void drain(HttpExchange exchange) {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    try {
      if (length != null && Long.parseLong(length.strip()) > DRAIN_BYTES) {
        return;
      }
    } catch (NumberFormatException e) {
      return;
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] sink = new byte[16 * 1024];
      long left = DRAIN_BYTES;
      int n;
      while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) {
        left -= n;
      }
    } catch (IOException e) {
      // The client has gone: nothing more to do for it.
    }
  }

  /** The body, or null when it is larger than {@link #MAX_BODY_BYTES} (never read past it). */
  private static byte[] body(HttpExchange exchange) throws IOException {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.strip()) > MAX_BODY_BYTES) {
          return null;
        }
      } catch (NumberFormatException e) {
        return null;
      }
    }
    byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
    return body.length > MAX_BODY_BYTES ? null : body;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
