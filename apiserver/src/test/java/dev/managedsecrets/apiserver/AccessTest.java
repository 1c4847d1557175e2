package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may talk to the server: a client with its token, over a loopback Host, sending the body types
 * kubectl and fabric8 send. Requests are written byte for byte (over TLS, trusting the server's
 * certificate, as a client that got past it would), as another user's program or a web page in a
 * browser on the same machine would send them.
 */
class AccessTest {

  private static final String SECRET =
      "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"planted\"},"
          + "\"stringData\":{\"k\":\"v\"}}";
  private static final String SECRETS = "/api/v1/namespaces/default/secrets";

  private static EmbeddedApiServer api;

  @BeforeAll
  static void start() {
    api = EmbeddedApiServer.start(0);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private record Response(int code, String body) {}

  /** Headers as a client of the server sends them: a loopback Host and the token. */
  private static Map<String, String> client() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Host", "127.0.0.1:" + api.port());
    headers.put("Authorization", "Bearer " + api.token());
    return headers;
  }

  private static Response send(String method, String path, Map<String, String> headers, String body)
      throws IOException {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    if (content.length > 0) {
      head.append("Content-Length: ").append(content.length).append("\r\n");
    }
    head.append("\r\n");
    try (Socket socket =
        api.trust().getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), api.port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(content);
      out.flush();
      InputStream in = socket.getInputStream();
      String answer = readHead(in);
      int code = Integer.parseInt(answer.split(" ", 3)[1]);
      int length = 0;
      for (String line : answer.split("\r\n")) {
        if (line.toLowerCase().startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      return new Response(code, new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the server closed the connection: " + head);
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static boolean planted() {
    return api.client().secrets().withName("planted").get() != null;
  }

  @Test
  void aRequestWithoutTheTokenIsUnauthorizedAndChangesNothing() throws Exception {
    Map<String, String> anonymous = client();
    anonymous.remove("Authorization");
    anonymous.put("Content-Type", "application/json");

    Response create = send("POST", SECRETS, anonymous, SECRET);
    assertThat(create.code()).isEqualTo(401);
    assertThat(create.body())
        .isEqualTo(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}");
    assertThat(planted()).isFalse();

    Response delete = send("DELETE", "/api/v1/namespaces/default", anonymous, "");
    assertThat(delete.code()).isEqualTo(401);
    assertThat(api.client().namespaces().withName("default").get()).isNotNull();
    assertThat(send("GET", SECRETS, anonymous, "").code()).isEqualTo(401);
  }

  @Test
  void aHeaderThatClaimsAVerifiedClientCertificateAuthenticatesNoOne() throws Exception {
    Map<String, String> forged = client();
    forged.remove("Authorization");
    forged.put(RequestGuard.CLIENT_CERTIFICATE, "CN=kubernetes-admin,O=system:masters");

    assertThat(send("GET", SECRETS, forged, "").code()).isEqualTo(401);
  }

  @Test
  void aWrongTokenIsUnauthorized() throws Exception {
    Map<String, String> wrong = client();
    wrong.put("Authorization", "Bearer " + api.token().substring(1) + "A");
    assertThat(send("GET", SECRETS, wrong, "").code()).isEqualTo(401);
    wrong.put("Authorization", "Basic " + api.token());
    assertThat(send("GET", SECRETS, wrong, "").code()).isEqualTo(401);
    assertThat(send("GET", SECRETS, client(), "").code()).isEqualTo(200);
  }

  @Test
  void aForeignHostIsRefusedEvenWithTheToken() throws Exception {
    // DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1
    Map<String, String> rebound = client();
    rebound.put("Host", "evil.example:" + api.port());
    rebound.put("Content-Type", "application/json");
    Response create = send("POST", SECRETS, rebound, SECRET);
    assertThat(create.code()).isEqualTo(403);
    assertThat(create.body())
        .contains("\"reason\":\"Forbidden\"")
        .contains("the Host header \\\"evil.example:" + api.port() + "\\\" is not a loopback name");
    assertThat(planted()).isFalse();

    for (String host : new String[] {"127.0.0.1.evil.example", "localhost.", "10.0.0.1:80"}) {
      rebound.put("Host", host);
      assertThat(send("GET", SECRETS, rebound, "").code()).as(host).isEqualTo(403);
    }
    for (String host : new String[] {"127.0.0.1", "localhost:6443", "[::1]:1", "LocalHost"}) {
      rebound.put("Host", host);
      assertThat(send("GET", SECRETS, rebound, "").code()).as(host).isEqualTo(200);
    }
  }

  @Test
  void aCrossSiteTextPlainPostThatWouldCreateASecretIsRefusedAndCreatesNothing() throws Exception {
    // What a page on another site can make a browser send without asking (no CORS preflight):
    // a "simple" POST, text/plain or a form, without the token.
    Map<String, String> browser = new LinkedHashMap<>();
    browser.put("Host", "127.0.0.1:" + api.port());
    browser.put("Origin", "https://evil.example");
    browser.put("Content-Type", "text/plain;charset=UTF-8");
    assertThat(send("POST", SECRETS, browser, SECRET).code()).isEqualTo(401);
    assertThat(planted()).isFalse();

    // Even with the token, neither text/plain nor a form is a body the server reads.
    Map<String, String> withToken = client();
    for (String type :
        new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
      withToken.put("Content-Type", type);
      Response refused = send("POST", SECRETS, withToken, SECRET);
      assertThat(refused.code()).as(type).isEqualTo(415);
      assertThat(refused.body()).contains("\"reason\":\"UnsupportedMediaType\"").contains(type);
    }
    withToken.remove("Content-Type");
    assertThat(send("POST", SECRETS, withToken, SECRET).code()).as("no type").isEqualTo(415);
    assertThat(planted()).isFalse();
  }

  @Test
  void aWatchOverWebSocketNeedsTheTokenToo() throws Exception {
    Map<String, String> upgrade = client();
    upgrade.put("Connection", "Upgrade");
    upgrade.put("Upgrade", "websocket");
    upgrade.put("Sec-WebSocket-Version", "13");
    upgrade.put("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
    String watch = "/api/v1/namespaces/default/configmaps?watch=true";
    assertThat(send("GET", watch, upgrade, "").code()).isEqualTo(101);

    upgrade.remove("Authorization");
    assertThat(send("GET", watch, upgrade, "").code()).isEqualTo(401);
  }
}
