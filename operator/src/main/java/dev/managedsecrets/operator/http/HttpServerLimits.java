package dev.managedsecrets.operator.http;

import java.time.Duration;

/**
 * Time limits and TCP_NODELAY for the JDK's HTTP server, which every server of the operator runs on
 * (health and metrics, the re-seal endpoint, the Secrets Manager endpoint). Without them the JDK's
 * server waits for ever for a request's headers and body, so a few clients that open connections
 * and send slowly, or nothing, hold every worker thread and stall the server.
 *
 * <p>The JDK's server also sends an answer's headers and body in two writes; without TCP_NODELAY
 * the body waits for the client's delayed ACK of the headers (40 ms on Linux) on every call.
 *
 * <p>The JDK reads these settings once, from system properties, when its first server starts:
 * {@link #apply()} runs before each of the operator's servers is made. A limit given on the command
 * line ({@code -Dsun.net.httpserver.maxReqTime=...}, e.g. through the chart's {@code jvmOptions})
 * is kept.
 */
public final class HttpServerLimits {

  /** The longest a client may take to send a whole request, headers and body. */
  public static final Duration REQUEST = Duration.ofSeconds(30);

  /** The longest a client may take to receive a whole answer. */
  public static final Duration RESPONSE = Duration.ofSeconds(30);

  static final String MAX_REQUEST_TIME = "sun.net.httpserver.maxReqTime";
  static final String MAX_RESPONSE_TIME = "sun.net.httpserver.maxRspTime";
  static final String NODELAY = "sun.net.httpserver.nodelay";

  private HttpServerLimits() {}

  /** Sets the settings that are not set already; call before making a server. */
  public static synchronized void apply() {
    setIfAbsent(MAX_REQUEST_TIME, REQUEST);
    setIfAbsent(MAX_RESPONSE_TIME, RESPONSE);
    if (System.getProperty(NODELAY) == null) {
      System.setProperty(NODELAY, "true");
    }
  }

  private static void setIfAbsent(String property, Duration limit) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, Long.toString(limit.toSeconds()));
    }
  }
}
