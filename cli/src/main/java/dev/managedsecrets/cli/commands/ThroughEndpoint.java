package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.cli.ManagedSecretCli;
import dev.managedsecrets.cli.aws.Responses;
import dev.managedsecrets.cli.credentials.CredentialsExchange;
import dev.managedsecrets.cli.credentials.EndpointCall;
import dev.managedsecrets.cli.credentials.EndpointOptions;
import dev.managedsecrets.cli.credentials.ServiceAccountTokens;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A read through the operator's Secrets Manager endpoint, as the ServiceAccount {@code
 * --service-account} (the person must be allowed to make its tokens): what the store holds beyond
 * the projected Secret (every version, its creation date, the secrets scheduled for deletion) is
 * read there, with the endpoint's own answers and its one authorisation model for values (RBAC's
 * {@code get} on {@code managedsecrets/value} for that ServiceAccount). Without the option the
 * command reads what the cluster shows: the ManagedSecrets and their projected Secrets.
 */
final class ThroughEndpoint {

  @Option(
      names = "--service-account",
      paramLabel = "<name>",
      description =
          "Read through the operator's Secrets Manager endpoint as this ServiceAccount (in -n,"
              + " else the context's namespace; needs create on its serviceaccounts/token): every"
              + " version, and secrets scheduled for deletion.")
  String serviceAccount;

  @Mixin EndpointOptions endpoint;

  boolean active() {
    return serviceAccount != null;
  }

  /** The endpoint's answer to {@code operation}, its dates as the plugin prints them. */
  JsonNode call(ManagedSecretCli root, String operation, ObjectNode request) {
    endpoint.check();
    String token =
        ServiceAccountTokens.token(
            root.kube(), serviceAccount, endpoint.audience, ServiceAccountTokens.MIN_SECONDS);
    JsonNode answer =
        EndpointCall.call(
            root.kube(),
            endpoint,
            endpoint.endpointUrl == null
                ? null
                : CredentialsExchange.trusting(endpoint.caPath(root.env)),
            token,
            operation,
            request);
    return dates(answer);
  }

  /**
   * The endpoint answers dates as AWS's wire does (epoch seconds); the plugin prints them as the
   * AWS CLI does, and as its own answers are printed.
   */
  static JsonNode dates(JsonNode node) {
    if (node instanceof ObjectNode o) {
      Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        if (f.getKey().endsWith("Date") && f.getValue().isNumber()) {
          BigDecimal seconds = f.getValue().decimalValue();
          f.setValue(
              o.textNode(
                  Responses.date(Instant.ofEpochMilli(seconds.movePointRight(3).longValue()))));
        } else {
          dates(f.getValue());
        }
      }
    } else if (node != null && node.isArray()) {
      node.forEach(ThroughEndpoint::dates);
    }
    return node;
  }
}
