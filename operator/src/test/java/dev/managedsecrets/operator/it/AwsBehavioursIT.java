package dev.managedsecrets.operator.it;

import dev.managedsecrets.operator.endpoint.AccessKeys;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The rows of {@link AwsBehaviours} against the operator's Secrets Manager endpoint, with AWS's SDK
 * for Java v2 signing as the local administrator.
 */
class AwsBehavioursIT {

  static TestCluster cluster;
  static SecretsManagerClient sm;

  @BeforeAll
  static void start() {
    cluster = EndpointClients.start();
    AccessKeys.AccessKey admin = EndpointClients.administrator(cluster);
    sm = EndpointClients.client(cluster, admin);
    AwsBehaviours.setUp(sm, cluster.clock::advance);
  }

  @AfterAll
  static void stop() {
    sm.close();
    cluster.close();
  }

  static Stream<AwsBehaviours.Behaviour> behaviours() {
    return AwsBehaviours.behaviours();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("behaviours")
  void theEndpointAnswersAsAws(AwsBehaviours.Behaviour b) {
    AwsBehaviours.assertAnswers(b, sm, true);
  }
}
