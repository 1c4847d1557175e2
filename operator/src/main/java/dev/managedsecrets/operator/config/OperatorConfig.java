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
      "Longest time between two reconciles of an unchanged ManagedSecret (a full resync).")
  public Duration resyncInterval = Duration.ofHours(10);

  @JsonPropertyDescription("How many ManagedSecrets are reconciled at the same time.")
  public int reconcileThreads = 20;

  @JsonPropertyDescription(
      "The backing store of versions: type kubernetes (default) or postgres. See StoreConfig.")
  public StoreConfig store = new StoreConfig();

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
    if (env.containsKey("MANAGEDSECRET_RESYNC_INTERVAL")) {
      config.resyncInterval = Duration.parse(env.get("MANAGEDSECRET_RESYNC_INTERVAL"));
    }
    if (env.containsKey("MANAGEDSECRET_RECONCILE_THREADS")) {
      config.reconcileThreads = Integer.parseInt(env.get("MANAGEDSECRET_RECONCILE_THREADS"));
    }
    if (config.store == null) {
      config.store = new StoreConfig();
    }
    config.store.applyEnv(env);
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
    if (resyncInterval.isNegative() || resyncInterval.isZero()) {
      throw new IllegalArgumentException("resyncInterval must be positive");
    }
    if (reconcileThreads < 1 || reconcileThreads > 1000) {
      throw new IllegalArgumentException(
          "reconcileThreads must be 1-1000; it is " + reconcileThreads);
    }
    store.check();
  }
}
