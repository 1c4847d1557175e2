package dev.managedsecrets.operator.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpFrontTest {

  final Dispatcher dispatcher =
      new Dispatcher(
          new SigV4(new AccessKeys(), null, "local", Clock.systemUTC()),
          Map.of(),
          null,
          new AuditLog("local", "000000000000"),
          Clock.systemUTC());
  final HttpFront front = HttpFront.start("127.0.0.1", 0, null, dispatcher);

  @AfterEach
  void stop() {
    front.close();
  }

  /**
   * A client sends the whole body before it reads its answer (the JDK's HttpClient and the SDKs
   * do): the endpoint answers 413 at once, keeps nothing of the body, and reads the rest of it (up
   * to a bound) rather than resetting a connection the client is still writing to, which could lose
   * the answer. The connection then serves the client's next call.
   */
  @Test
  void aRefusedBodyIsAnswered413AndTheConnectionServesTheNextCall() throws Exception {
    int size = HttpFront.MAX_BODY_BYTES + 256 * 1024;
    try (Socket socket = new Socket("127.0.0.1", front.port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      CompletableFuture<Void> sending =
          CompletableFuture.runAsync(
              () -> {
                try {
                  out.write(head(size));
                  byte[] chunk = new byte[8 * 1024];
                  for (int sent = 0; sent < size; sent += chunk.length) {
                    out.write(chunk, 0, Math.min(chunk.length, size - sent));
                  }
                  out.flush();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });

      String refused = readAnswer(in);
      sending.get(30, TimeUnit.SECONDS);
      out.write(head(2));
      out.write("{}".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String next = readAnswer(in);

      assertThat(refused).startsWith("HTTP/1.1 413");
      assertThat(refused).contains("\"__type\":\"RequestEntityTooLargeException\"");
      assertThat(next).startsWith("HTTP/1.1 400");
      assertThat(next).contains("\"__type\":\"MissingAuthenticationTokenException\"");
    }
  }

  private static byte[] head(int length) {
    return ("POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: secretsmanager.CreateSecret\r\n"
            + "Content-Type: application/x-amz-json-1.1\r\nContent-Length: "
            + length
            + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static String readAnswer(InputStream in) throws Exception {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    int n;
    while ((n = in.read(buffer)) > 0) {
      got.write(buffer, 0, n);
      String text = got.toString(StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      if (end > 0) {
        int length =
            Integer.parseInt(
                text.lines()
                    .filter(l -> l.toLowerCase().startsWith("content-length:"))
                    .findFirst()
                    .orElseThrow()
                    .substring("content-length:".length())
                    .strip());
        if (got.size() >= end + 4 + length) {
          return text;
        }
      }
    }
    return got.toString(StandardCharsets.UTF_8);
  }
}
