package dev.managedsecrets.operator.it;

import dev.managedsecrets.operator.endpoint.AccessKeys;
import dev.managedsecrets.operator.endpoint.Principal;
import dev.managedsecrets.operator.endpoint.SecretsManagerEndpoint;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.net.URI;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * A cluster whose operator serves the Secrets Manager endpoint (on 127.0.0.1, plain HTTP, any
 * port), and AWS's own SDK client for it, signing as the local administrator or as a
 * ServiceAccount.
 */
final class EndpointClients {

  static final String REGION = "local";

  /** The endpoint's configuration in the tests. */
  static final Map<String, String> CONFIG =
      Map.of(
          "MANAGEDSECRET_ENDPOINT_ENABLED", "true",
          "MANAGEDSECRET_ENDPOINT_ADDRESS", "127.0.0.1",
          "MANAGEDSECRET_ENDPOINT_PORT", "0",
          "MANAGEDSECRET_ENDPOINT_TLS_MODE", "none");

  private EndpointClients() {}

  /** The API server, and the operator with its endpoint. */
  static TestCluster start() {
    TestCluster cluster = TestCluster.withoutOperator();
    try {
      cluster.configure = CONFIG;
      cluster.startOperator();
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  static SecretsManagerEndpoint endpoint(TestCluster cluster) {
    return cluster.runtime().endpoint().orElseThrow();
  }

  /** A key of the local administrator (system:masters), whose names resolve in default. */
  static AccessKeys.AccessKey administrator(TestCluster cluster) {
    AccessKeys.AccessKey key = AccessKeys.generate(Principal.administrator("default"));
    endpoint(cluster).accessKeys().add(key);
    return key;
  }

  /**
   * A key of the ServiceAccount {@code namespace/name}, made in the API server, as the credentials
   * a ServiceAccount's pod gets would stand for it.
   */
  static AccessKeys.AccessKey serviceAccount(TestCluster cluster, String namespace, String name) {
    ServiceAccount sa =
        cluster.client.serviceAccounts().inNamespace(namespace).withName(name).get();
    if (sa == null) {
      sa =
          cluster
              .client
              .resource(
                  new ServiceAccountBuilder()
                      .withNewMetadata()
                      .withNamespace(namespace)
                      .withName(name)
                      .endMetadata()
                      .build())
              .create();
    }
    AccessKeys.AccessKey key =
        AccessKeys.generate(Principal.serviceAccount(namespace, name, sa.getMetadata().getUid()));
    endpoint(cluster).accessKeys().add(key);
    return key;
  }

  /**
   * Grants the ServiceAccount {@code namespace/account} the verbs on the resources of
   * managedsecrets.dev (managedsecrets, managedsecrets/value), with a Role and a RoleBinding of
   * that name.
   */
  static void grant(
      TestCluster cluster,
      String namespace,
      String account,
      String role,
      List<String> resources,
      String... verbs) {
    cluster
        .client
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(role)
                .endMetadata()
                .addNewRule()
                .withApiGroups("managedsecrets.dev")
                .withResources(resources)
                .withVerbs(verbs)
                .endRule()
                .build())
        .create();
    cluster
        .client
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(account + "-" + role)
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", role)
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(account)
                .withNamespace(namespace)
                .endSubject()
                .build())
        .create();
  }

  /** AWS's SDK client for the endpoint, signing with {@code key}, without retries. */
  static SecretsManagerClient client(TestCluster cluster, AccessKeys.AccessKey key) {
    return SecretsManagerClient.builder()
        .endpointOverride(URI.create(endpoint(cluster).url()))
        .region(Region.of(REGION))
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey())))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }
}
