package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.SecretSource;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * fromSecret sources labelled managedsecrets.dev/source=true are watched: their changes reach the
 * projected Secret by the watch's event. The operator here polls sources once an hour, longer than
 * any wait of these tests, so only the event can explain what they see.
 */
class SourceWatchIT {

  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.withoutOperator();
    cluster.startOperator(
        TestCluster.testConfig(Map.of("MANAGEDSECRET_FROM_SECRET_POLL_INTERVAL", "PT1H")));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static void source(String name, String pass) {
    cluster
        .client
        .secrets()
        .inNamespace("team-a")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels("managedsecrets.dev/source", "true")
                .endMetadata()
                .addToData("pass", Fixtures.b64(pass))
                .build())
        .create();
  }

  private static void fromSecret(String name, String source) {
    create(
        cluster.client,
        managedSecret(
            "team-a",
            name,
            s -> {
              s.fromSecret = new SecretSource();
              s.fromSecret.name = source;
            }));
  }

  @Test
  void aLabelledSourcesChangeReachesTheProjectedSecretWithoutWaitingForThePoll() {
    source("watched", "one");
    fromSecret("follows-watched", "watched");
    fromSecret("also-follows-watched", "watched");
    awaitSynced(cluster.client, "team-a", "follows-watched");
    awaitSynced(cluster.client, "team-a", "also-follows-watched");

    cluster
        .client
        .secrets()
        .inNamespace("team-a")
        .withName("watched")
        .edit(s -> new SecretBuilder(s).addToData("pass", Fixtures.b64("two")).build());
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                "two".equals(text(secret(cluster.client, "team-a", "follows-watched")).get("pass"))
                    && "two"
                        .equals(
                            text(secret(cluster.client, "team-a", "also-follows-watched"))
                                .get("pass")));
  }

  @Test
  void aLabelledSourceThatAppearsLaterIsReadAtOnce() {
    fromSecret("waits-for-source", "late");
    Fixtures.awaitReady(
        cluster.client, "team-a", "waits-for-source", "False", "ResourceNotFoundException");

    source("late", "here");
    awaitSynced(cluster.client, "team-a", "waits-for-source");
    assertThat(text(secret(cluster.client, "team-a", "waits-for-source")).get("pass"))
        .isEqualTo("here");
  }
}
