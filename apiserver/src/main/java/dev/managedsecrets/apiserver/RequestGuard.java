package dev.managedsecrets.apiserver;

import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may talk to the server, checked for every request before anything else sees it (WebSocket
 * upgrades, the watches of fabric8 clients, too): the Host header must name the loopback interface
 * (else a web page could reach it through DNS rebinding), the request must carry this server's
 * bearer token, which only its kubeconfig holds (else any user or web page on the machine could),
 * and a body must be of a type that kubectl or fabric8 sends (else a browser's cross-site form or
 * text/plain post would be one).
 */
final class RequestGuard {

  /** The Host names of the loopback interface, each with or without a port. */
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]");

  private static final Pattern PORT = Pattern.compile(":[0-9]{1,5}");

  /** The media types of request bodies that kubectl and fabric8 clients send. */
  static final Set<String> BODY_TYPES =
      Set.of(
          "application/json",
          Patches.MERGE_PATCH,
          Patches.STRATEGIC_MERGE_PATCH,
          Patches.JSON_PATCH,
          Patches.APPLY_PATCH,
          Protobuf.CONTENT_TYPE);

  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH");

  private final byte[] token;

  RequestGuard(String token) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * @throws ApiException 403 when the Host is not a loopback name, 401 without the token, 415 for a
   *     body of another type
   */
  void check(RecordedRequest request) {
    String host = request.getHeader("Host");
    if (!isLoopback(host)) {
      throw new ApiException(
          403,
          "Forbidden",
          "the Host header "
              + (host == null ? "is missing" : "\"" + host + "\" is not a loopback name")
              + ": this server answers 127.0.0.1, localhost and [::1] only");
    }
    if (!hasToken(request.getHeader("Authorization"))) {
      throw new ApiException(401, "Unauthorized", "Unauthorized");
    }
    String contentType = request.getHeader("Content-Type");
    String type =
        contentType == null ? null : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    Buffer body = request.getBody();
    boolean hasBody = body != null && body.size() > 0;
    if ((WRITES.contains(request.getMethod()) || hasBody)
        && (type == null || !BODY_TYPES.contains(type))) {
      throw new ApiException(
          415,
          "UnsupportedMediaType",
          "the body of the request was in an unknown format"
              + (type == null ? " (no Content-Type)" : " (" + type + ")")
              + " - accepted media types include: "
              + String.join(", ", BODY_TYPES.stream().sorted().toList()));
    }
  }

  static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String h = host.trim().toLowerCase(Locale.ROOT);
    int end = h.startsWith("[") ? h.indexOf(']') + 1 : h.indexOf(':');
    if (end <= 0) {
      end = h.length();
    }
    String port = h.substring(end);
    return LOOPBACK.contains(h.substring(0, end))
        && (port.isEmpty() || PORT.matcher(port).matches());
  }

  private boolean hasToken(String authorization) {
    if (authorization == null) {
      return false;
    }
    String[] parts = authorization.trim().split(" +", 2);
    return parts.length == 2
        && parts[0].equalsIgnoreCase("Bearer")
        && MessageDigest.isEqual(parts[1].trim().getBytes(StandardCharsets.UTF_8), token);
  }
}
