package dev.managedsecrets.operator.reseal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.core.sealing.ResealAnswer;
import dev.managedsecrets.core.sealing.ResealRequest;
import dev.managedsecrets.core.sealing.SealedValueException;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The re-seal endpoint: POST of a JSON request to /v1/reseal only, its body bounded before it is
 * read; the operator's refusals answered with their exception name and message.
 */
class ResealServerTest {

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<ResealRequest> received = new ArrayList<>();
  private ResealServer server;

  private void start(Function<ResealRequest, ResealAnswer> reseal) {
    server =
        ResealServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            r -> {
              received.add(r);
              return reseal.apply(r);
            });
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> send(String method, String path, String type, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .method(method, HttpRequest.BodyPublishers.ofString(body));
    if (type != null) {
      b.header("Content-Type", type);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRequestIsAnsweredWithTheValuesSealedAgain() throws Exception {
    start(r -> new ResealAnswer("k2", Map.of("k", "msv1.new"), null, null));
    HttpResponse<String> r =
        send(
            "POST",
            "/v1/reseal",
            "application/json; charset=utf-8",
            "{\"namespace\":\"team-a\",\"name\":\"orders\",\"sealedData\":{\"k\":\"msv1.old\"}}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"keyId\":\"k2\",\"sealedData\":{\"k\":\"msv1.new\"}}");
    assertThat(received)
        .containsExactly(
            new ResealRequest("team-a", "orders", null, Map.of("k", "msv1.old"), null, null));
  }

  @Test
  void aValueThatDoesNotOpenIsAnsweredWithItsExceptionAndMessage() throws Exception {
    start(
        r -> {
          throw new SealedValueException(
              SealedValueException.Refusal.OTHER_NAMESPACE, "sealed key 1 of 1 was sealed ...");
        });
    HttpResponse<String> r =
        send("POST", "/v1/reseal", "application/json", "{\"namespace\":\"a\",\"name\":\"b\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body())
        .isEqualTo(
            "{\"error\":\"InvalidParameterException\",\"message\":\"sealed key 1 of 1 was sealed"
                + " ...\"}");
  }

  @Test
  void anOperatorWithoutASealingKeyYetAnswers503() throws Exception {
    start(
        r -> {
          throw new SecretsManagerException(AwsError.INTERNAL_SERVICE_ERROR, "no key yet");
        });
    assertThat(send("POST", "/v1/reseal", "application/json", "{}").statusCode()).isEqualTo(503);
  }

  @Test
  void otherPathsMethodsAndBodyTypesAreRefusedBeforeAnythingIsDone() throws Exception {
    start(r -> new ResealAnswer("k", null, null, null));
    assertThat(send("POST", "/v1/other", "application/json", "{}").statusCode()).isEqualTo(404);
    assertThat(send("GET", "/v1/reseal", null, "").statusCode()).isEqualTo(405);
    assertThat(send("POST", "/v1/reseal", "text/plain", "{}").statusCode()).isEqualTo(415);
    assertThat(send("POST", "/v1/reseal", "application/json", "not json").statusCode())
        .isEqualTo(400);
    assertThat(received).isEmpty();
  }

  @Test
  void aBodyDeclaredLargerThanTheBoundIsRefusedWith413BeforeItIsRead() throws Exception {
    start(r -> new ResealAnswer("k", null, null, null));
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /v1/reseal HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + "Content-Length: "
                  + (ResealRequest.MAX_BODY_BYTES + 1)
                  + "\r\n\r\n{\"namespace\":")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      assertThat(answer).isEqualTo("HTTP/1.1 413");
    }
    assertThat(received).isEmpty();
  }
}
