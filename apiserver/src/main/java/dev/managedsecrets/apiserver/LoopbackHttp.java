package dev.managedsecrets.apiserver;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.vertx.ServerWebSocketHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.InetAddress;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HTTP/1.1 over TLS on 127.0.0.1 for a dispatcher, with Vert.x (the HTTP library of fabric8's mock
 * server, which this replaces), and a certificate of its own ({@link LoopbackCertificate}). The
 * mock answered every request on its one event-loop thread, so one slow request (an admission that
 * spins) held every other; here each request is answered on a worker thread, and the event loop
 * only moves bytes. A WebSocket upgrade (a fabric8 client's watch) is answered at once on the event
 * loop, as the mock does it.
 */
final class LoopbackHttp implements AutoCloseable {

  private final Vertx vertx;
  private final HttpServer server;

  private LoopbackHttp(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  /**
   * Listens on 127.0.0.1:{@code port} (0: any free port).
   *
   * @throws IllegalStateException when the port cannot be bound
   */
  static LoopbackHttp start(int port, Dispatcher dispatcher, LoopbackCertificate certificate) {
    Vertx vertx = Vertx.vertx();
    HttpServer server =
        vertx.createHttpServer(
            new HttpServerOptions()
                .setHost(InetAddress.getLoopbackAddress().getHostAddress())
                .setPort(port)
                .setSsl(true)
                .setKeyCertOptions(
                    new PemKeyCertOptions()
                        .setCertValue(Buffer.buffer(certificate.certificatePem()))
                        .setKeyValue(Buffer.buffer(certificate.privateKeyPem())))
                .setHandle100ContinueAutomatically(true));
    server.requestHandler(request -> handle(vertx, dispatcher, request));
    try {
      await(server.listen());
    } catch (RuntimeException e) {
      await(vertx.close());
      throw new IllegalStateException(
          "Could not listen on 127.0.0.1:" + port + ": " + EmbeddedApiServer.rootMessage(e), e);
    }
    return new LoopbackHttp(vertx, server);
  }

  int port() {
    return server.actualPort();
  }

  private static void handle(Vertx vertx, Dispatcher dispatcher, HttpServerRequest event) {
    if (isWebSocket(event.getHeader("Upgrade"))) {
      // Upgraded before the request is read, or Vert.x may find it read already.
      RecordedRequest request = recorded(event, null);
      MockResponse response = dispatcher.dispatch(request);
      if (response.getWebSocketListener() != null) {
        event
            .toWebSocket()
            .onSuccess(new ServerWebSocketHandler(request, response))
            .onFailure(e -> failed(event));
      } else {
        send(vertx, event, response);
      }
      return;
    }
    event
        .body()
        .onSuccess(
            body -> {
              RecordedRequest request = recorded(event, body);
              vertx
                  .executeBlocking(() -> dispatcher.dispatch(request), false)
                  .onSuccess(response -> send(vertx, event, response))
                  .onFailure(e -> failed(event));
            })
        .onFailure(e -> failed(event));
  }

  /** Whether an Upgrade header asks for a WebSocket (not, say, HTTP/2, which is not served). */
  static boolean isWebSocket(String upgrade) {
    return upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket");
  }

  private static RecordedRequest recorded(HttpServerRequest event, Buffer body) {
    return new RecordedRequest(
        event.version().alpnName().toUpperCase(Locale.ROOT),
        HttpMethod.fromVertx(event.method()),
        event.uri(),
        Headers.builder().addAll(event.headers()).build(),
        new io.fabric8.mockwebserver.http.Buffer(body == null ? null : body.getBytes()));
  }

  private static void send(Vertx vertx, HttpServerRequest event, MockResponse response) {
    HttpServerResponse out = event.response().setStatusCode(response.code());
    response.getHeaders().toMultimap().forEach((name, values) -> out.headers().add(name, values));
    io.fabric8.mockwebserver.http.Buffer body = response.getBody();
    if (body == null || body.size() == 0) {
      out.end();
      return;
    }
    Buffer bytes = Buffer.buffer(body.getBytes());
    if (response.getBodyDelay() == null) {
      out.end(bytes);
    } else {
      // a long poll: answered later, unless the client has gone
      vertx.setTimer(
          Math.max(1, response.getBodyDelay().toMillis()),
          id -> {
            if (!out.closed()) {
              out.end(bytes);
            }
          });
    }
  }

  private static void failed(HttpServerRequest event) {
    if (!event.response().headWritten() && !event.response().closed()) {
      event.response().setStatusCode(500).end();
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(e.getCause() == null ? e : e.getCause());
    }
  }

  @Override
  public void close() {
    try {
      await(server.close());
    } finally {
      await(vertx.close());
    }
  }
}
