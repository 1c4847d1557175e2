package dev.managedsecrets.apiserver;

import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;

/**
 * Who may talk to the server, checked for every request before anything else sees it (WebSocket
 * upgrades, the watches of fabric8 clients, too): the Host header must name the loopback interface
 * (else a web page could reach it through DNS rebinding), the request must authenticate a user:
 * with a client certificate of the server's client CA ({@link ClientCertificates}, checked first,
 * as the API server's x509 authenticator), or a bearer token: this server's own, which only its
 * kubeconfig holds, or a ServiceAccount token it issued ({@link Authentication}; else any user or
 * web page on the machine could), and a body must be of a type that kubectl or fabric8 sends (else
 * a browser's cross-site form or text/plain post would be one).
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

  /**
   * The subject (RFC 2253) of the client certificate the TLS handshake verified: set by the server
   * itself ({@link LoopbackHttp}), which drops any such header a client sends.
   */
  static final String CLIENT_CERTIFICATE = "X-Managedsecret-Embedded-Verified-Client-Subject";

  private final Authentication authentication;

  RequestGuard(Authentication authentication) {
    this.authentication = authentication;
  }

  /**
   * Answers the user the request is from.
   *
   * @throws ApiException 403 when the Host is not a loopback name, 401 without a client certificate
   *     or a token that authenticates a user, 415 for a body of another type
   */
  UserInfo check(RecordedRequest request) {
    String host = request.getHeader("Host");
    if (!isLoopback(host)) {
      throw ApiException.forbidden(
          "the Host header "
              + (host == null ? "is missing" : "\"" + host + "\" is not a loopback name")
              + ": this server answers 127.0.0.1, localhost and [::1] only");
    }
    String subject = request.getHeader(CLIENT_CERTIFICATE);
    UserInfo user =
        subject != null
            ? ClientCertificates.user(new X500Principal(subject))
            : user(request.getHeader("Authorization"));
    if (user == null) {
      throw ApiException.unauthorized();
    }
    String contentType = request.getHeader("Content-Type");
    String type =
        contentType == null ? null : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    Buffer body = request.getBody();
    boolean hasBody = body != null && body.size() > 0;
    if ((WRITES.contains(request.getMethod()) || hasBody)
        && (type == null || !BODY_TYPES.contains(type))) {
      throw ApiException.unsupportedMediaType(
          "the body of the request was in an unknown format"
              + (type == null ? " (no Content-Type)" : " (" + type + ")")
              + " - accepted media types include: "
              + String.join(", ", BODY_TYPES.stream().sorted().toList()));
    }
    return user;
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

  private UserInfo user(String authorization) {
    if (authorization == null) {
      return null;
    }
    String[] parts = authorization.trim().split(" +", 2);
    return parts.length == 2 && parts[0].equalsIgnoreCase("Bearer")
        ? authentication.authenticate(parts[1].trim())
        : null;
  }
}
