package dev.managedsecrets.cli.credentials;

import dev.managedsecrets.cli.CliException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How the plugin reaches the operator's Secrets Manager endpoint, and the token audience it asks
 * for: through the API server's service proxy (the default, {@code --operator-namespace} and {@code
 * --endpoint-service}), or at {@code --endpoint-url} (a port-forward, or from inside the cluster).
 * Shared by {@code credentials} and the commands that read through the endpoint.
 */
public final class EndpointOptions {

  /** The endpoint's audience when the chart is installed with its defaults. */
  public static final String DEFAULT_AUDIENCE = "secretsmanager.managedsecrets.dev";

  /** The endpoint's Service and port, as the API server's proxy names them, with the chart's. */
  public static final String DEFAULT_ENDPOINT_SERVICE =
      "https:managedsecret-operator-endpoint:https";

  /** Where the chart installs the operator. */
  public static final String DEFAULT_OPERATOR_NAMESPACE = "managedsecret-system";

  @Option(
      names = "--audience",
      defaultValue = DEFAULT_AUDIENCE,
      paramLabel = "<audience>",
      description = "The endpoint's token audience, endpoint.audience (default: ${DEFAULT-VALUE}).")
  public String audience;

  @Option(
      names = "--operator-namespace",
      defaultValue = DEFAULT_OPERATOR_NAMESPACE,
      paramLabel = "<namespace>",
      description = "The operator's namespace (default: ${DEFAULT-VALUE}).")
  public String operatorNamespace;

  @Option(
      names = "--endpoint-service",
      defaultValue = DEFAULT_ENDPOINT_SERVICE,
      paramLabel = "<[scheme:]service[:port]>",
      description =
          "The endpoint's Service and port as the API server's service proxy names them (default:"
              + " ${DEFAULT-VALUE}).")
  public String endpointService;

  @Option(
      names = "--endpoint-url",
      paramLabel = "<url>",
      description =
          "Ask the endpoint at this URL directly instead of through the API server, e.g."
              + " https://managedsecret-operator-endpoint.managedsecret-system.svc or a"
              + " port-forward's https://localhost:8443")
  public URI endpointUrl;

  @Option(
      names = "--ca-bundle",
      paramLabel = "<file>",
      description =
          "With --endpoint-url: PEM of the CA its certificate is checked with (the ConfigMap"
              + " managedsecret-endpoint-ca); default: $AWS_CA_BUNDLE, else the JVM's CAs.")
  public Path caBundle;

  /** Checks the options before anything is asked of the cluster. */
  public void check() {
    if (endpointUrl != null
        && !"https".equalsIgnoreCase(endpointUrl.getScheme())
        && !"http".equalsIgnoreCase(endpointUrl.getScheme())) {
      throw CliException.parameter("--endpoint-url", "an http(s) URL: " + endpointUrl);
    }
  }

  /** The CA bundle for --endpoint-url: --ca-bundle, else $AWS_CA_BUNDLE, else none. */
  public Path caPath(Map<String, String> env) {
    if (caBundle != null) {
      return caBundle;
    }
    String value = env.get("AWS_CA_BUNDLE");
    return value == null || value.isBlank() ? null : Path.of(value);
  }
}
