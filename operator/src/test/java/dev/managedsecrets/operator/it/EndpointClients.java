package dev.managedsecrets.operator.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.operator.endpoint.AccessKeys;
import dev.managedsecrets.operator.endpoint.Principal;
import dev.managedsecrets.operator.endpoint.SecretsManagerEndpoint;
import dev.managedsecrets.operator.reconcile.Checkpoints;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
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
    return start(UnaryOperator.identity());
  }

  /**
   * The API server started with these options (e.g. its clock), and the operator with its endpoint.
   */
  static TestCluster start(UnaryOperator<EmbeddedApiServer.Options> options) {
    return start(options, Map.of());
  }

  /**
   * The API server, and the operator with its endpoint and these settings ({@code
   * MANAGEDSECRET_*}).
   */
  static TestCluster start(Map<String, String> settings) {
    return start(UnaryOperator.identity(), settings);
  }

  /** The API server, and the operator with its endpoint, stopping at {@code checkpoints}. */
  static TestCluster start(Checkpoints checkpoints) {
    return start(UnaryOperator.identity(), Map.of(), checkpoints);
  }

  private static TestCluster start(
      UnaryOperator<EmbeddedApiServer.Options> options, Map<String, String> settings) {
    return start(options, settings, Checkpoints.NONE);
  }

  private static TestCluster start(
      UnaryOperator<EmbeddedApiServer.Options> options,
      Map<String, String> settings,
      Checkpoints checkpoints) {
    TestCluster cluster = TestCluster.withoutOperator(options);
    cluster.checkpoints = checkpoints;
    try {
      Map<String, String> config = new java.util.HashMap<>(CONFIG);
      config.putAll(settings);
      cluster.configure = config;
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

  /**
   * The ServiceAccount team-a/app, allowed to get ManagedSecrets and their values in team-a, and
   * the ManagedSecret team-a/db (secret orders/db, value "pod-reads-this"), reconciled.
   */
  static void podReader(TestCluster cluster) {
    serviceAccount(cluster, "team-a", "app");
    grant(
        cluster,
        "team-a",
        "app",
        "reads-values",
        List.of("managedsecrets", "managedsecrets/value"),
        "get");
    Fixtures.create(
        cluster.client,
        Fixtures.managedSecret(
            "team-a",
            "db",
            s -> {
              s.secretName = "orders/db";
              s.secretString = "pod-reads-this";
            }));
    Fixtures.awaitSynced(cluster.client, "team-a", "db");
  }

  /**
   * AWS's SDK client for the endpoint, signing with {@code key}, without retries; over HTTPS
   * trusting the CA the operator published when the endpoint serves TLS.
   */
  static SecretsManagerClient client(TestCluster cluster, AccessKeys.AccessKey key) {
    String url = endpoint(cluster).url();
    if (!url.startsWith("https:")) {
      return client(url, key);
    }
    try {
      return httpsClient(
          url,
          StaticCredentialsProvider.create(
              AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey())),
          publishedCaTrust(cluster));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client of one more replica's endpoint, signing as the local administrator. */
  static SecretsManagerClient client(dev.managedsecrets.operator.OperatorRuntime replica) {
    SecretsManagerEndpoint endpoint = replica.endpoint().orElseThrow();
    AccessKeys.AccessKey key = AccessKeys.generate(Principal.administrator("default"));
    endpoint.accessKeys().add(key);
    return client(endpoint.url(), key);
  }

  /** AWS's client for the plain-HTTP endpoint at {@code url}, signing with {@code key}. */
  static SecretsManagerClient client(String url, AccessKeys.AccessKey key) {
    return client(url, key, REGION);
  }

  /**
   * AWS's client for the plain-HTTP endpoint at {@code url}, signing with {@code key} for {@code
   * region} (the operator's config.region).
   */
  static SecretsManagerClient client(String url, AccessKeys.AccessKey key, String region) {
    return SecretsManagerClient.builder()
        .endpointOverride(URI.create(url))
        .region(Region.of(region))
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey())))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  /**
   * AWS's SDK client acting as the ServiceAccount {@code namespace/name}'s pod: its projected token
   * (the endpoint's audience) exchanged at /v1/credentials for session credentials, over HTTPS
   * trusting only the CA the operator published.
   */
  static SecretsManagerClient podClient(TestCluster cluster, String namespace, String name) {
    try {
      TrustManagerFactory trust = publishedCaTrust(cluster);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, trust.getTrustManagers(), null);
      String token =
          cluster
              .client
              .serviceAccounts()
              .inNamespace(namespace)
              .withName(name)
              .tokenRequest(
                  new TokenRequestBuilder()
                      .withNewSpec()
                      .withAudiences("secretsmanager.managedsecrets.dev")
                      .endSpec()
                      .build())
              .getStatus()
              .getToken();
      HttpResponse<String> answer =
          HttpClient.newBuilder()
              .sslContext(tls)
              .build()
              .send(
                  HttpRequest.newBuilder(URI.create(endpoint(cluster).url() + "/v1/credentials"))
                      .header("Authorization", token)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (answer.statusCode() != 200) {
        throw new IllegalStateException("No credentials: " + answer.statusCode());
      }
      JsonNode credentials = new ObjectMapper().readTree(answer.body());
      return httpsClient(
          endpoint(cluster).url(),
          StaticCredentialsProvider.create(
              AwsSessionCredentials.create(
                  credentials.path("AccessKeyId").asText(),
                  credentials.path("SecretAccessKey").asText(),
                  credentials.path("Token").asText())),
          trust);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** AWS's SDK client for the endpoint at {@code url} over HTTPS, trusting {@code trust} only. */
  static SecretsManagerClient httpsClient(
      String url, AwsCredentialsProvider credentials, TrustManagerFactory trust) {
    return SecretsManagerClient.builder()
        .endpointOverride(URI.create(url))
        .region(Region.of(REGION))
        .credentialsProvider(credentials)
        .httpClient(
            UrlConnectionHttpClient.builder()
                .tlsTrustManagersProvider(trust::getTrustManagers)
                .build())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  /** Trust in the CA certificate that the operator published for its endpoint, and in no other. */
  static TrustManagerFactory publishedCaTrust(TestCluster cluster)
      throws IOException, GeneralSecurityException {
    String pem =
        cluster
            .client
            .configMaps()
            .inNamespace(TestCluster.OPERATOR_NAMESPACE)
            .withName("managedsecret-endpoint-ca")
            .get()
            .getData()
            .get("ca.crt");
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry(
        "endpoint-ca",
        CertificateFactory.getInstance("X.509")
            .generateCertificate(
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    return factory;
  }
}
