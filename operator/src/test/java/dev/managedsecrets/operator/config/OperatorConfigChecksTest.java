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
  void theApiRateLimitIsFiftyPerSecondWithABurstOfAHundredByDefault() {
    OperatorConfig.ApiSettings api = OperatorConfig.load(null, Map.of()).api();
    assertThat(api.qps()).isEqualTo(50.0);
    assertThat(api.burst()).isEqualTo(100);
    OperatorConfig.ApiSettings set =
        OperatorConfig.load(
                null, Map.of("MANAGEDSECRET_API_QPS", "2.5", "MANAGEDSECRET_API_BURST", "7"))
            .api();
    assertThat(set.qps()).isEqualTo(2.5);
    assertThat(set.burst()).isEqualTo(7);
  }

  @Test
  void theApiRateMustBeAboveZeroAndTheBurstAtLeastOne() {
    for (String qps : new String[] {"0", "-1", "NaN", "Infinity"}) {
      assertThatThrownBy(() -> load("MANAGEDSECRET_API_QPS", qps))
          .as("qps %s", qps)
          .hasMessageStartingWith("api.qps must be a number of requests per second above 0");
    }
    assertThatThrownBy(() -> load("MANAGEDSECRET_API_BURST", "0"))
        .hasMessage("api.burst must be at least 1; it is 0");
    assertThatThrownBy(() -> load("MANAGEDSECRET_API_QPS", "fast"))
        .hasMessage("api.qps must be a number; it is fast");
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

  @Test
  void byDefaultThereIsNoPeerRegionAndAReplicaWaitsAnHourBeforeItIsOrphaned() {
    OperatorConfig config = OperatorConfig.load(null, Map.of());
    assertThat(config.replication().peers()).isEmpty();
    assertThat(config.replication().orphanAfter()).isEqualTo(Duration.ofHours(1));
    assertThat(config.replication().requestTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.regions().own()).isEqualTo("local");
    assertThat(config.regions().peers()).isEmpty();
  }

  @Test
  void peersComeFromTheEnvironmentAsAYamlListAndTakeTheOperatorsNamespaceByDefault() {
    OperatorConfig config =
        OperatorConfig.load(
            null,
            Map.of(
                "MANAGEDSECRET_NAMESPACE", "ops",
                "MANAGEDSECRET_REGION", "us-east-1",
                "MANAGEDSECRET_REPLICATION_PEERS",
                    "[{region: eu-west-1, kubeconfigSecret: peer-eu},"
                        + " {region: ap-south-1, kubeconfigSecret: peer-ap, namespace: other}]"));
    assertThat(config.replication().peers())
        .containsExactly(
            new OperatorConfig.Peer("eu-west-1", "peer-eu", "ops"),
            new OperatorConfig.Peer("ap-south-1", "peer-ap", "other"));
    assertThat(config.replication().peerRegions()).containsExactly("eu-west-1", "ap-south-1");
    assertThat(config.replication().peer("ap-south-1").orElseThrow().kubeconfigSecret())
        .isEqualTo("peer-ap");
    assertThat(config.replication().peer("us-west-2")).isEmpty();
    assertThat(config.regions().own()).isEqualTo("us-east-1");
    assertThat(config.regions().peers()).containsExactly("eu-west-1", "ap-south-1");
    assertThatThrownBy(() -> config.replication().peers().add(null))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void peersAreRefusedNamingTheFieldWhenTheyCannotBeReplicatedTo() {
    Map<String, String> refused =
        Map.of(
            "[{region: local, kubeconfigSecret: k}]",
                "replication.peers: local is the operator's own region; a peer is another region",
            "[{region: eu-west-1, kubeconfigSecret: a}, {region: eu-west-1, kubeconfigSecret: b}]",
                "replication.peers: region eu-west-1 is listed more than once",
            "[{region: EU_West, kubeconfigSecret: k}]",
                "replication.peers: region must be 1-32 of [a-z0-9-] starting with a letter; it is"
                    + " EU_West",
            "[{region: 1west, kubeconfigSecret: k}]",
                "replication.peers: region must be 1-32 of [a-z0-9-] starting with a letter; it is"
                    + " 1west",
            "[{region: eu-west-1}]",
                "replication.peers: region eu-west-1 needs kubeconfigSecret, the name of a Secret (a"
                    + " DNS subdomain) in the operator's namespace; it is null",
            "[{region: eu-west-1, kubeconfigSecret: Bad_Name}]",
                "replication.peers: region eu-west-1 needs kubeconfigSecret, the name of a Secret (a"
                    + " DNS subdomain) in the operator's namespace; it is Bad_Name",
            "[{region: eu-west-1, kubeconfigSecret: k, namespace: Not.A.Namespace}]",
                "replication.peers: region eu-west-1 has namespace Not.A.Namespace, which is not a"
                    + " namespace name",
            "eu-west-1",
                "replication.peers must be a YAML list of mappings, such as [{region: eu-west-1,"
                    + " kubeconfigSecret: peer-eu-west-1}]");
    refused.forEach(
        (peers, message) ->
            assertThatThrownBy(() -> load("MANAGEDSECRET_REPLICATION_PEERS", peers))
                .as(peers)
                .hasMessage(message));
    assertThatThrownBy(
            () -> load("MANAGEDSECRET_REPLICATION_PEERS", "[{region: eu-west-1, kubeconfig: k}]"))
        .hasMessageContaining("kubeconfig");
  }

  @Test
  void replicationTimingsAreBounded() {
    assertThatThrownBy(() -> load("MANAGEDSECRET_REPLICATION_ORPHAN_AFTER", "PT30S"))
        .hasMessage("replication.orphanAfter must be PT1M-P30D; it is PT30S");
    assertThatThrownBy(() -> load("MANAGEDSECRET_REPLICATION_REQUEST_TIMEOUT", "PT0S"))
        .hasMessage("replication.requestTimeout must be PT1S-PT5M; it is PT0S");
  }
}
