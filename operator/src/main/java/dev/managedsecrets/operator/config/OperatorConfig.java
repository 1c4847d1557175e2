package dev.managedsecrets.operator.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.managedsecrets.core.validation.Regions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The operator's one typed configuration, an immutable value: a YAML file (mounted by the Helm
 * chart), every field overridable by an environment variable MANAGEDSECRET_&lt;PATH IN UPPER SNAKE
 * CASE&gt; (store.jdbcUrl: MANAGEDSECRET_STORE_JDBC_URL). Each component's default is its {@code
 * defaultValue}, written as in the environment; {@link ConfigLoader} reads the file and the
 * environment over the defaults and lists the variables named otherwise.
 */
public record OperatorConfig(
    @JsonPropertyDescription(
            "Namespace of the operator: its store, keyring and Lease live here. Env: POD_NAMESPACE"
                + " or MANAGEDSECRET_NAMESPACE.")
        @JsonProperty(defaultValue = "managedsecret-system")
        String namespace,
    @JsonPropertyDescription("Home region, used in ARNs.") @JsonProperty(defaultValue = "local")
        String region,
    @JsonPropertyDescription("ARN partition.") @JsonProperty(defaultValue = "k8s") String partition,
    @JsonPropertyDescription(
            "12-digit account id in ARNs. Default: derived from the kube-system namespace's UID.")
        String accountId,
    @JsonPropertyDescription("Namespaces whose ManagedSecrets are reconciled; empty: all.")
        List<String> watchNamespaces,
    @JsonPropertyDescription(
            "Reconcile ManagedSecrets in the operator's own namespace. Off: they are refused with"
                + " AccessDeniedException, since the store, the keyring and the credentials live"
                + " there. Either way the operator's own Secrets and service account tokens are"
                + " never a fromSecret source.")
        @JsonProperty(defaultValue = "false")
        boolean allowOperatorNamespace,
    @JsonPropertyDescription(
            "Bounds of what the ManagedSecrets of one namespace may keep in the store together.")
        QuotaSettings quota,
    @JsonPropertyDescription(
            "How often a fromSecret source is read again for changes, and a target name held by a"
                + " Secret that is not the operator's looked at again.")
        @JsonProperty(defaultValue = "PT60S")
        Duration fromSecretPollInterval,
    @JsonPropertyDescription(
            "How often secrets past their recovery window are purged and KMS keys past their"
                + " pending window deleted.")
        @JsonProperty(defaultValue = "PT1H")
        Duration purgeInterval,
    @JsonPropertyDescription(
            "Longest time between two reconciles of an unchanged ManagedSecret (a full resync);"
                + " each comes between 80% and 100% of it, drawn afresh, so that ManagedSecrets"
                + " created together do not resync together.")
        @JsonProperty(defaultValue = "PT10H")
        Duration resyncInterval,
    @JsonPropertyDescription("How many ManagedSecrets are reconciled at the same time.")
        @JsonProperty(defaultValue = "20")
        int reconcileThreads,
    @JsonPropertyDescription(
            "Client-side rate limit of the operator's Kubernetes API requests: a token bucket of"
                + " qps and burst on each of its clients.")
        ApiSettings api,
    @JsonPropertyDescription(
            "Back-off of a failed reconcile, for ManagedSecrets and KmsKeys alike; retried without"
                + " end.")
        RetrySettings retry,
    @JsonPropertyDescription(
            "The backing store of versions: type kubernetes (default) or postgres. See"
                + " StoreConfig.")
        StoreConfig store,
    @JsonPropertyDescription(
            "Leader election through a Lease in the operator's namespace: only the leader"
                + " reconciles. Needed when more than one replica runs.")
        @JsonProperty(defaultValue = "false")
        boolean leaderElection,
    @JsonPropertyDescription("Name of the Lease that leader election holds.")
        @JsonProperty(defaultValue = "managedsecret-operator")
        String leaseName,
    @JsonPropertyDescription(
            "How long a Lease is valid without renewal: the longest takeover time.")
        @JsonProperty(defaultValue = "PT15S")
        Duration leaseDuration,
    @JsonPropertyDescription("How long the leader keeps trying to renew before it gives up.")
        @JsonProperty(defaultValue = "PT10S")
        Duration leaseRenewDeadline,
    @JsonPropertyDescription("How often the Lease is renewed, and acquisition retried.")
        @JsonProperty(defaultValue = "PT2S")
        Duration leaseRetryPeriod,
    @JsonPropertyDescription("Port of /healthz and /readyz (0: any free port).")
        @JsonProperty(defaultValue = "8081")
        int healthPort,
    @JsonPropertyDescription(
            "Port of /metrics in Prometheus text format (0: any free port; the health port's"
                + " number: one server for both).")
        @JsonProperty(defaultValue = "8080")
        int metricsPort,
    @JsonPropertyDescription(
            "The KMS: the provider of the default key alias/managedsecrets and each provider's"
                + " settings.")
        KmsSettings kms,
    @JsonPropertyDescription(
            "The Secrets Manager endpoint: AWS's wire protocol on its own port (docs/ENDPOINT.md).")
        EndpointConfig endpoint,
    @JsonPropertyDescription(
            "Sealed values (GitOps): renewal and retirement of the sealing keys, and the namespaces"
                + " that accept only sealed values.")
        SealingSettings sealing,
    @JsonPropertyDescription(
            "Rotation of database credentials (strategies postgres-single-user and"
                + " postgres-alternating-users): the hosts the operator may connect to, how many"
                + " rotations run at once, and the connections' timeouts.")
        RotationSettings rotation,
    @JsonPropertyDescription(
            "Replica regions (docs/REPLICATION.md): the peer regions this operator may replicate"
                + " ManagedSecrets to, each another cluster running the same operator, and the"
                + " timeouts of the calls to them.")
        ReplicationSettings replication) {

  static final List<String> KMS_PROVIDERS = List.of("local", "pkcs11", "aws-kms");

  public OperatorConfig {
    watchNamespaces = watchNamespaces == null ? List.of() : List.copyOf(watchNamespaces);
    replication = replication == null ? null : replication.inNamespace(namespace);
  }

  /** The own region and the peer regions, as a ManagedSecret's replica regions are checked. */
  public Regions regions() {
    return new Regions(region, replication == null ? List.of() : replication.peerRegions());
  }

  /**
   * Reads the file (when given) over the defaults, and the environment's variables over both;
   * refuses values the operator cannot run with, naming the field.
   */
  public static OperatorConfig load(Path file, Map<String, String> env) {
    return ConfigLoader.load(file, env);
  }

  /** Refuses values the operator cannot run with, naming the field. */
  void check() {
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
    retry.check();
    api.check();
    quota.check();
    store.check();
    kms.check();
    endpoint.check();
    sealing.check();
    rotation.check();
    replication.check(region);
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

  /** The retry section: the back-off of both controllers (java-operator-sdk's GenericRetry). */
  public record RetrySettings(
      @JsonPropertyDescription(
              "Wait before the first retry of a failed reconcile. Env:"
                  + " MANAGEDSECRET_RETRY_INITIAL_INTERVAL.")
          @JsonProperty(defaultValue = "PT1S")
          Duration initialInterval,
      @JsonPropertyDescription(
              "Each wait is the previous one times this (at least 1). Env:"
                  + " MANAGEDSECRET_RETRY_MULTIPLIER.")
          @JsonProperty(defaultValue = "2")
          double multiplier,
      @JsonPropertyDescription(
              "Longest wait between two retries. Env: MANAGEDSECRET_RETRY_MAX_INTERVAL.")
          @JsonProperty(defaultValue = "PT5M")
          Duration maxInterval) {

    void check() {
      if (initialInterval.toMillis() < 1) {
        throw new IllegalArgumentException(
            "retry.initialInterval must be at least 1ms; it is " + initialInterval);
      }
      if (maxInterval.compareTo(initialInterval) < 0) {
        throw new IllegalArgumentException(
            "retry.maxInterval must be at least retry.initialInterval; it is " + maxInterval);
      }
      if (!(multiplier >= 1)) {
        throw new IllegalArgumentException(
            "retry.multiplier must be at least 1; it is " + multiplier);
      }
    }
  }

  /**
   * The api section: the token bucket each of the operator's Kubernetes clients (its own, the
   * Secrets Manager endpoint's, each peer region's) takes a token from before every request.
   */
  public record ApiSettings(
      @JsonPropertyDescription(
              "Requests per second each of the operator's Kubernetes clients sends once its burst is"
                  + " spent (more than 0; fractions allowed). Env: MANAGEDSECRET_API_QPS.")
          @JsonProperty(defaultValue = "50")
          double qps,
      @JsonPropertyDescription(
              "Requests a client may send at once, without waiting, after it was idle (at least 1)."
                  + " Env: MANAGEDSECRET_API_BURST.")
          @JsonProperty(defaultValue = "100")
          int burst) {

    void check() {
      if (!(qps > 0) || Double.isInfinite(qps)) {
        throw new IllegalArgumentException(
            "api.qps must be a number of requests per second above 0; it is " + qps);
      }
      if (burst < 1) {
        throw new IllegalArgumentException("api.burst must be at least 1; it is " + burst);
      }
    }
  }

  /**
   * The quota section: what one namespace's ManagedSecrets keep in the store together, counted from
   * the store's records (every version it lists, and the size of its envelope).
   */
  public record QuotaSettings(
      @JsonPropertyDescription(
              "Most versions the secrets of one namespace keep in the store, those in their"
                  + " recovery window included. Env: MANAGEDSECRET_QUOTA_VERSIONS_PER_NAMESPACE.")
          @JsonProperty(defaultValue = "10000")
          long versionsPerNamespace,
      @JsonPropertyDescription(
              "Most bytes of envelopes (ciphertext) the secrets of one namespace keep in the store."
                  + " Env: MANAGEDSECRET_QUOTA_BYTES_PER_NAMESPACE.")
          @JsonProperty(defaultValue = "67108864")
          long bytesPerNamespace) {

    void check() {
      if (versionsPerNamespace < 1) {
        throw new IllegalArgumentException(
            "quota.versionsPerNamespace must be at least 1; it is " + versionsPerNamespace);
      }
      if (bytesPerNamespace < 1) {
        throw new IllegalArgumentException(
            "quota.bytesPerNamespace must be at least 1; it is " + bytesPerNamespace);
      }
    }
  }

  /** The sealing section: the keys of sealed values and where plain values are refused. */
  public record SealingSettings(
      @JsonPropertyDescription(
              "How old the current sealing key gets before the operator makes a new one (older keys"
                  + " are kept, so everything sealed for them still opens). Env:"
                  + " MANAGEDSECRET_SEALING_RENEWAL_INTERVAL.")
          @JsonProperty(defaultValue = "P30D")
          Duration renewalInterval,
      @JsonPropertyDescription(
              "Ids of sealing keys to retire (after a compromise): values sealed for them are"
                  + " refused with InvalidRequestException; a retired current key is replaced at"
                  + " once. Env: MANAGEDSECRET_SEALING_RETIRED_KEYS (comma-separated).")
          List<String> retiredKeys,
      @JsonPropertyDescription(
              "A label selector of namespaces (key=value, key!=value, key, !key; comma-separated)"
                  + " whose ManagedSecrets may hold no plain value: data, secretString and"
                  + " secretBinary are refused with ValidationException there. Empty: none. Env:"
                  + " MANAGEDSECRET_SEALING_SEALED_ONLY_NAMESPACE_SELECTOR.")
          String sealedOnlyNamespaceSelector,
      @JsonPropertyDescription(
              "Port of the re-seal endpoint (POST /v1/reseal), which kubectl managedsecret seal"
                  + " --re-encrypt reaches through the API server's service proxy: it seals the"
                  + " sealed values of a manifest again for the current key, the plaintext never"
                  + " leaving the operator (0: any free port). Env:"
                  + " MANAGEDSECRET_SEALING_RESEAL_PORT.")
          @JsonProperty(defaultValue = "8082")
          int resealPort) {

    public SealingSettings {
      retiredKeys = retiredKeys == null ? List.of() : List.copyOf(retiredKeys);
      sealedOnlyNamespaceSelector =
          sealedOnlyNamespaceSelector == null || sealedOnlyNamespaceSelector.isBlank()
              ? null
              : sealedOnlyNamespaceSelector;
    }

    void check() {
      if (resealPort < 0 || resealPort > 65535) {
        throw new IllegalArgumentException(
            "sealing.resealPort must be 0-65535; it is " + resealPort);
      }
      if (renewalInterval.compareTo(Duration.ofHours(1)) < 0) {
        throw new IllegalArgumentException(
            "sealing.renewalInterval must be at least 1 hour; it is " + renewalInterval);
      }
      for (String id : retiredKeys) {
        if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
          throw new IllegalArgumentException(
              "sealing.retiredKeys: " + id + " is not a sealing key id");
        }
      }
      if (sealedOnlyNamespaceSelector != null) {
        try {
          dev.managedsecrets.operator.sealing.NamespaceSelector.parse(sealedOnlyNamespaceSelector);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "sealing.sealedOnlyNamespaceSelector: " + e.getMessage(), e);
        }
      }
    }
  }

  // ---- KMS providers (docs/KMS.md) ----

  /** The kms section. */
  public record KmsSettings(
      @JsonPropertyDescription(
              "Provider of the default key: local (the keyring Secret), pkcs11 (an HSM) or"
                  + " aws-kms. Env: MANAGEDSECRET_KMS_PROVIDER.")
          @JsonProperty(defaultValue = "local")
          String provider,
      @JsonPropertyDescription("Settings of the pkcs11 provider.") Pkcs11Settings pkcs11,
      @JsonPropertyDescription("Settings of the aws-kms provider.") AwsKmsSettings awsKms) {

    void check() {
      if (!KMS_PROVIDERS.contains(provider)) {
        throw new IllegalArgumentException(
            "kms.provider must be one of " + KMS_PROVIDERS + "; it is " + provider);
      }
      long selectors =
          Stream.of(pkcs11.tokenLabel, pkcs11.slot, pkcs11.slotListIndex)
              .filter(Objects::nonNull)
              .count();
      if (selectors > 1) {
        throw new IllegalArgumentException(
            "kms.pkcs11: give one of tokenLabel, slot and slotListIndex, not several");
      }
      if (provider.equals("pkcs11")) {
        if (pkcs11.library == null || pkcs11.library.isBlank()) {
          throw new IllegalArgumentException("kms.provider pkcs11 needs kms.pkcs11.library");
        }
        if (pkcs11.pin == null && pkcs11.pinFile == null) {
          throw new IllegalArgumentException(
              "kms.provider pkcs11 needs kms.pkcs11.pinFile or MANAGEDSECRET_KMS_PKCS11_PIN");
        }
      }
      if (provider.equals("aws-kms") && (awsKms.region == null || awsKms.region.isBlank())) {
        throw new IllegalArgumentException("kms.provider aws-kms needs kms.awsKms.region");
      }
    }
  }

  /** kms.pkcs11: a token reached through the JDK's SunPKCS11. */
  public record Pkcs11Settings(
      @JsonPropertyDescription(
              "Path of the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so. Env:"
                  + " MANAGEDSECRET_KMS_PKCS11_LIBRARY.")
          String library,
      @JsonPropertyDescription(
              "Label of the token to use (one of tokenLabel, slot, slotListIndex; none: the first"
                  + " slot). Env: MANAGEDSECRET_KMS_PKCS11_TOKEN_LABEL.")
          String tokenLabel,
      @JsonPropertyDescription("Slot id of the token. Env: MANAGEDSECRET_KMS_PKCS11_SLOT.")
          Long slot,
      @JsonPropertyDescription(
              "Index of the token's slot in the slot list. Env:"
                  + " MANAGEDSECRET_KMS_PKCS11_SLOT_LIST_INDEX.")
          Integer slotListIndex,
      @JsonPropertyDescription(
              "File holding the user PIN (a mounted Secret). The PIN may instead come from the"
                  + " environment variable MANAGEDSECRET_KMS_PKCS11_PIN; it is never read from"
                  + " this file. Env: MANAGEDSECRET_KMS_PKCS11_PIN_FILE.")
          String pinFile,
      @JsonPropertyDescription(
              "Prefix of the labels of the key objects: <prefix><keyId>/<material version>. Env:"
                  + " MANAGEDSECRET_KMS_PKCS11_LABEL_PREFIX.")
          @JsonProperty(defaultValue = "managedsecrets/")
          String labelPrefix,
      @JsonPropertyDescription(
              "The user PIN, only from the environment variable MANAGEDSECRET_KMS_PKCS11_PIN;"
                  + " never from the configuration file.")
          String pin) {

    /** Never shows the PIN. */
    @Override
    public String toString() {
      return String.format(
          "Pkcs11Settings[library=%s, tokenLabel=%s, slot=%s, slotListIndex=%s, pinFile=%s,"
              + " labelPrefix=%s, pin=%s]",
          library, tokenLabel, slot, slotListIndex, pinFile, labelPrefix, pin == null ? null : "*");
    }
  }

  /** kms.awsKms: AWS KMS through the AWS SDK v2. */
  public record AwsKmsSettings(
      @JsonPropertyDescription("AWS region of the keys. Env: MANAGEDSECRET_KMS_AWS_REGION.")
          String region,
      @JsonPropertyDescription(
              "Endpoint instead of the region's (a VPC endpoint, a FIPS endpoint). Env:"
                  + " MANAGEDSECRET_KMS_AWS_ENDPOINT.")
          String endpoint,
      @JsonPropertyDescription(
              "Prefix of the aliases of the AWS keys: <prefix><keyId>/<material version>. Env:"
                  + " MANAGEDSECRET_KMS_AWS_ALIAS_PREFIX.")
          @JsonProperty(defaultValue = "alias/managedsecrets/")
          String aliasPrefix) {}

  // ---- end of KMS providers ----

  /** The rotation section: database hosts, concurrency and timeouts of database rotations. */
  public record RotationSettings(
      @JsonPropertyDescription(
              "Database hosts the postgres rotation strategies may connect to, as the value's host"
                  + " key names them (no DNS lookup): a host name (db.example.com), a wildcard of"
                  + " one or more labels (*.example.com), an IP address, or a CIDR block of IP"
                  + " addresses (10.0.0.0/8). Empty (the default): no database rotation; they are"
                  + " refused with InvalidParameterException naming this setting. Env:"
                  + " MANAGEDSECRET_ROTATION_DATABASE_HOSTS (comma-separated).")
          List<String> databaseHosts,
      @JsonPropertyDescription(
              "Most database rotations that run at the same time; one that finds no slot is tried"
                  + " again after retryWhenBusy, without holding a reconcile thread. Env:"
                  + " MANAGEDSECRET_ROTATION_MAX_CONCURRENT.")
          @JsonProperty(defaultValue = "10")
          int maxConcurrent,
      @JsonPropertyDescription(
              "Most database rotations that run at the same time against one database host. Env:"
                  + " MANAGEDSECRET_ROTATION_MAX_CONCURRENT_PER_HOST.")
          @JsonProperty(defaultValue = "2")
          int maxConcurrentPerHost,
      @JsonPropertyDescription(
              "When a rotation that found no free slot is tried again. Env:"
                  + " MANAGEDSECRET_ROTATION_RETRY_WHEN_BUSY.")
          @JsonProperty(defaultValue = "PT10S")
          Duration retryWhenBusy,
      @JsonPropertyDescription(
              "Longest wait for a database connection and its login (TCP, TLS and"
                  + " authentication). Env: MANAGEDSECRET_ROTATION_CONNECT_TIMEOUT.")
          @JsonProperty(defaultValue = "PT10S")
          Duration connectTimeout,
      @JsonPropertyDescription(
              "Longest wait for the database's answer to a statement. Env:"
                  + " MANAGEDSECRET_ROTATION_SOCKET_TIMEOUT.")
          @JsonProperty(defaultValue = "PT30S")
          Duration socketTimeout) {

    public RotationSettings {
      databaseHosts = databaseHosts == null ? List.of() : List.copyOf(databaseHosts);
    }

    void check() {
      try {
        dev.managedsecrets.core.rotation.DatabaseHosts.of(databaseHosts);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("rotation.databaseHosts: " + e.getMessage(), e);
      }
      if (maxConcurrent < 1 || maxConcurrent > 1000) {
        throw new IllegalArgumentException(
            "rotation.maxConcurrent must be 1-1000; it is " + maxConcurrent);
      }
      if (maxConcurrentPerHost < 1 || maxConcurrentPerHost > maxConcurrent) {
        throw new IllegalArgumentException(
            "rotation.maxConcurrentPerHost must be 1-maxConcurrent; it is " + maxConcurrentPerHost);
      }
      for (Duration d : List.of(retryWhenBusy, connectTimeout, socketTimeout)) {
        if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofMinutes(10)) > 0) {
          throw new IllegalArgumentException(
              "rotation.retryWhenBusy, connectTimeout and socketTimeout must be PT1S-PT10M");
        }
      }
    }
  }

  /** The replication section: the peer regions and the timing of replication. */
  public record ReplicationSettings(
      @JsonPropertyDescription(
              "The peer regions ManagedSecrets may be replicated to (spec.replicaRegions names"
                  + " them): each {region, kubeconfigSecret, namespace}. Empty (the default): no"
                  + " replica region is accepted. Env: MANAGEDSECRET_REPLICATION_PEERS (a YAML"
                  + " list, e.g. [{region: eu-west-1, kubeconfigSecret: peer-eu-west-1}]).")
          List<Peer> peers,
      @JsonPropertyDescription(
              "How long a deleted primary waits for a region that cannot be reached to delete its"
                  + " replica; then the deletion completes and the replica is reported orphaned."
                  + " Env: MANAGEDSECRET_REPLICATION_ORPHAN_AFTER.")
          @JsonProperty(defaultValue = "PT1H")
          Duration orphanAfter,
      @JsonPropertyDescription(
              "Longest wait for each call to a peer region's API server. Env:"
                  + " MANAGEDSECRET_REPLICATION_REQUEST_TIMEOUT.")
          @JsonProperty(defaultValue = "PT10S")
          Duration requestTimeout) {

    /** A region's name: a lowercase letter, then at most 31 of lowercase letters, digits and -. */
    private static final String REGION = "[a-z][a-z0-9-]{0,31}";

    private static final String DNS_SUBDOMAIN = "[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?";
    private static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";

    public ReplicationSettings {
      peers = peers == null ? List.of() : List.copyOf(peers);
    }

    /** The peers with each namespace given, the operator's own where a peer names none. */
    ReplicationSettings inNamespace(String operatorNamespace) {
      return new ReplicationSettings(
          peers.stream()
              .map(
                  p ->
                      p == null || p.namespace() != null
                          ? p
                          : new Peer(p.region(), p.kubeconfigSecret(), operatorNamespace))
              .toList(),
          orphanAfter,
          requestTimeout);
    }

    /** The regions of the peers, in their configured order. */
    public List<String> peerRegions() {
      return peers.stream().map(Peer::region).toList();
    }

    /** The peer of a region, if one is configured. */
    public Optional<Peer> peer(String region) {
      return peers.stream().filter(p -> p.region().equals(region)).findFirst();
    }

    void check(String ownRegion) {
      Set<String> seen = new HashSet<>();
      for (Peer p : peers) {
        if (p == null || p.region() == null || !p.region().matches(REGION)) {
          throw new IllegalArgumentException(
              "replication.peers: region must be 1-32 of [a-z0-9-] starting with a letter; it is "
                  + (p == null ? null : p.region()));
        }
        if (p.region().equals(ownRegion)) {
          throw new IllegalArgumentException(
              "replication.peers: "
                  + p.region()
                  + " is the operator's own region; a peer is another region");
        }
        if (!seen.add(p.region())) {
          throw new IllegalArgumentException(
              "replication.peers: region " + p.region() + " is listed more than once");
        }
        if (p.kubeconfigSecret() == null || !p.kubeconfigSecret().matches(DNS_SUBDOMAIN)) {
          throw new IllegalArgumentException(
              "replication.peers: region "
                  + p.region()
                  + " needs kubeconfigSecret, the name of a Secret (a DNS subdomain) in the"
                  + " operator's namespace; it is "
                  + p.kubeconfigSecret());
        }
        if (p.namespace() != null && !p.namespace().matches(DNS_LABEL)) {
          throw new IllegalArgumentException(
              "replication.peers: region "
                  + p.region()
                  + " has namespace "
                  + p.namespace()
                  + ", which is not a namespace name");
        }
      }
      if (orphanAfter.compareTo(Duration.ofMinutes(1)) < 0
          || orphanAfter.compareTo(Duration.ofDays(30)) > 0) {
        throw new IllegalArgumentException(
            "replication.orphanAfter must be PT1M-P30D; it is " + orphanAfter);
      }
      if (requestTimeout.compareTo(Duration.ofSeconds(1)) < 0
          || requestTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException(
            "replication.requestTimeout must be PT1S-PT5M; it is " + requestTimeout);
      }
    }
  }

  /**
   * A peer region: another cluster where the same operator runs with its own store and KMS.
   *
   * @param region the peer's region, as its operator's config.region names it
   * @param kubeconfigSecret a Secret in this operator's namespace whose key {@code kubeconfig}
   *     holds the peer cluster's kubeconfig
   * @param namespace the peer operator's namespace (default: this operator's)
   */
  public record Peer(
      @JsonPropertyDescription("The peer's region, as its operator's config.region names it.")
          String region,
      @JsonPropertyDescription(
              "Name of a Secret in this operator's namespace whose data key kubeconfig holds the"
                  + " peer cluster's kubeconfig.")
          String kubeconfigSecret,
      @JsonPropertyDescription("The peer operator's namespace. Default: this operator's namespace.")
          String namespace) {

    /** The data key of kubeconfigSecret that holds the kubeconfig. */
    public static final String KUBECONFIG_KEY = "kubeconfig";
  }
}
