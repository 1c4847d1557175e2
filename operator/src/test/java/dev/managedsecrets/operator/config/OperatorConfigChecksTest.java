package dev.managedsecrets.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration refuses lease timings, ports and back-offs the operator cannot run with. */
class OperatorConfigChecksTest {

  @Test
  void theDefaultsPass() {
    assertThatCode(() -> OperatorConfig.load(null, Map.of())).doesNotThrowAnyException();
  }

  @Test
  void leaseTimingMustBeRetryBelowRenewDeadlineBelowDuration() {
    assertThatThrownBy(() -> load("MANAGEDSECRET_LEASE_RENEW_DEADLINE", "PT15S"))
        .hasMessageContaining("leaseRenewDeadline");

    assertThatThrownBy(() -> load("MANAGEDSECRET_LEASE_RETRY_PERIOD", "PT10S"))
        .hasMessageContaining("leaseRetryPeriod");

    assertThatThrownBy(() -> load("MANAGEDSECRET_LEASE_RETRY_PERIOD", "PT0S"))
        .hasMessageContaining("leaseRetryPeriod");
  }

  @Test
  void theLeaseNameMustBeAnObjectName() {
    assertThatThrownBy(() -> load("MANAGEDSECRET_LEASE_NAME", "Not_A_Name"))
        .hasMessageContaining("leaseName");
  }

  @Test
  void portsMustBeInRange() {
    assertThatThrownBy(() -> load("MANAGEDSECRET_METRICS_PORT", "70000"))
        .hasMessageContaining("metricsPort");
  }

  @Test
  void theEndpointIsOffByDefaultAndServesTlsWhenOn() {
    EndpointConfig endpoint = OperatorConfig.load(null, Map.of()).endpoint();
    assertThat(endpoint.enabled()).isFalse();
    assertThat(endpoint.port()).isEqualTo(8443);
    assertThat(endpoint.tls().mode()).isEqualTo("generate");
  }

  @Test
  void theCredentialsKeyRotatesDailyByDefaultAndBetweenAnHourAndNinetyDays() {
    assertThat(OperatorConfig.load(null, Map.of()).endpoint().credentialsKeyRotation())
        .isEqualTo(java.time.Duration.ofHours(24));
    assertThat(
            OperatorConfig.load(
                    null, Map.of("MANAGEDSECRET_ENDPOINT_CREDENTIALS_KEY_ROTATION", "PT1H"))
                .endpoint()
                .credentialsKeyRotation())
        .isEqualTo(java.time.Duration.ofHours(1));
    assertThatThrownBy(() -> load("MANAGEDSECRET_ENDPOINT_CREDENTIALS_KEY_ROTATION", "PT59M"))
        .hasMessage("endpoint.credentialsKeyRotation must be PT1H-P90D; it is PT59M");
    assertThatThrownBy(() -> load("MANAGEDSECRET_ENDPOINT_CREDENTIALS_KEY_ROTATION", "P91D"))
        .hasMessageContaining("endpoint.credentialsKeyRotation must be PT1H-P90D");
  }

