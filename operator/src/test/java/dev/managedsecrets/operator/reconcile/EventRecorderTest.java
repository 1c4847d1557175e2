package dev.managedsecrets.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventRecorderTest {

  private static final String DNS_SUBDOMAIN =
      "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

  @Test
  void anEventOfTheLongestObjectNameStillHasAValidName() {
    String name = EventRecorder.eventName("a".repeat(253));

    assertThat(name).hasSizeLessThanOrEqualTo(253).matches(DNS_SUBDOMAIN);
    assertThat(name).startsWith("a".repeat(239) + ".");
  }

  @Test
  void aNameCutInsideALabelLosesTheDashesAndDotsAtTheCut() {
    String name = EventRecorder.eventName("a".repeat(237) + "-.b" + "c".repeat(13));

    assertThat(name).hasSizeLessThanOrEqualTo(253).matches(DNS_SUBDOMAIN);
    assertThat(name).startsWith("a".repeat(237) + ".");
  }

  @Test
  void aShortNameIsKeptWhole() {
    assertThat(EventRecorder.eventName("orders-db")).matches("orders-db\\.[0-9a-f]{8}-[0-9a-f]{4}");
  }

  @Test
  void theEventsOfOneReconcileAreToldInOneMessageInOrder() {
    assertThat(
            EventRecorder.message(
                java.util.List.of(
                    "Created secret orders-db",
                    "Created version v1 as AWSCURRENT",
                    "Created Secret orders-db")))
        .isEqualTo(
            "Created secret orders-db; created version v1 as AWSCURRENT; created Secret orders-db");
  }

  @Test
  void aMessageOfManyEventsIsCutToWhatAnEventKeeps() {
    String message = EventRecorder.message(java.util.Collections.nCopies(40, "x".repeat(50)));

    assertThat(message).hasSize(EventRecorder.MAX_MESSAGE).endsWith("\u2026");
  }

  @Test
  void theMostTellingReasonComesFirstInTheOrderOfReasons() {
    assertThat(EventReason.SecretCreated).isLessThan(EventReason.VersionCreated);
    assertThat(EventReason.VersionCreated).isLessThan(EventReason.SecretProjected);
    assertThat(EventReason.SecretProjected.toldTogether()).isTrue();
    assertThat(EventReason.RolloutRestarted.toldTogether())
        .as("a step the user turned on is its own Event")
        .isFalse();
    assertThat(EventReason.SecretRotated.toldTogether()).isFalse();
  }
}
