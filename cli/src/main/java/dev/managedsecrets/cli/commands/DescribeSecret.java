package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.managedsecrets.cli.aws.Responses;
import dev.managedsecrets.cli.output.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * DescribeSecret: the ManagedSecret's spec and status in Secrets Manager's terms; with {@code
 * --service-account}, the operator's Secrets Manager endpoint's answer (a secret scheduled for
 * deletion too, with the description and tags its store kept).
 */
@Command(
    name = "describe-secret",
    description = "Shows a secret's ARN, name, description, key, tags, versions and dates.")
public final class DescribeSecret extends SecretCommand {

  @Option(
      names = "--secret-id",
      required = true,
      paramLabel = "<id>",
      description = "The secret's name or ARN.")
  String secretId;

  @Override
  public String operation() {
    return "DescribeSecret";
  }

  @Mixin ThroughEndpoint through;

  @Override
  protected JsonNode execute() {
    if (through.active()) {
      return through.call(root, operation(), Json.object().put("SecretId", secretId));
    }
    return Responses.describe(secrets().require(secretId));
  }
}
