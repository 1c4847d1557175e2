package dev.managedsecrets.cli.commands;

import picocli.CommandLine.Option;

/** {@code --operator-namespace}, for the commands that reach the operator without its endpoint. */
public final class OperatorNamespaceOption {

  @Option(
      names = "--operator-namespace",
      defaultValue = SealingKeyOptions.DEFAULT_OPERATOR_NAMESPACE,
      paramLabel = "<namespace>",
      description =
          "The operator's namespace, where it publishes its public keys (default: ${DEFAULT-VALUE}).")
  String name;
}
