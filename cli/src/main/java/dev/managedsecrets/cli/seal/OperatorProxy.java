package dev.managedsecrets.cli.seal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.ServiceException;
import dev.managedsecrets.cli.kube.Kube;
import dev.managedsecrets.cli.kube.ServiceProxy;
import dev.managedsecrets.core.sealing.ResealAnswer;
import dev.managedsecrets.core.sealing.ResealRequest;

/**
 * The operator's re-seal endpoint, reached through the API server's service proxy: {@code POST
 * /api/v1/namespaces/<operator namespace>/services/<service>:<port>/proxy/v1/reseal}, with the
 * kubeconfig's credentials, so the API server authorizes the caller (create on services/proxy of
 * that Service) and no other way into the cluster is needed. Only sealed values travel.
 */
public final class OperatorProxy {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Kube kube;
  private final String namespace;
  private final String service;

  /**
   * @param service the Service and its port, {@code name:port} (the port's name or number)
   */
  public OperatorProxy(Kube kube, String namespace, String service) {
    this.kube = kube;
    this.namespace = namespace;
    this.service = service;
  }

  /** The path of the endpoint under the API server's URL. */
  String path() {
    return ServiceProxy.path(namespace, service, ResealRequest.PATH);
  }

  /**
   * Sends one manifest's sealed values and answers them sealed for the current key.
   *
   * @throws ServiceException the operator's refusal (which value, and why), or the API server's
   *     (403: the RBAC it needs)
   */
  public ResealAnswer reseal(ResealRequest request) {
    ServiceProxy.Answer answer =
        ServiceProxy.post(
            kube, namespace, service, ResealRequest.PATH, request.toJson(), "re-seal");
    String body = answer.body();
    if (answer.code() == 200) {
      try {
        return ResealAnswer.parse(body);
      } catch (IllegalArgumentException e) {
        throw new CliException(
            CliException.GENERAL,
            "error: "
                + service
                + " in namespace "
                + namespace
                + " did not answer as the operator's re-seal endpoint does");
      }
    }
    throw refusal(answer.code(), body);
  }

  private CliException refusal(int code, String body) {
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (java.io.IOException e) {
      json = null;
    }
    if (json != null && json.hasNonNull("error") && json.hasNonNull("message")) {
      return new ServiceException(json.get("error").asText(), json.get("message").asText());
    }
    String message = json == null ? "" : json.path("message").asText("");
    String where = "Service " + namespace + "/" + service;
    return switch (code) {
      case 401 ->
          new ServiceException(
              "AccessDeniedException", "The API server refused the credentials: " + message);
      case 403 ->
          new ServiceException(
              "AccessDeniedException",
              "Re-sealing goes through the API server's service proxy and needs create (and get)"
                  + " on services/proxy of "
                  + where
                  + " (the chart's Role <release>-reseal): "
                  + message);
      case 404 ->
          new ServiceException(
              "ResourceNotFoundException",
              where
                  + " was not found: is the operator installed in namespace "
                  + namespace
                  + "? (--operator-namespace and --reseal-service name another.) "
                  + message);
      case 503 ->
          new CliException(
              CliException.GENERAL,
              "error: the operator's re-seal endpoint did not answer (" + where + "): " + message);
      default ->
          new CliException(
              CliException.GENERAL,
              "error: the API server answered " + code + " to the re-seal request: " + message);
    };
  }
}
