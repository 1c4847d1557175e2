package dev.managedsecrets.apiserver;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.vertx.ServerWebSocketHandler;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.InetAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

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
  static LoopbackHttp start(
      int port,
      Dispatcher dispatcher,
      LoopbackCertificate certificate,
      ClientCertificates clients) {
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
                // A client certificate is asked for, not required: tokens authenticate too.
                .setClientAuth(ClientAuth.REQUEST)
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(clients.caPem())))
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
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(event.headers());
    // Only this server says who a verified client certificate is; a client's header says nothing.
    headers.remove(RequestGuard.CLIENT_CERTIFICATE);
    String subject = certificateSubject(event.sslSession());
    if (subject != null) {
      headers.add(RequestGuard.CLIENT_CERTIFICATE, subject);
    }
    return new RecordedRequest(
        event.version().alpnName().toUpperCase(Locale.ROOT),
        HttpMethod.fromVertx(event.method()),
        event.uri(),
        Headers.builder().addAll(headers).build(),
        new io.fabric8.mockwebserver.http.Buffer(body == null ? null : body.getBytes()));
  }

  /**
   * The subject of the client certificate the TLS handshake verified against the client CA (RFC
   * 2253), or null when the client sent none.
   */
  private static String certificateSubject(SSLSession session) {
    if (session == null) {
      return null;
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate x509
          ? x509.getSubjectX500Principal().getName(X500Principal.RFC2253)
          : null;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
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
