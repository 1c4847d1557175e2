package dev.managedsecrets.cli.commands;

import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.ManagedSecretCli;
import dev.managedsecrets.cli.credentials.CredentialsExchange;
import dev.managedsecrets.cli.credentials.EndpointOptions;
import dev.managedsecrets.cli.credentials.ServiceAccountTokens;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code credentials}: short-lived credentials of the Secrets Manager endpoint for a person, as an
 * AWS CLI {@code credential_process} prints them. The kubeconfig may hold a client certificate (no
 * token to present): the command asks the API server for a token of a ServiceAccount the person may
 * use (a TokenRequest for the endpoint's audience, short-lived) and exchanges it at the endpoint.
 */
@Command(
    name = "credentials",
    sortOptions = false,
    description = {
      "Prints credentials of the Secrets Manager endpoint for the AWS CLI's credential_process:"
          + " {\"Version\":1,\"AccessKeyId\":...,\"SecretAccessKey\":...,\"SessionToken\":...,"
          + "\"Expiration\":...}. They act as the ServiceAccount --service-account of the"
          + " namespace (-n, else the context's) for an hour.",
      "It makes a TokenRequest for that ServiceAccount (create on serviceaccounts/token), for the"
          + " endpoint's audience, and exchanges the token at the endpoint: through the API"
          + " server's service proxy (create on services/proxy of the endpoint's Service), or at"
          + " --endpoint-url.",
      "In ~/.aws/config: credential_process = kubectl-managedsecret credentials"
          + " --service-account NAME -n NAMESPACE"
    })
public final class Credentials implements Callable<Integer> {

  /** The endpoint's audience when the chart is installed with its defaults. */
  public static final String DEFAULT_AUDIENCE = EndpointOptions.DEFAULT_AUDIENCE;

  /** The endpoint's Service and port, as the API server's proxy names them, with the chart's. */
  public static final String DEFAULT_ENDPOINT_SERVICE = EndpointOptions.DEFAULT_ENDPOINT_SERVICE;

  @ParentCommand ManagedSecretCli root;

  @Option(
      names = "--service-account",
      required = true,
      paramLabel = "<name>",
      description = "The ServiceAccount whose credentials these are (in -n, else the context's).")
  String serviceAccount;

  @Mixin EndpointOptions endpoint;

  @Option(
      names = "--token-seconds",
      defaultValue = "600",
      paramLabel = "<seconds>",
      description =
          "Lifetime of the ServiceAccount token asked for, 600-3600 (default: ${DEFAULT-VALUE});"
              + " the credentials last an hour.")
  long tokenSeconds;

  @Override
  public Integer call() {
    if (tokenSeconds < ServiceAccountTokens.MIN_SECONDS
        || tokenSeconds > ServiceAccountTokens.MAX_SECONDS) {
      throw CliException.parameter(
          "--token-seconds",
          "must be " + ServiceAccountTokens.MIN_SECONDS + "-" + ServiceAccountTokens.MAX_SECONDS);
    }
    endpoint.check();
    String token =
        ServiceAccountTokens.token(root.kube(), serviceAccount, endpoint.audience, tokenSeconds);
    CredentialsExchange.Credentials credentials =
        endpoint.endpointUrl != null
            ? CredentialsExchange.direct(
                endpoint.endpointUrl,
                CredentialsExchange.trusting(endpoint.caPath(root.env)),
                token)
            : CredentialsExchange.throughProxy(
                root.kube(), endpoint.operatorNamespace, endpoint.endpointService, token);
    root.out.println(credentials.processOutput());
    root.out.flush();
    return 0;
  }
}
