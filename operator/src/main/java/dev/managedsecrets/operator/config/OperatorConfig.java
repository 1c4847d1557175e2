package dev.managedsecrets.operator.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
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

  @JsonPropertyDescription(
      "How often secrets past their recovery window are purged and KMS keys past their pending"
          + " window deleted.")
  public Duration purgeInterval = Duration.ofHours(1);

  @JsonPropertyDescription(
      "Longest time between two reconciles of an unchanged ManagedSecret (a full resync).")
  public Duration resyncInterval = Duration.ofHours(10);

  @JsonPropertyDescription("How many ManagedSecrets are reconciled at the same time.")
  public int reconcileThreads = 20;

  @JsonPropertyDescription(
      "The backing store of versions: type kubernetes (default) or postgres. See StoreConfig.")
  public StoreConfig store = new StoreConfig();

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
    config.loadKmsOverrides(env);
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
    if (resyncInterval.isNegative() || resyncInterval.isZero()) {
      throw new IllegalArgumentException("resyncInterval must be positive");
    }
    if (reconcileThreads < 1 || reconcileThreads > 1000) {
      throw new IllegalArgumentException(
          "reconcileThreads must be 1-1000; it is " + reconcileThreads);
    }
    store.check();
    checkKms();
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

  // ---- KMS providers (docs/KMS.md) ----

  @JsonPropertyDescription(
      "The KMS: the provider of the default key alias/managedsecrets and each provider's settings.")
  public KmsSettings kms = new KmsSettings();

  /** The kms section. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public static final class KmsSettings {
    @JsonPropertyDescription(
        "Provider of the default key: local (the keyring Secret), pkcs11 (an HSM) or aws-kms."
            + " Env: MANAGEDSECRET_KMS_PROVIDER.")
    public String provider = "local";

    @JsonPropertyDescription("Settings of the pkcs11 provider.")
    public Pkcs11Settings pkcs11 = new Pkcs11Settings();

    @JsonPropertyDescription("Settings of the aws-kms provider.")
    public AwsKmsSettings awsKms = new AwsKmsSettings();
  }

  /** kms.pkcs11: a token reached through the JDK's SunPKCS11. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public static final class Pkcs11Settings {
    @JsonPropertyDescription(
        "Path of the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so. Env:"
            + " MANAGEDSECRET_KMS_PKCS11_LIBRARY.")
    public String library;

    @JsonPropertyDescription(
        "Label of the token to use (one of tokenLabel, slot, slotListIndex; none: the first"
            + " slot). Env: MANAGEDSECRET_KMS_PKCS11_TOKEN_LABEL.")
    public String tokenLabel;

    @JsonPropertyDescription("Slot id of the token. Env: MANAGEDSECRET_KMS_PKCS11_SLOT.")
    public Long slot;

    @JsonPropertyDescription(
        "Index of the token's slot in the slot list. Env:"
            + " MANAGEDSECRET_KMS_PKCS11_SLOT_LIST_INDEX.")
    public Integer slotListIndex;

    @JsonPropertyDescription(
        "File holding the user PIN (a mounted Secret). The PIN may instead come from the"
            + " environment variable MANAGEDSECRET_KMS_PKCS11_PIN; it is never read from this"
            + " file. Env: MANAGEDSECRET_KMS_PKCS11_PIN_FILE.")
    public String pinFile;

    @JsonPropertyDescription(
        "Prefix of the labels of the key objects: <prefix><keyId>/<material version>. Env:"
            + " MANAGEDSECRET_KMS_PKCS11_LABEL_PREFIX.")
    public String labelPrefix = "managedsecrets/";

    /** The PIN from MANAGEDSECRET_KMS_PKCS11_PIN; never from the configuration file. */
    @JsonIgnore public String pin;
  }

  /** kms.awsKms: AWS KMS through the AWS SDK v2. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public static final class AwsKmsSettings {
    @JsonPropertyDescription("AWS region of the keys. Env: MANAGEDSECRET_KMS_AWS_REGION.")
    public String region;

    @JsonPropertyDescription(
        "Endpoint instead of the region's (a VPC endpoint, a FIPS endpoint). Env:"
            + " MANAGEDSECRET_KMS_AWS_ENDPOINT.")
    public String endpoint;

    @JsonPropertyDescription(
        "Prefix of the aliases of the AWS keys: <prefix><keyId>/<material version>. Env:"
            + " MANAGEDSECRET_KMS_AWS_ALIAS_PREFIX.")
    public String aliasPrefix = "alias/managedsecrets/";
  }

  static final List<String> KMS_PROVIDERS = List.of("local", "pkcs11", "aws-kms");

  private void loadKmsOverrides(Map<String, String> env) {
    kms.provider = env.getOrDefault("MANAGEDSECRET_KMS_PROVIDER", kms.provider);
    Pkcs11Settings p = kms.pkcs11;
    p.library = env.getOrDefault("MANAGEDSECRET_KMS_PKCS11_LIBRARY", p.library);
    p.tokenLabel = env.getOrDefault("MANAGEDSECRET_KMS_PKCS11_TOKEN_LABEL", p.tokenLabel);
    if (env.containsKey("MANAGEDSECRET_KMS_PKCS11_SLOT")) {
      p.slot = Long.parseLong(env.get("MANAGEDSECRET_KMS_PKCS11_SLOT").trim());
    }
    if (env.containsKey("MANAGEDSECRET_KMS_PKCS11_SLOT_LIST_INDEX")) {
      p.slotListIndex =
          Integer.parseInt(env.get("MANAGEDSECRET_KMS_PKCS11_SLOT_LIST_INDEX").trim());
    }
    p.pinFile = env.getOrDefault("MANAGEDSECRET_KMS_PKCS11_PIN_FILE", p.pinFile);
    p.pin = env.getOrDefault("MANAGEDSECRET_KMS_PKCS11_PIN", p.pin);
    p.labelPrefix = env.getOrDefault("MANAGEDSECRET_KMS_PKCS11_LABEL_PREFIX", p.labelPrefix);
    AwsKmsSettings a = kms.awsKms;
    a.region = env.getOrDefault("MANAGEDSECRET_KMS_AWS_REGION", a.region);
    a.endpoint = env.getOrDefault("MANAGEDSECRET_KMS_AWS_ENDPOINT", a.endpoint);
    a.aliasPrefix = env.getOrDefault("MANAGEDSECRET_KMS_AWS_ALIAS_PREFIX", a.aliasPrefix);
  }

  private void checkKms() {
    if (kms == null || !KMS_PROVIDERS.contains(kms.provider)) {
      throw new IllegalArgumentException(
          "kms.provider must be one of "
              + KMS_PROVIDERS
              + "; it is "
              + (kms == null ? null : kms.provider));
    }
    Pkcs11Settings p = kms.pkcs11;
    long selectors =
        java.util.stream.Stream.of(p.tokenLabel, p.slot, p.slotListIndex)
            .filter(java.util.Objects::nonNull)
            .count();
    if (selectors > 1) {
      throw new IllegalArgumentException(
          "kms.pkcs11: give one of tokenLabel, slot and slotListIndex, not several");
    }
    if (kms.provider.equals("pkcs11")) {
      if (p.library == null || p.library.isBlank()) {
        throw new IllegalArgumentException("kms.provider pkcs11 needs kms.pkcs11.library");
      }
      if (p.pin == null && p.pinFile == null) {
        throw new IllegalArgumentException(
            "kms.provider pkcs11 needs kms.pkcs11.pinFile or MANAGEDSECRET_KMS_PKCS11_PIN");
      }
    }
    if (kms.provider.equals("aws-kms")
        && (kms.awsKms.region == null || kms.awsKms.region.isBlank())) {
      throw new IllegalArgumentException("kms.provider aws-kms needs kms.awsKms.region");
    }
  }

  // ---- end of KMS providers ----
}
