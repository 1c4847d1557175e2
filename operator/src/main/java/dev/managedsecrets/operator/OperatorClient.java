package dev.managedsecrets.operator;

import dev.managedsecrets.operator.apiclient.ApiClients;
import dev.managedsecrets.operator.config.OperatorConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The operator's Kubernetes client: the in-cluster service account or the current kubeconfig, with
 * a User-Agent that names the operator and its version, so that API server audit logs (and the
 * tests that prove its RBAC) can tell its requests from anyone else's, and the client-side rate
 * limit of {@code api} ({@link ApiClients}).
 */
public final class OperatorClient {

  /** {@code managedsecret-operator/<version>}. */
  public static final String USER_AGENT = "managedsecret-operator/" + version();

  private OperatorClient() {}

  /** A client configured from the environment, with the operator's User-Agent and rate limit. */
  public static KubernetesClient build(OperatorConfig.ApiSettings api, MeterRegistry registry) {
    return build(Config.autoConfigure(null), api, registry);
  }

  /** A client on this configuration, with the operator's User-Agent and rate limit. */
  public static KubernetesClient build(
      Config config, OperatorConfig.ApiSettings api, MeterRegistry registry) {
    return ApiClients.build(
        new ConfigBuilder(config).withUserAgent(USER_AGENT).build(),
        api,
        registry,
        ApiClients.OPERATOR);
  }

  private static String version() {
    String v = OperatorClient.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
