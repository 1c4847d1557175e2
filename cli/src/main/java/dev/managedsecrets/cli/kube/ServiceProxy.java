package dev.managedsecrets.cli.kube;

import dev.managedsecrets.cli.CliException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.net.URI;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A POST to one of the operator's Services through the API server's service proxy ({@code
 * /api/v1/namespaces/<namespace>/services/<service>/proxy<path>}), with the kubeconfig's
 * credentials: the API server authorizes the caller (create on services/proxy of that Service) and
 * consumes them, so no other way into the cluster is needed.
 */
public final class ServiceProxy {

  private static final long TIMEOUT_SECONDS = 60;

  private ServiceProxy() {}

  /** The status and body (JSON) of the answer. */
  public record Answer(int code, String body) {}

  /**
   * @param service the Service and its port, {@code [scheme:]name[:port]}
   * @param purpose what the request is for, in an error ("re-seal")
   */
  public static Answer post(
      Kube kube, String namespace, String service, String path, byte[] json, String purpose) {
    HttpClient http = kube.client().getHttpClient();
    String base = kube.client().getMasterUrl().toString().replaceAll("/+$", "");
    HttpRequest post =
        http.newHttpRequestBuilder()
            .uri(URI.create(base + path(namespace, service, path)))
            .header("Accept", "application/json")
            .post("application/json", json)
            .build();
    try {
      HttpResponse<String> answer =
          http.sendAsync(post, String.class).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      return new Answer(answer.code(), answer.body() == null ? "" : answer.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(CliException.GENERAL, "Interrupted while asking to " + purpose);
    } catch (ExecutionException | TimeoutException e) {
      throw new CliException(
          CliException.GENERAL,
          "error: could not reach the API server to " + purpose + ": " + Kube.rootMessage(e),
          e);
    }
  }

  /** The path of {@code path} of the Service under the API server's URL. */
  public static String path(String namespace, String service, String path) {
    return "/api/v1/namespaces/" + namespace + "/services/" + service + "/proxy" + path;
  }
}
