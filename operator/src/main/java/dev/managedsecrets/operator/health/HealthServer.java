package dev.managedsecrets.operator.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.http.JdkHttpServers;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's HTTP endpoints, on the JDK's own HTTP server: {@code /healthz} (the process serves
 * and the operator was not stopped), {@code /readyz} (the operator started and every informer is
 * synced and watching) and {@code /metrics} (Prometheus text format). Health and metrics listen on
 * their own ports, or share one server when the ports are equal. It starts before the operator, so
 * that liveness answers while the informers sync.
 */
public final class HealthServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);
  private static final String TEXT = "text/plain; charset=utf-8";
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer health;
  private final HttpServer metrics;
  private final ExecutorService executor;
  private volatile OperatorRuntime runtime;

  private HealthServer(HttpServer health, HttpServer metrics, ExecutorService executor) {
    this.health = health;
    this.metrics = metrics;
    this.executor = executor;
  }

  /**
   * Listens on all addresses on these ports (0: any free port); {@code scrape} renders the metrics.
   */
  public static HealthServer start(int healthPort, int metricsPort, Supplier<String> scrape) {
    ExecutorService executor = JdkHttpServers.workers(2, "managedsecret-http");
    try {
      HttpServer health = JdkHttpServers.http(new InetSocketAddress(healthPort), 16);
      HttpServer metrics =
          healthPort != 0 && healthPort == metricsPort
              ? health
              : JdkHttpServers.http(new InetSocketAddress(metricsPort), 16);
      HealthServer server = new HealthServer(health, metrics, executor);
      health.createContext("/healthz", get(server::live));
      health.createContext("/readyz", get(server::ready));
      metrics.createContext("/metrics", get(() -> new Answer(200, PROMETHEUS_TEXT, scrape.get())));
      for (HttpServer s : server.servers()) {
        s.setExecutor(executor);
        s.start();
      }
      LOG.info(
          "Serving /healthz and /readyz on port {}, /metrics on port {}",
          server.healthPort(),
          server.metricsPort());
      return server;
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException(
          "Could not listen on port " + healthPort + " or " + metricsPort, e);
    }
  }

  /** From now on the probes report this operator. */
  public void watch(OperatorRuntime runtime) {
    this.runtime = runtime;
  }

  public int healthPort() {
    return health.getAddress().getPort();
  }

  public int metricsPort() {
    return metrics.getAddress().getPort();
  }

  private Answer live() {
    OperatorRuntime r = runtime;
    if (r != null && !r.isStarted()) {
      return new Answer(503, TEXT, "stopped\n");
    }
    return new Answer(200, TEXT, "ok\n");
  }

  private Answer ready() {
    OperatorRuntime r = runtime;
    if (r == null || !r.isStarted()) {
      return new Answer(503, TEXT, "starting\n");
    }
    String unhealthy = r.unhealthyEventSources();
    if (!unhealthy.isEmpty()) {
      return new Answer(503, TEXT, "informers not watching: " + unhealthy + "\n");
    }
    return new Answer(200, TEXT, "ok\n");
  }

  private record Answer(int status, String contentType, String body) {}

  private static HttpHandler get(Supplier<Answer> answer) {
    return exchange -> {
      try (exchange) {
        if (!exchange.getRequestURI().getPath().equals(exchange.getHttpContext().getPath())) {
          exchange.sendResponseHeaders(404, -1);
          return;
        }
        if (!"GET".equals(exchange.getRequestMethod())
            && !"HEAD".equals(exchange.getRequestMethod())) {
          exchange.getResponseHeaders().set("Allow", "GET, HEAD");
          exchange.sendResponseHeaders(405, -1);
          return;
        }
        Answer a;
        try {
          a = answer.get();
        } catch (RuntimeException e) {
          LOG.warn("Could not answer {}: {}", exchange.getRequestURI().getPath(), e.toString());
          a = new Answer(500, TEXT, "error\n");
        }
        send(exchange, a);
      }
    };
  }

  private static void send(HttpExchange exchange, Answer a) throws IOException {
    byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", a.contentType());
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(a.status(), head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private HttpServer[] servers() {
    return health == metrics ? new HttpServer[] {health} : new HttpServer[] {health, metrics};
  }

  @Override
  public void close() {
    for (HttpServer s : servers()) {
      s.stop(0);
    }
    executor.shutdownNow();
  }
}
