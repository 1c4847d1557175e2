package dev.managedsecrets.cli.commands;

import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.ManagedSecretCli;
import dev.managedsecrets.cli.ServiceException;
import dev.managedsecrets.cli.credentials.CredentialsExchange;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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
  public static final String DEFAULT_AUDIENCE = "secretsmanager.managedsecrets.dev";

  /** The endpoint's Service and port, as the API server's proxy names them, with the chart's. */
  public static final String DEFAULT_ENDPOINT_SERVICE =
      "https:managedsecret-operator-endpoint:https";

  /** TokenRequest's shortest lifetime: the token is used once, at once. */
  static final long MIN_TOKEN_SECONDS = 600;

  static final long MAX_TOKEN_SECONDS = 3600;

  @ParentCommand ManagedSecretCli root;

  @Option(
      names = "--service-account",
      required = true,
      paramLabel = "<name>",
      description = "The ServiceAccount whose credentials these are (in -n, else the context's).")
  String serviceAccount;

  @Option(
      names = "--audience",
      defaultValue = DEFAULT_AUDIENCE,
      paramLabel = "<audience>",
      description = "The endpoint's token audience, endpoint.audience (default: ${DEFAULT-VALUE}).")
  String audience;

  @Option(
      names = "--token-seconds",
      defaultValue = "600",
      paramLabel = "<seconds>",
      description =
          "Lifetime of the ServiceAccount token asked for, 600-3600 (default: ${DEFAULT-VALUE});"
              + " the credentials last an hour.")
  long tokenSeconds;

  @Option(
      names = "--operator-namespace",
      defaultValue = SealingKeyOptions.DEFAULT_OPERATOR_NAMESPACE,
      paramLabel = "<namespace>",
      description = "The operator's namespace (default: ${DEFAULT-VALUE}).")
  String operatorNamespace;

  @Option(
      names = "--endpoint-service",
      defaultValue = DEFAULT_ENDPOINT_SERVICE,
      paramLabel = "<[scheme:]service[:port]>",
      description =
          "The endpoint's Service and port as the API server's service proxy names them (default:"
              + " ${DEFAULT-VALUE}).")
  String endpointService;

  @Option(
      names = "--endpoint-url",
      paramLabel = "<url>",
      description =
          "Ask the endpoint at this URL directly instead of through the API server, e.g."
              + " https://managedsecret-operator-endpoint.managedsecret-system.svc")
  URI endpointUrl;

  @Option(
      names = "--ca-bundle",
      paramLabel = "<file>",
      description =
          "With --endpoint-url: PEM of the CA its certificate is checked with (the ConfigMap"
              + " managedsecret-endpoint-ca); default: $AWS_CA_BUNDLE, else the JVM's CAs.")
  Path caBundle;

  @Override
  public Integer call() {
    if (tokenSeconds < MIN_TOKEN_SECONDS || tokenSeconds > MAX_TOKEN_SECONDS) {
      throw CliException.parameter(
          "--token-seconds", "must be " + MIN_TOKEN_SECONDS + "-" + MAX_TOKEN_SECONDS);
    }
    if (endpointUrl != null
        && !"https".equalsIgnoreCase(endpointUrl.getScheme())
        && !"http".equalsIgnoreCase(endpointUrl.getScheme())) {
      throw CliException.parameter("--endpoint-url", "an http(s) URL: " + endpointUrl);
    }
    String token = token();
    CredentialsExchange.Credentials credentials =
        endpointUrl != null
            ? CredentialsExchange.direct(endpointUrl, CredentialsExchange.trusting(caPath()), token)
            : CredentialsExchange.throughProxy(
                root.kube(), operatorNamespace, endpointService, token);
    root.out.println(credentials.processOutput());
    root.out.flush();
    return 0;
  }

  private Path caPath() {
    if (caBundle != null) {
      return caBundle;
    }
    String env = root.env.get("AWS_CA_BUNDLE");
    return env == null || env.isBlank() ? null : Path.of(env);
  }

  /** A token of the ServiceAccount for the endpoint's audience, from the API server. */
  private String token() {
    String namespace = root.kube().namespace();
    TokenRequest request =
        new TokenRequestBuilder()
            .withNewSpec()
            .withAudiences(audience)
            .withExpirationSeconds(tokenSeconds)
            .endSpec()
            .build();
    try {
      TokenRequest answered =
          root.kube()
              .client()
              .serviceAccounts()
              .inNamespace(namespace)
              .withName(serviceAccount)
              .tokenRequest(request);
      String token =
          answered == null || answered.getStatus() == null ? null : answered.getStatus().getToken();
      if (token == null || token.isEmpty()) {
        throw new CliException(
            CliException.GENERAL, "error: the API server answered the TokenRequest with no token");
      }
      return token;
    } catch (KubernetesClientException e) {
      String where = "ServiceAccount " + namespace + "/" + serviceAccount;
      throw switch (e.getCode()) {
        case 403 ->
            new ServiceException(
                "AccessDeniedException",
                "A token of "
                    + where
                    + " needs create on serviceaccounts/token (resourceNames: ["
                    + serviceAccount
                    + "]) in namespace "
                    + namespace
                    + ": "
                    + e.getStatus().getMessage());
        case 404 -> new ServiceException("ResourceNotFoundException", where + " was not found.");
        default -> e;
      };
    }
  }
}
