package dev.managedsecrets.operator.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The configuration refuses lease timings and ports the operator cannot run with. */
class OperatorConfigChecksTest {

  @Test
  void theDefaultsPass() {
    assertThatCode(() -> new OperatorConfig().check()).doesNotThrowAnyException();
  }

  @Test
  void leaseTimingMustBeRetryBelowRenewDeadlineBelowDuration() {
    OperatorConfig renewTooLong = new OperatorConfig();
    renewTooLong.leaseRenewDeadline = Duration.ofSeconds(15);
    assertThatThrownBy(renewTooLong::check).hasMessageContaining("leaseRenewDeadline");

    OperatorConfig retryTooLong = new OperatorConfig();
    retryTooLong.leaseRetryPeriod = Duration.ofSeconds(10);
    assertThatThrownBy(retryTooLong::check).hasMessageContaining("leaseRetryPeriod");

    OperatorConfig zero = new OperatorConfig();
    zero.leaseRetryPeriod = Duration.ZERO;
    assertThatThrownBy(zero::check).hasMessageContaining("leaseRetryPeriod");
  }

  @Test
  void theLeaseNameMustBeAnObjectName() {
    OperatorConfig config = new OperatorConfig();
    config.leaseName = "Not_A_Name";
    assertThatThrownBy(config::check).hasMessageContaining("leaseName");
  }

  @Test
  void portsMustBeInRange() {
    OperatorConfig config = new OperatorConfig();
    config.metricsPort = 70000;
    assertThatThrownBy(config::check).hasMessageContaining("metricsPort");
  }
}
