package dev.managedsecrets.cli.credentials;

import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.kube.Kube;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * One request straight to the endpoint's URL (not through the API server), trusting {@code tls}'s
 * certificates, following no redirect, its answer read up to a bound.
 */
final class DirectHttp {

  private static final long TIMEOUT_SECONDS = 60;

  /** The status and text of an answer. */
  record Answer(int status, String body) {}

  private DirectHttp() {}

  /** A request to {@code target} with the plugin's User-Agent, JSON accepted. */
  static HttpRequest.Builder request(URI target) {
    return HttpRequest.newBuilder(target)
        .timeout(Duration.ofSeconds(TIMEOUT_SECONDS))
        .header("Accept", "application/json")
        .header("User-Agent", Kube.USER_AGENT);
  }

  static Answer send(HttpRequest request, SSLContext tls, int maxAnswer) {
    URI target = request.uri();
    HttpClient http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER)
            .sslContext(tls)
            .build();
    try {
      HttpResponse<InputStream> answer =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      byte[] body;
      try (InputStream in = answer.body()) {
        body = in.readNBytes(maxAnswer + 1);
      }
      if (body.length > maxAnswer) {
        throw new CliException(
            CliException.GENERAL, "error: the answer is larger than " + maxAnswer + " bytes");
      }
      return new Answer(answer.statusCode(), new String(body, StandardCharsets.UTF_8));
    } catch (HttpTimeoutException e) {
      throw new CliException(CliException.GENERAL, "error: " + target + " did not answer in time");
    } catch (IOException e) {
      throw new CliException(
          CliException.GENERAL, "error: could not reach " + target + ": " + Kube.rootMessage(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(CliException.GENERAL, "Interrupted while calling " + target);
    }
  }
}
