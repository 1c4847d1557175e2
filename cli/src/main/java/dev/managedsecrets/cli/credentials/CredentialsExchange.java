package dev.managedsecrets.cli.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.ServiceException;
import dev.managedsecrets.cli.kube.Kube;
import dev.managedsecrets.cli.kube.ServiceProxy;
import dev.managedsecrets.core.crypto.PemTrust;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;

/**
 * Exchanges a ServiceAccount token for the Secrets Manager endpoint's short-lived credentials at
 * its {@code /v1/credentials}: through the API server's service proxy ({@code POST
 * /api/v1/namespaces/<operator namespace>/services/<service>/proxy/v1/credentials}, the token in
 * the JSON body, since the API server consumes the Authorization header; the API server authorizes
 * the caller: create on services/proxy of that Service), or directly at the endpoint's URL ({@code
 * GET}, the token in the Authorization header, as the SDKs' container credential provider asks).
 */
public final class CredentialsExchange {

  static final String PATH = "/v1/credentials";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long TIMEOUT_SECONDS = 30;

  /** The largest answer read (credentials are well under 2 KiB). */
  static final int MAX_ANSWER = 64 * 1024;

  private CredentialsExchange() {}

  /** The endpoint's answer: AccessKeyId, SecretAccessKey, Token, Expiration. */
  public record Credentials(
      String accessKeyId, String secretAccessKey, String sessionToken, String expiration) {

    /** The answer of an AWS CLI {@code credential_process}. */
    public String processOutput() {
      ObjectNode out = JSON.createObjectNode();
      out.put("Version", 1);
      out.put("AccessKeyId", accessKeyId);
      out.put("SecretAccessKey", secretAccessKey);
      out.put("SessionToken", sessionToken);
      out.put("Expiration", expiration);
      return out.toString();
    }
  }

  /**
   * Through the API server's service proxy.
   *
   * @param service the Service's name segment, {@code [scheme:]name[:port]}
   */
  public static Credentials throughProxy(
      Kube kube, String operatorNamespace, String service, String token) {
    ServiceProxy.Answer answer =
        ServiceProxy.post(
            kube,
            operatorNamespace,
            service,
            PATH,
            JSON.createObjectNode().put("token", token).toString().getBytes(StandardCharsets.UTF_8),
            "fetch credentials");
    String text = answer.body();
    if (text.length() > MAX_ANSWER) {
      throw new CliException(
          CliException.GENERAL, "error: the answer is larger than " + MAX_ANSWER + " bytes");
    }
    String where = "Service " + operatorNamespace + "/" + service;
    JsonNode json = parse(text);
    if (answer.code() == 200 || json.has("Code")) {
      return credentials(answer.code(), json, where);
    }
    throw proxyRefusal(
        answer.code(), json.path("message").asText(""), where, operatorNamespace, "credentials");
  }

  /**
   * The API server's refusal of a request through its service proxy (not the endpoint's answer), as
   * the error the plugin prints.
   */
  static RuntimeException proxyRefusal(
      int code, String message, String where, String operatorNamespace, String what) {
    return switch (code) {
      case 401 ->
          new ServiceException(
              "AccessDeniedException", "The API server refused the credentials: " + message);
      case 403 ->
          new ServiceException(
              "AccessDeniedException",
              "The endpoint is reached through the API server's service proxy, which needs create"
                  + " on services/proxy of "
                  + where
                  + " (the chart's Role <release>-endpoint-credentials): "
                  + message);
      case 404 ->
          new ServiceException(
              "ResourceNotFoundException",
              where
                  + " was not found: is the operator installed in namespace "
                  + operatorNamespace
                  + " with config.endpoint.enabled? (--operator-namespace and --endpoint-service"
                  + " name another; --endpoint-url reaches the endpoint directly.) "
                  + message);
      default ->
          new CliException(
              CliException.GENERAL,
              "error: the API server answered "
                  + code
                  + " to the "
                  + what
                  + " request ("
                  + where
                  + "): "
                  + message);
    };
  }

  /** Directly at the endpoint's URL, trusting {@code tls}'s certificates. */
  public static Credentials direct(URI endpoint, SSLContext tls, String token) {
    URI target = URI.create(endpoint.toString().replaceAll("/+$", "") + PATH);
    DirectHttp.Answer answer =
        DirectHttp.send(
            DirectHttp.request(target).header("Authorization", "Bearer " + token).GET().build(),
            tls,
            MAX_ANSWER);
    return credentials(answer.status(), parse(answer.body()), target.toString());
  }

  /** The endpoint's answer: credentials, or its refusal ({"Code": ..., "Message": ...}). */
  private static Credentials credentials(int status, JsonNode json, String where) {
    if (status == 200) {
      String key = json.path("AccessKeyId").asText("");
      String secret = json.path("SecretAccessKey").asText("");
      String session = json.path("Token").asText("");
      String expiration = json.path("Expiration").asText("");
      if (key.isEmpty() || secret.isEmpty() || session.isEmpty() || expiration.isEmpty()) {
        throw new CliException(
            CliException.GENERAL,
            "error: " + where + " did not answer as the Secrets Manager endpoint's credentials do");
      }
      return new Credentials(key, secret, session, expiration);
    }
    String code = json.path("Code").asText("");
    String message = json.path("Message").asText("");
    if (code.isEmpty()) {
      throw new CliException(
          CliException.GENERAL,
          "error: " + where + " answered " + status + " to the credentials request");
    }
    throw new ServiceException(
        status == 401 || status == 403 ? "AccessDeniedException" : code,
        message + " (" + where + " answered " + status + " " + code + ")");
  }

  static JsonNode parse(String text) {
    try {
      JsonNode json = JSON.readTree(text);
      return json == null ? JSON.createObjectNode() : json;
    } catch (IOException e) {
      return JSON.createObjectNode();
    }
  }

  /**
   * TLS that trusts the certificates of a PEM file (the endpoint's CA, the ConfigMap
   * managedsecret-endpoint-ca); the JDK's default trust when {@code caBundle} is null.
   */
  public static SSLContext trusting(Path caBundle) {
    try {
      return caBundle == null ? SSLContext.getDefault() : PemTrust.context(caBundle);
    } catch (IOException e) {
      throw CliException.parameter("--ca-bundle", "cannot read " + caBundle + ": " + e);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw CliException.parameter("--ca-bundle", caBundle + ": " + e.getMessage());
    }
  }
}
