package dev.managedsecrets.cli.commands;

import picocli.CommandLine.Mixin;

/**
 * A subcommand that is a Secrets Manager operation: with {@code --service-account} it is asked of
 * the operator's Secrets Manager endpoint ({@link ThroughEndpoint}), else it works on the
 * ManagedSecrets themselves.
 */
abstract class EndpointCommand extends SecretCommand {

  @Mixin ThroughEndpoint through;

  @Override
  protected final ThroughEndpoint through() {
    return through;
  }
}
