package dev.managedsecrets.operator.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.operator.MovingClock;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ring of issuing keys in its Secret of the API server, shared by replicas that each keep their
 * own view of it: writes name the resourceVersion they read, so replicas rotating at once end with
 * one new key, and no write is made while no rotation is due.
 */
class IssuingKeySecretIT {

  static final String NAMESPACE = "managedsecret-system";
  static final String NAME = "managedsecret-endpoint-credentials";
  static final Duration DAY = Duration.ofDays(1);

  static EmbeddedApiServer api;
  static KubernetesClient client;
  static final List<EmbeddedApiServer.Request> requests = new ArrayList<>();

  final MovingClock clock = new MovingClock(IssuingKeyRingTest.T0);

  @BeforeAll
  static void start() {
    api =
        EmbeddedApiServer.start(
            EmbeddedApiServer.options()
                .onRequest(
                    r -> {
                      synchronized (requests) {
                        requests.add(r);
                      }
                    }));
    client = api.client();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @BeforeEach
  void noRing() {
    client.secrets().inNamespace(NAMESPACE).withName(NAME).delete();
    synchronized (requests) {
      requests.clear();
    }
  }

  static List<String> writes() {
    synchronized (requests) {
      return requests.stream()
          .filter(r -> !r.method().equals("GET"))
          .map(r -> r.method() + " " + r.path().replaceAll("\\?.*", ""))
          .toList();
    }
  }

  IssuingKeyRing replica() {
    return new IssuingKeyRing(new IssuingKeySecret(client, NAMESPACE, NAME), DAY, clock);
  }

  static IssuingKeys kept() {
    Secret secret = client.secrets().inNamespace(NAMESPACE).withName(NAME).get();
    return IssuingKeys.parse(
        Base64.getDecoder().decode(secret.getData().get(IssuingKeySecret.KEY)));
  }

  @Test
  void replicasStartingTogetherShareTheKeyOneOfThemMade() {
    IssuingKeyRing a = replica();
    IssuingKeyRing b = replica();

    IssuingKeys.Key fromA = a.issuing();
    IssuingKeys.Key fromB = b.issuing();

    assertThat(fromB).isEqualTo(fromA);
    assertThat(kept().keys()).containsExactly(fromA);
  }

  @Test
  void replicasRotatingAtOnceEndWithOneNewKey() {
    IssuingKeyRing a = replica();
    IssuingKeyRing b = replica();
    a.issuing();
    clock.advance(DAY.minus(IssuingKeys.AHEAD));
    a.verifying("any");
    b.verifying("any");
    synchronized (requests) {
      requests.clear();
    }

    a.issuing();
    b.issuing();
    clock.advance(IssuingKeys.AHEAD);

    assertThat(writes())
        .containsExactly(
            "PUT /api/v1/namespaces/" + NAMESPACE + "/secrets/" + NAME,
            "PUT /api/v1/namespaces/" + NAMESPACE + "/secrets/" + NAME);
    assertThat(kept().keys()).hasSize(2);
    assertThat(a.issuing()).isEqualTo(b.issuing()).isEqualTo(kept().keys().get(1));
  }

  @Test
  void aReplicaMakesNoWriteWhileNoRotationIsDue() {
    IssuingKeyRing ring = replica();
    IssuingKeys.Key first = ring.issuing();
    synchronized (requests) {
      requests.clear();
    }

    for (int i = 0; i < 23; i++) {
      clock.advance(Duration.ofHours(1));
      ring.issuing();
      ring.verifying(first.id());
    }

    assertThat(writes()).isEmpty();
  }

  @Test
  void aRingFromBeforeRotationIsReplacedWithoutLosingTheSecret() {
    client
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withNamespace(NAMESPACE)
                .withName(NAME)
                .endMetadata()
                .addToData("issuing-key", Base64.getEncoder().encodeToString(new byte[32]))
                .build())
        .create();

    IssuingKeys.Key key = replica().issuing();

    assertThat(kept().keys()).containsExactly(key);
  }
}
