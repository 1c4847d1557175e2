package dev.managedsecrets.operator.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The operator's one typed configuration: a YAML file (mounted by the Helm chart), every field
 * overridable by an environment variable MANAGEDSECRET_&lt;FIELD IN UPPER SNAKE CASE&gt;.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public final class OperatorConfig {

  @JsonPropertyDescription(
      "Namespace of the operator: its store, keyring and Lease live here. Env: POD_NAMESPACE or"
          + " MANAGEDSECRET_NAMESPACE.")
  public String namespace = "managedsecret-system";

  @JsonPropertyDescription("Home region, used in ARNs.")
  public String region = "local";

  @JsonPropertyDescription("ARN partition.")
  public String partition = "k8s";

  @JsonPropertyDescription(
      "12-digit account id in ARNs. Default: derived from the kube-system namespace's UID.")
  public String accountId;

  @JsonPropertyDescription("Namespaces whose ManagedSecrets are reconciled; empty: all.")
  public List<String> watchNamespaces = new ArrayList<>();

  @JsonPropertyDescription("How often a fromSecret source is read again for changes.")
  public Duration fromSecretPollInterval = Duration.ofSeconds(60);

  @JsonPropertyDescription("How often secrets past their recovery window are purged.")
  public Duration purgeInterval = Duration.ofHours(1);

  @JsonPropertyDescription(
      "Leader election through a Lease in the operator's namespace: only the leader reconciles."
          + " Needed when more than one replica runs.")
  public boolean leaderElection = false;

  @JsonPropertyDescription("Name of the Lease that leader election holds.")
  public String leaseName = "managedsecret-operator";

  @JsonPropertyDescription("How long a Lease is valid without renewal: the longest takeover time.")
  public Duration leaseDuration = Duration.ofSeconds(15);

  @JsonPropertyDescription("How long the leader keeps trying to renew before it gives up.")
  public Duration leaseRenewDeadline = Duration.ofSeconds(10);

  @JsonPropertyDescription("How often the Lease is renewed, and acquisition retried.")
  public Duration leaseRetryPeriod = Duration.ofSeconds(2);

  @JsonPropertyDescription("Port of /healthz and /readyz (0: any free port).")
  public int healthPort = 8081;

  @JsonPropertyDescription(
      "Port of /metrics in Prometheus text format (0: any free port; the health port's number:"
          + " one server for both).")
  public int metricsPort = 8080;

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .findAndRegisterModules()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  /** Reads the file (when given) and applies the environment's overrides. */
  public static OperatorConfig load(Path file, Map<String, String> env) {
    OperatorConfig config;
    if (file != null) {
      try {
        config = YAML.readValue(Files.readAllBytes(file), OperatorConfig.class);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "Could not read the configuration " + file + ": " + e.getMessage(), e);
      }
    } else {
      config = new OperatorConfig();
    }
    String ns = env.getOrDefault("MANAGEDSECRET_NAMESPACE", env.get("POD_NAMESPACE"));
    if (ns != null && !ns.isBlank()) {
      config.namespace = ns;
    }
    config.region = env.getOrDefault("MANAGEDSECRET_REGION", config.region);
    config.partition = env.getOrDefault("MANAGEDSECRET_PARTITION", config.partition);
    config.accountId = env.getOrDefault("MANAGEDSECRET_ACCOUNT_ID", config.accountId);
    if (env.containsKey("MANAGEDSECRET_WATCH_NAMESPACES")) {
      config.watchNamespaces =
          Arrays.stream(env.get("MANAGEDSECRET_WATCH_NAMESPACES").split(","))
              .map(String::trim)
              .filter(s -> !s.isEmpty())
              .toList();
    }
    if (env.containsKey("MANAGEDSECRET_FROM_SECRET_POLL_INTERVAL")) {
      config.fromSecretPollInterval =
          Duration.parse(env.get("MANAGEDSECRET_FROM_SECRET_POLL_INTERVAL"));
    }
    if (env.containsKey("MANAGEDSECRET_PURGE_INTERVAL")) {
      config.purgeInterval = Duration.parse(env.get("MANAGEDSECRET_PURGE_INTERVAL"));
    }
    if (env.containsKey("MANAGEDSECRET_LEADER_ELECTION")) {
      config.leaderElection = Boolean.parseBoolean(env.get("MANAGEDSECRET_LEADER_ELECTION"));
    }
    config.leaseName = env.getOrDefault("MANAGEDSECRET_LEASE_NAME", config.leaseName);
    if (env.containsKey("MANAGEDSECRET_LEASE_DURATION")) {
      config.leaseDuration = Duration.parse(env.get("MANAGEDSECRET_LEASE_DURATION"));
    }
    if (env.containsKey("MANAGEDSECRET_LEASE_RENEW_DEADLINE")) {
      config.leaseRenewDeadline = Duration.parse(env.get("MANAGEDSECRET_LEASE_RENEW_DEADLINE"));
    }
    if (env.containsKey("MANAGEDSECRET_LEASE_RETRY_PERIOD")) {
      config.leaseRetryPeriod = Duration.parse(env.get("MANAGEDSECRET_LEASE_RETRY_PERIOD"));
    }
    if (env.containsKey("MANAGEDSECRET_HEALTH_PORT")) {
      config.healthPort = Integer.parseInt(env.get("MANAGEDSECRET_HEALTH_PORT"));
    }
    if (env.containsKey("MANAGEDSECRET_METRICS_PORT")) {
      config.metricsPort = Integer.parseInt(env.get("MANAGEDSECRET_METRICS_PORT"));
    }
    config.check();
    return config;
  }

  /** Refuses values the operator cannot run with, naming the field. */
  public void check() {
    if (accountId != null && !accountId.matches("[0-9]{12}")) {
      throw new IllegalArgumentException("accountId must be 12 digits; it is " + accountId);
    }
    if (region == null || !region.matches("[a-z0-9-]{1,32}")) {
      throw new IllegalArgumentException("region must be 1-32 of [a-z0-9-]; it is " + region);
    }
    if (fromSecretPollInterval.isNegative() || fromSecretPollInterval.isZero()) {
      throw new IllegalArgumentException("fromSecretPollInterval must be positive");
    }
    if (purgeInterval.isNegative() || purgeInterval.isZero()) {
      throw new IllegalArgumentException("purgeInterval must be positive");
    }
    if (leaseName == null || !leaseName.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
      throw new IllegalArgumentException("leaseName must be a DNS subdomain; it is " + leaseName);
    }
    if (leaseRetryPeriod.isNegative()
        || leaseRetryPeriod.isZero()
        || leaseRetryPeriod.compareTo(leaseRenewDeadline) >= 0
        || leaseRenewDeadline.compareTo(leaseDuration) >= 0) {
      throw new IllegalArgumentException(
          "Lease timing must be 0 < leaseRetryPeriod < leaseRenewDeadline < leaseDuration");
    }
    for (int port : new int[] {healthPort, metricsPort}) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("healthPort and metricsPort must be 0-65535");
      }
    }
  }
}
