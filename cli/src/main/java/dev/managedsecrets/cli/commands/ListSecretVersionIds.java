package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.output.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * ListSecretVersionIds: the versions the operator's store keeps for a secret, read through its
 * Secrets Manager endpoint ({@link ThroughEndpoint}, so {@code --service-account} is needed: the
 * store is the operator's alone); every page at once.
 */
@Command(
    name = "list-secret-version-ids",
    description =
        "Lists a secret's versions (VersionId, VersionStages, CreatedDate, KmsKeyIds), newest"
            + " first, read through the operator's Secrets Manager endpoint as --service-account.")
public final class ListSecretVersionIds extends EndpointCommand {

  @Option(
      names = "--secret-id",
      required = true,
      paramLabel = "<id>",
      description = "The secret's name or ARN.")
  String secretId;

  @Option(
      names = "--include-deprecated",
      negatable = true,
      description = "Also versions without a staging label that the store still keeps.")
  boolean includeDeprecated;

  @Override
  public String operation() {
    return "ListSecretVersionIds";
  }

  /** Without --service-account: nothing to read, since only the endpoint answers for the store. */
  @Override
  protected JsonNode execute() {
    throw CliException.parameter(
        "--service-account",
        "list-secret-version-ids reads the operator's store, which only its Secrets Manager"
            + " endpoint answers: name a ServiceAccount you may make tokens of, whose RBAC"
            + " allows get on managedsecrets");
  }

  /** Every page, as the plugin prints every version at once. */
  @Override
  protected JsonNode throughEndpoint() {
    ObjectNode request = Json.object().put("SecretId", secretId);
    if (includeDeprecated) {
      request.put("IncludeDeprecated", true);
    }
    ObjectNode out = null;
    ArrayNode versions = null;
    while (true) {
      JsonNode page = through.call(root, operation(), request);
      if (out == null) {
        out = Json.object();
        versions = out.putArray("Versions");
      }
      page.path("Versions").forEach(versions::add);
      out.set("ARN", page.path("ARN"));
      out.set("Name", page.path("Name"));
      String next = page.path("NextToken").asText("");
      if (next.isEmpty()) {
        return out;
      }
      request.put("NextToken", next);
    }
  }
}
