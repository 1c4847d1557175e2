package dev.managedsecrets.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.operator.OperatorRuntime;
import dev.managedsecrets.operator.endpoint.AccessKeys;
import dev.managedsecrets.operator.endpoint.Principal;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The endpoint in a cluster's configuration (endpoint.tls.mode generate): HTTPS with a certificate
 * made at start, issued by a CA that the operator keeps in a Secret of its namespace and publishes
 * in a ConfigMap; a second replica serves with a certificate of the same CA.
 */
class EndpointTlsIT {

  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.withoutOperator();
    Map<String, String> config = new HashMap<>(EndpointClients.CONFIG);
    config.put("MANAGEDSECRET_ENDPOINT_TLS_MODE", "generate");
    cluster.configure = config;
    cluster.startOperator();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** The CA certificate the operator published (PEM). */
  static String publishedCa() {
    ConfigMap ca =
        cluster
            .client
            .configMaps()
            .inNamespace(TestCluster.OPERATOR_NAMESPACE)
            .withName("managedsecret-endpoint-ca")
            .get();
    return ca.getData().get("ca.crt");
  }

  /** The AWS SDK trusting only the CA the operator published, for an endpoint at {@code url}. */
  static SecretsManagerClient client(String url, AccessKeys.AccessKey key) throws Exception {
    return EndpointClients.httpsClient(
        url,
        StaticCredentialsProvider.create(
            AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey())),
        EndpointClients.publishedCaTrust(cluster));
  }

  @Test
  void theEndpointServesHttpsWithACertificateOfThePublishedCa() throws Exception {
    AccessKeys.AccessKey admin = EndpointClients.administrator(cluster);
    String url = EndpointClients.endpoint(cluster).url();
    assertThat(url).startsWith("https://127.0.0.1:");

    try (SecretsManagerClient sm = client(url, admin)) {
      sm.createSecret(r -> r.name("over/tls").secretString("v"));
      assertThat(sm.getSecretValue(r -> r.secretId("over/tls")).secretString()).isEqualTo("v");
    }
    assertThat(
            cluster
                .client
                .secrets()
                .inNamespace(TestCluster.OPERATOR_NAMESPACE)
                .withName("managedsecret-endpoint-ca")
                .get()
                .getData())
        .containsKeys("ca.crt", "ca.key");
  }

  @Test
  void aSecondReplicaServesWithACertificateOfTheSameCa() throws Exception {
    String caBefore = publishedCa();
    try (OperatorRuntime second =
        cluster.newOperator(
            TestCluster.testConfig(cluster.configure), new SimpleMeterRegistry(), () -> {})) {
      var endpoint = second.endpoint().orElseThrow();
      AccessKeys.AccessKey key = AccessKeys.generate(Principal.administrator("default"));
      endpoint.accessKeys().add(key);
      try (SecretsManagerClient sm = client(endpoint.url(), key)) {
        sm.createSecret(r -> r.name("second/replica").secretString("w"));
        assertThat(sm.getSecretValue(r -> r.secretId("second/replica")).secretString())
            .isEqualTo("w");
      }
    }
    assertThat(publishedCa()).isEqualTo(caBefore);
  }
}
