package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.managedsecrets.cli.ManagedSecretCli;
import dev.managedsecrets.cli.output.Output;
import java.util.concurrent.Callable;
import picocli.CommandLine.ParentCommand;

/** A subcommand: checks its own input, runs, and prints the response in the chosen format. */
abstract class SecretCommand implements Callable<Integer>, AwsOperation {

  @ParentCommand ManagedSecretCli root;

  @Override
  public final Integer call() {
    Output.query(root.query); // a bad --query fails before anything is done, as in the AWS CLI
    JsonNode response = execute();
    Output.print(response, operation(), root.output, root.query, root.out);
    return 0;
  }

  /** Does the work; answers the response to print, or null for none. */
  protected abstract JsonNode execute();

  /** The ManagedSecrets of the namespace (connects on first use). */
  protected Secrets secrets() {
    return new Secrets(root.kube());
  }
}
