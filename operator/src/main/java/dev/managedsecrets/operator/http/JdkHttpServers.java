package dev.managedsecrets.operator.http;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Makes the operator's servers on the JDK's HTTP server, each under the {@link HttpServerLimits}
 * and with its own fixed pool of daemon worker threads.
 */
public final class JdkHttpServers {

  private JdkHttpServers() {}

  /** A pool of {@code threads} daemon threads named {@code name}. */
  public static ExecutorService workers(int threads, String name) {
    return Executors.newFixedThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /** A plain HTTP server bound to {@code address}, not started. */
  public static HttpServer http(InetSocketAddress address, int backlog) throws IOException {
    HttpServerLimits.apply();
    return HttpServer.create(address, backlog);
  }

  /** An HTTPS server bound to {@code address}, not started. */
  public static HttpsServer https(
      InetSocketAddress address, int backlog, HttpsConfigurator configurator) throws IOException {
    HttpServerLimits.apply();
    HttpsServer server = HttpsServer.create(address, backlog);
    server.setHttpsConfigurator(configurator);
    return server;
  }
}
