package dev.managedsecrets.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * The operator's Kubernetes client: the in-cluster service account or the current kubeconfig, with
 * a User-Agent that names the operator and its version, so that API server audit logs (and the
 * tests that prove its RBAC) can tell its requests from anyone else's.
 */
public final class OperatorClient {

  /** {@code managedsecret-operator/<version>}. */
  public static final String USER_AGENT = "managedsecret-operator/" + version();

  private OperatorClient() {}

  /** A client configured from the environment, with the operator's User-Agent. */
  public static KubernetesClient build() {
    return build(Config.autoConfigure(null));
  }

  /** A client on this configuration, with the operator's User-Agent. */
  public static KubernetesClient build(Config config) {
    return new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(config).withUserAgent(USER_AGENT).build())
        .build();
  }

  private static String version() {
    String v = OperatorClient.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
