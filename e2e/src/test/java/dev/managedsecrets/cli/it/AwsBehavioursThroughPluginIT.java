package dev.managedsecrets.cli.it;

import dev.managedsecrets.operator.it.AwsBehaviours;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The rows of {@link AwsBehaviours} (the operator module's AWS behaviours, which {@code
 * AwsBehavioursIT} asks of the endpoint) asked of the kubectl plugin, with the same requests from
 * AWS's SDK turned into plugin commands ({@link PluginGateway}): {@code kubectl managedsecret
 * <operation> ... --service-account tester -n aws-tests}, which asks the operator's endpoint as
 * that ServiceAccount. Both runs must give the same answers.
 */
class AwsBehavioursThroughPluginIT {

  static final String NAMESPACE = "aws-tests";
  static final String ACCOUNT = "tester";

  static Cluster cluster;
  static PluginGateway gateway;
  static SecretsManagerClient plugin;

  @BeforeAll
  static void start() {
    cluster = Cluster.startWithEndpoint(NAMESPACE);
    cluster
        .client()
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withNamespace(NAMESPACE)
                .withName(ACCOUNT)
                .endMetadata()
                .build())
        .create();
    // tester may do everything the rows ask in its namespace (and nothing elsewhere).
    cluster.bind(
        NAMESPACE,
        "secrets-manager",
        new SubjectBuilder()
            .withKind("ServiceAccount")
            .withName(ACCOUNT)
            .withNamespace(NAMESPACE)
            .build(),
        new PolicyRuleBuilder()
            .withApiGroups("managedsecrets.dev")
            .withResources("managedsecrets", "managedsecrets/value")
            .withVerbs("get", "list", "create", "update", "patch", "delete")
            .build());
    gateway =
        new PluginGateway(
            cluster.cli(),
            List.of(
                "--service-account",
                ACCOUNT,
                "-n",
                NAMESPACE,
                "--endpoint-url",
                cluster.endpoint().url()));
    plugin =
        SecretsManagerClient.builder()
            .endpointOverride(gateway.url())
            .region(Region.of("local"))
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("plugin", "plugin")))
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .build();
    AwsBehaviours.setUp(plugin, cluster.clock::advance);
  }

  @AfterAll
  static void stop() {
    if (plugin != null) {
      plugin.close();
    }
    if (gateway != null) {
      gateway.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  static Stream<AwsBehaviours.Behaviour> behaviours() {
    return AwsBehaviours.behaviours();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("behaviours")
  void thePluginAnswersAsAws(AwsBehaviours.Behaviour b) {
    AwsBehaviours.assertAnswers(b, plugin, false);
  }
}