  @Test
  void theEndpointServesPlainHttpOnlyOnALoopbackAddress() {
    assertThatThrownBy(() -> load("MANAGEDSECRET_ENDPOINT_TLS_MODE", "none"))
        .hasMessage(
            "endpoint.tls.mode none (plain HTTP) is allowed only on a loopback address; the"
                + " endpoint.address is 0.0.0.0");
    assertThatCode(
            () ->
                OperatorConfig.load(
                    null,
                    Map.of(
                        "MANAGEDSECRET_ENDPOINT_TLS_MODE", "none",
                        "MANAGEDSECRET_ENDPOINT_ADDRESS", "127.0.0.1")))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> load("MANAGEDSECRET_ENDPOINT_TLS_MODE", "plain"))
        .hasMessageContaining("endpoint.tls.mode must be one of");
    assertThatThrownBy(() -> load("MANAGEDSECRET_ENDPOINT_PORT", "70000"))
        .hasMessageContaining("endpoint.port");
  }

  @Test
  void theRetryDefaultsAreOneSecondDoublingUpToFiveMinutes() {
    OperatorConfig.RetrySettings retry = OperatorConfig.load(null, Map.of()).retry();
    assertThat(retry.initialInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(retry.multiplier()).isEqualTo(2.0);
    assertThat(retry.maxInterval()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void theRetryMustBePositiveGrowingAndBounded() {
    assertThatThrownBy(() -> load("MANAGEDSECRET_RETRY_INITIAL_INTERVAL", "PT0S"))
        .hasMessage("retry.initialInterval must be at least 1ms; it is PT0S");
    assertThatThrownBy(() -> load("MANAGEDSECRET_RETRY_MAX_INTERVAL", "PT0.5S"))
        .hasMessage("retry.maxInterval must be at least retry.initialInterval; it is PT0.5S");
    assertThatThrownBy(() -> load("MANAGEDSECRET_RETRY_MULTIPLIER", "0.5"))
        .hasMessage("retry.multiplier must be at least 1; it is 0.5");
    assertThatThrownBy(() -> load("MANAGEDSECRET_RETRY_MULTIPLIER", "twice"))
        .hasMessage("retry.multiplier must be a number; it is twice");
  }

  @Test
  void aValueOfTheWrongKindIsRefusedNamingTheField() {
    assertThatThrownBy(() -> load("MANAGEDSECRET_RECONCILE_THREADS", "many"))
        .hasMessage("reconcileThreads must be a number; it is many");
    assertThatThrownBy(() -> load("MANAGEDSECRET_HEALTH_PORT", ""))
        .hasMessageStartingWith("healthPort must be a number");
    assertThatThrownBy(() -> load("MANAGEDSECRET_LEADER_ELECTION", "yes"))
        .hasMessage("leaderElection must be true or false; it is yes");
    assertThatThrownBy(() -> load("MANAGEDSECRET_PURGE_INTERVAL", "1h"))
        .hasMessage("purgeInterval must be an ISO-8601 duration such as PT30S; it is 1h");
  }

  @Test
  void byDefaultTheOperatorsNamespaceIsRefusedAndANamespaceKeepsTenThousandVersionsOf64MiB() {
    OperatorConfig config = OperatorConfig.load(null, Map.of());
    assertThat(config.allowOperatorNamespace()).isFalse();
    assertThat(config.quota().versionsPerNamespace()).isEqualTo(10_000);
    assertThat(config.quota().bytesPerNamespace()).isEqualTo(64L * 1024 * 1024);
  }

  @Test
  void theNamespaceQuotaMustBePositive() {
    assertThatThrownBy(() -> load("MANAGEDSECRET_QUOTA_VERSIONS_PER_NAMESPACE", "0"))
        .hasMessage("quota.versionsPerNamespace must be at least 1; it is 0");
    assertThatThrownBy(() -> load("MANAGEDSECRET_QUOTA_BYTES_PER_NAMESPACE", "-1"))
        .hasMessage("quota.bytesPerNamespace must be at least 1; it is -1");
  }

  @Test
  void sealingKeysAreRenewedEveryThirtyDaysByDefaultAndNoNamespaceIsSealedOnly() {
    OperatorConfig.SealingSettings sealing = OperatorConfig.load(null, Map.of()).sealing();
    assertThat(sealing.renewalInterval()).isEqualTo(Duration.ofDays(30));
    assertThat(sealing.retiredKeys()).isEmpty();
    assertThat(sealing.sealedOnlyNamespaceSelector()).isNull();
    assertThat(
            load("MANAGEDSECRET_SEALING_RETIRED_KEYS", "3f2a9c0d1b7e4a55,0011223344556677")
                .sealing()
                .retiredKeys())
        .containsExactly("3f2a9c0d1b7e4a55", "0011223344556677");
  }

  @Test
  void theSealingSettingsAreRefusedNamingTheField() {
    assertThatThrownBy(() -> load("MANAGEDSECRET_SEALING_RENEWAL_INTERVAL", "PT59M"))
        .hasMessage("sealing.renewalInterval must be at least 1 hour; it is PT59M");
    assertThatThrownBy(() -> load("MANAGEDSECRET_SEALING_RETIRED_KEYS", "not a key id"))
        .hasMessage("sealing.retiredKeys: not a key id is not a sealing key id");
    assertThatThrownBy(
            () -> load("MANAGEDSECRET_SEALING_SEALED_ONLY_NAMESPACE_SELECTOR", "env in (prod)"))
        .hasMessage("sealing.sealedOnlyNamespaceSelector: 'env in (prod)' is not a label key");
  }

  private static OperatorConfig load(String variable, String value) {
    return OperatorConfig.load(null, Map.of(variable, value));
  }
}
