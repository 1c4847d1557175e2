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
}
