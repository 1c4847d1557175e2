package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.managedsecrets.cli.aws.Responses;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** DescribeSecret: the ManagedSecret's spec and status in Secrets Manager's terms. */
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

  @Override
  protected JsonNode execute() {
    return Responses.describe(secrets().require(secretId));
  }
}
