package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.cli.ManagedSecretCli;
import dev.managedsecrets.cli.output.Output;
import java.util.concurrent.Callable;
import picocli.CommandLine.ParentCommand;

/**
 * A subcommand: checks its own input, runs, and prints the response in the chosen format. A command
 * with an endpoint mode ({@link #through()}) sends its request to the operator's Secrets Manager
 * endpoint when {@code --service-account} is given, and prints the endpoint's answer: one
 * implementation of the operation's rules (the endpoint's), and the endpoint's authorisation.
 */
abstract class SecretCommand implements Callable<Integer>, AwsOperation {

  @ParentCommand ManagedSecretCli root;

  @Override
  public final Integer call() {
    Output.query(root.query); // a bad --query fails before anything is done, as in the AWS CLI
    ThroughEndpoint through = through();
    JsonNode response =
        through != null && through.active() ? printable(throughEndpoint()) : execute();
    Output.print(response, operation(), root.output, root.query, root.out);
    return 0;
  }

  /** This command's endpoint mode, or null when it has none. */
  protected ThroughEndpoint through() {
    return null;
  }

  /**
   * The operation's request as the endpoint takes it, built from the options as given: the endpoint
   * checks it (a missing or conflicting parameter is answered by the service, as AWS's is).
   */
  protected ObjectNode request() {
    throw new IllegalStateException(operation() + " has no endpoint mode");
  }

  /** The endpoint's answer to {@link #request()}; a listing asks for every page. */
  protected JsonNode throughEndpoint() {
    return through().call(root, operation(), request());
  }

  /** An empty answer (TagResource's) prints nothing, as the AWS CLI prints none. */
  private static JsonNode printable(JsonNode answer) {
    return answer != null && answer.isObject() && answer.isEmpty() ? null : answer;
  }

  /** Does the work; answers the response to print, or null for none. */
  protected abstract JsonNode execute();

  /** The ManagedSecrets of the namespace (connects on first use). */
  protected Secrets secrets() {
    return new Secrets(root.kube());
  }
}
