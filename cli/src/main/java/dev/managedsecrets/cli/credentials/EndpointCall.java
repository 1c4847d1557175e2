package dev.managedsecrets.cli.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.ServiceException;
import dev.managedsecrets.cli.kube.Kube;
import dev.managedsecrets.cli.kube.ServiceProxy;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;

/**
 * One operation of the Secrets Manager endpoint, called by the plugin: {@code POST /v1/call} with
 * {@code {"token", "operation", "request"}}, through the API server's service proxy (which consumes
 * the Authorization header, so the ServiceAccount token travels in the body) or at the endpoint's
 * URL. The endpoint runs the operation as that ServiceAccount exactly as for a signed call: the
 * answer, or AWS's error (thrown as the ServiceException the plugin prints), is the endpoint's.
 */
public final class EndpointCall {

  static final String PATH = "/v1/call";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT_SECONDS = 60;

  /** The largest answer read: a BatchGetSecretValue of 20 values of 64 KiB, and its members. */
  static final int MAX_ANSWER = 4 * 1024 * 1024;

  private EndpointCall() {}

  /** The endpoint's answer to {@code operation} with {@code request}, as {@code token}'s owner. */
  public static JsonNode call(
      Kube kube,
      EndpointOptions options,
      SSLContext tls,
      String token,
      String operation,
      ObjectNode request) {
    ObjectNode envelope = JSON.createObjectNode();
    envelope.put("token", token);
    envelope.put("operation", operation);
    envelope.set("request", request);
    byte[] body = envelope.toString().getBytes(StandardCharsets.UTF_8);
    if (options.endpointUrl != null) {
      return direct(options.endpointUrl, tls, body);
    }
    ServiceProxy.Answer answer =
        ServiceProxy.post(
            kube,
            options.operatorNamespace,
            options.endpointService,
            PATH,
            body,
            "call the Secrets Manager endpoint");
    String where = "Service " + options.operatorNamespace + "/" + options.endpointService;
    if (answer.body().length() > MAX_ANSWER) {
      throw new CliException(
          CliException.GENERAL, "error: the answer is larger than " + MAX_ANSWER + " bytes");
    }
    JsonNode json = CredentialsExchange.parse(answer.body());
    if (answer.code() == 200 || json.has("__type")) {
      return answered(answer.code(), json, where);
    }
    throw CredentialsExchange.proxyRefusal(
        answer.code(),
        json.path("message").asText(""),
        where,
        options.operatorNamespace,
        operation);
  }

  private static JsonNode direct(URI endpoint, SSLContext tls, byte[] body) {
    URI target = URI.create(endpoint.toString().replaceAll("/+$", "") + PATH);
    DirectHttp.Answer answer =
        DirectHttp.send(
            DirectHttp.request(target)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            tls,
            MAX_ANSWER);
    return answered(answer.status(), CredentialsExchange.parse(answer.body()), target.toString());
  }

  /** The endpoint's answer, or its AWS error ({"__type": ..., "message": ...}) thrown. */
  private static JsonNode answered(int status, JsonNode json, String where) {
    if (status == 200) {
      return json;
    }
    String type = json.path("__type").asText("");
    if (type.isEmpty()) {
      throw new CliException(
          CliException.GENERAL, "error: " + where + " answered " + status + " with no AWS error");
    }
    throw new ServiceException(type, json.path("message").asText(""));
  }
}
