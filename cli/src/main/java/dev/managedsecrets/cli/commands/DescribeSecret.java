package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.cli.aws.Responses;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * DescribeSecret: the ManagedSecret's spec and status in Secrets Manager's terms; with {@code
 * --service-account}, the operator's Secrets Manager endpoint's answer (a secret scheduled for
 * deletion too, with the description and tags its store kept).
 */
@Command(
    name = "describe-secret",
    description = "Shows a secret's ARN, name, description, key, tags, versions and dates.")
public final class DescribeSecret extends EndpointCommand {

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

  @Override
  protected ObjectNode request() {
    return new EndpointRequest().put("SecretId", secretId).json();
  }

  @Override
  protected JsonNode execute() {
    return Responses.describe(secrets().require(secretId));
  }
}
