package dev.managedsecrets.operator;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.crypto.RecordMac;
import dev.managedsecrets.core.generate.Generators;
import dev.managedsecrets.core.projection.Projection;
import dev.managedsecrets.core.sealing.ResealAnswer;
import dev.managedsecrets.core.sealing.ResealRequest;
import dev.managedsecrets.core.sealing.Resealer;
import dev.managedsecrets.core.sealing.SealingPublicKey;
import dev.managedsecrets.core.secret.Arns;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.value.PasswordGenerator;
import dev.managedsecrets.core.value.ValueAssembler;
import dev.managedsecrets.operator.cache.Caches;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.endpoint.ManagedSecretCache;
import dev.managedsecrets.operator.endpoint.SecretsManagerEndpoint;
import dev.managedsecrets.operator.kms.Keyring;
import dev.managedsecrets.operator.kms.KeyringSecret;
import dev.managedsecrets.operator.kms.KmsProviders;
import dev.managedsecrets.operator.leader.Leadership;
import dev.managedsecrets.operator.manager.EnvelopeCache;
import dev.managedsecrets.operator.manager.NamespaceQuota;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import dev.managedsecrets.operator.metrics.CountingKms;
import dev.managedsecrets.operator.metrics.OperatorMetrics;
import dev.managedsecrets.operator.metrics.ReconcileTimer;
import dev.managedsecrets.operator.metrics.TimedSecretStore;
import dev.managedsecrets.operator.namespaces.NamespaceUids;
import dev.managedsecrets.operator.projection.ProjectedSecret;
import dev.managedsecrets.operator.queue.ChangesFirstExecutor;
import dev.managedsecrets.operator.reconcile.Checkpoints;
import dev.managedsecrets.operator.reconcile.EventRecorder;
import dev.managedsecrets.operator.reconcile.ManagedSecretReconciler;
import dev.managedsecrets.operator.reconcile.ManagedSecretReplicaReconciler;
import dev.managedsecrets.operator.reconcile.ManagedSecretUpdates;
import dev.managedsecrets.operator.reconcile.StoreWrites;
import dev.managedsecrets.operator.replication.PeerClients;
import dev.managedsecrets.operator.replication.PeerKeys;
import dev.managedsecrets.operator.replication.Replicator;
import dev.managedsecrets.operator.sealing.SealedOnlyNamespaces;
import dev.managedsecrets.operator.sealing.SealedValues;
import dev.managedsecrets.operator.sealing.SealingKeys;
import dev.managedsecrets.operator.store.KubernetesSecretStore;
import dev.managedsecrets.operator.store.SecretStore;
import dev.managedsecrets.operator.store.SecretStores;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.api.monitoring.AggregatedMetrics;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the operator together on a Kubernetes client and runs it until closed. */
public final class OperatorRuntime implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OperatorRuntime.class);

  /** How long reconciles still running at shutdown may take before they are interrupted. */
  static final Duration RECONCILE_GRACE = Duration.ofSeconds(10);

  private final Operator operator;
  private final ScheduledExecutorService purger;
  private final SecretsManagerService secrets;
  private final SecretStore store;
  private final KmsProviders kmsProviders;
  private final Leadership leadership;
  private final KmsKeyRuntime kmsKeys;
  private final SecretsManagerEndpoint endpoint;
  private final SealingKeys sealingKeys;

  /** The replication threads and the peers' clients, closed with the operator. */
  private final List<AutoCloseable> replication = new java.util.ArrayList<>();

  private OperatorRuntime(
      Operator operator,
      ScheduledExecutorService purger,
      SecretsManagerService secrets,
      SecretStore store,
      KmsProviders kmsProviders,
      Leadership leadership,
      KmsKeyRuntime kmsKeys,
      SecretsManagerEndpoint endpoint,
      SealingKeys sealingKeys) {
    this.operator = operator;
    this.endpoint = endpoint;
    this.purger = purger;
    this.secrets = secrets;
    this.store = store;
    this.kmsProviders = kmsProviders;
    this.leadership = leadership;
    this.kmsKeys = kmsKeys;
    this.sealingKeys = sealingKeys;
  }

  /**
   * Starts the operator; returns once its informers are synced. With leader election, a replica
   * that loses the Lease while running exits the process (java-operator-sdk's default), so that two
   * replicas never reconcile at once.
   */
  public static OperatorRuntime start(
      KubernetesClient client, OperatorConfig config, MeterRegistry registry, Clock clock) {
    return start(client, config, registry, clock, () -> System.exit(1));
  }

  /** Starts the operator; {@code onLeadershipLost} runs if the leader Lease is lost. */
  public static OperatorRuntime start(
      KubernetesClient client,
      OperatorConfig config,
      MeterRegistry registry,
      Clock clock,
      Runnable onLeadershipLost) {
    return start(client, config, registry, clock, onLeadershipLost, Checkpoints.NONE);
  }

  /**
   * Starts the operator with a test's {@link Checkpoints} (the fault tests stop it between the
   * steps of a reconcile there). Not public, and not a configuration: the product always runs with
   * {@link Checkpoints#NONE}.
   */
  static OperatorRuntime start(
      KubernetesClient client,
      OperatorConfig config,
      MeterRegistry registry,
      Clock clock,
      Runnable onLeadershipLost,
      Checkpoints checkpoints) {
    Leadership leadership = Leadership.of(config, registry, onLeadershipLost);
    String account = config.accountId() != null ? config.accountId() : deriveAccount(client);
    Arns arns = new Arns(config.partition(), config.region(), account);
    Keyring keyring =
        KeyringSecret.loadOrCreate(client, config.namespace(), arns, config.kms().provider());
    // The configured KMS providers; the default key alias/managedsecrets lives in kms.provider.
    KmsProviders kmsProviders = KmsProviders.open(config.kms(), keyring);
    // KmsKey resources: their keys join the keyring's (alias, KmsKey name, key id or key ARN).
    // Which namespace incarnation holds what: records and keys belong to the one that made them.
    NamespaceUids namespaces = new NamespaceUids(client);
    KmsKeyRuntime kmsKeys =
        KmsKeyRuntime.start(client, config, keyring, kmsProviders, namespaces, clock);
    Kms kms = new CountingKms(kmsKeys.kms(), registry);
    // Sealing keys: made at the first start, renewed when due, public keys published.
    SealingKeys sealingKeys =
        SealingKeys.start(
            client,
            config.namespace(),
            kms,
            clock,
            config.sealing().renewalInterval(),
            config.sealing().retiredKeys());
    KeyedHash hash = new KeyedHash(keyring.hashKey());
    ValueAssembler values =
        new ValueAssembler(hash, new PasswordGenerator(), new Generators(), clock);
    // The backing store named by config.store (kubernetes or postgres); untrusted: its records are
    // authenticated under a key derived from the keyring's hash key, which the store never holds.
    SecretStore store = SecretStores.open(client, config);
    if (store instanceof KubernetesSecretStore kubernetes) {
      FunctionCounter.builder(
              OperatorMetrics.STORE_RECORD_READS, kubernetes, KubernetesSecretStore::readsFromWatch)
          .tag("from", "watch")
          .register(registry);
      FunctionCounter.builder(
              OperatorMetrics.STORE_RECORD_READS,
              kubernetes,
              KubernetesSecretStore::readsFromServer)
          .tag("from", "server")
          .register(registry);
    }
    SecretsManagerService secrets =
        new SecretsManagerService(
            new TimedSecretStore(store, registry),
            new RecordMac(hash),
            new EnvelopeCipher(kms),
            values,
            arns,
            clock,
            new NamespaceQuota(
                config.quota().versionsPerNamespace(), config.quota().bytesPerNamespace(), clock),
            // Envelopes read are kept (ciphertext only), so a version read again costs no read.
            new EnvelopeCache(EnvelopeCache.MAX_ENTRIES, EnvelopeCache.MAX_BYTES));
    StoreWrites storeWrites = new StoreWrites(client, leadership::leading, clock);
    // Replica regions: peers reached through their kubeconfigs; none configured, none used.
    boolean replicating = !config.replication().peers().isEmpty();
    PeerClients peers = new PeerClients(client, config, registry);
    PeerKeys peerKeys = new PeerKeys(peers, clock);
    ManagedSecretReconciler[] notified = new ManagedSecretReconciler[1];
    Replicator replicator =
        replicating
            ? new Replicator(
                peers,
                peerKeys,
                sealingKeys,
                secrets,
                config.region(),
                clock,
                (namespace, name) -> {
                  if (notified[0] != null) {
                    notified[0].replicationChanged(namespace, name);
                  }
                })
            : null;
    ManagedSecretReconciler reconciler =
        new ManagedSecretReconciler(
            secrets,
            kms,
            values,
            new ProjectedSecret(new Projection(hash)),
            new SealedValues(sealingKeys),
            new SealedOnlyNamespaces(client, config.sealing().sealedOnlyNamespaceSelector()),
            new EventRecorder(client),
            namespaces,
            clock,
            config,
            registry,
            checkpoints,
            storeWrites,
            replicator);
    notified[0] = reconciler;

    // Changes first: a change someone made starts before queued resyncs of up-to-date objects.
    ChangesFirstExecutor reconcileExecutor = new ChangesFirstExecutor(config.reconcileThreads());
    Gauge.builder(OperatorMetrics.RECONCILE_QUEUE, reconcileExecutor, e -> e.queuedChanges())
        .tag("work", "change")
        .register(registry);
    Gauge.builder(OperatorMetrics.RECONCILE_QUEUE, reconcileExecutor, e -> e.queuedChecks())
        .tag("work", "check")
        .register(registry);
    FunctionCounter.builder(
            OperatorMetrics.RECONCILES_ASKED, reconcileExecutor, ChangesFirstExecutor::askedChanges)
        .tag("work", "change")
        .register(registry);
    FunctionCounter.builder(
            OperatorMetrics.RECONCILES_ASKED, reconcileExecutor, ChangesFirstExecutor::askedChecks)
        .tag("work", "check")
        .register(registry);
    Operator operator =
        new Operator(
            o ->
                o.withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    // Reconciles running at shutdown get this long to finish before they are
                    // interrupted (a pod's default termination grace period is 30 s).
                    .withReconciliationTerminationTimeout(RECONCILE_GRACE)
                    .withExecutorService(reconcileExecutor)
                    // Status and finalizers are written with plain updates and JSON patches: the
                    // same write path in production and in the tests.
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withMetrics(
                        new AggregatedMetrics(
                            List.of(
                                new ReconcileTimer(registry), reconcileExecutor.dispatchHook())))
                    .withLeaderElectionConfiguration(
                        leadership.configuration(config).orElse(null)));
    RegisteredController<ManagedSecret> controller =
        operator.register(
            reconciler,
            o -> {
              o.withFinalizer(ManagedSecretReconciler.FINALIZER)
                  // A new value of the rotate-now annotation reconciles too (it makes no
                  // generation).
                  .withGenerationAware(false)
                  .withOnUpdateFilter(ManagedSecretUpdates.filter())
                  .withItemStore(Caches.compact())
                  // A reconcile that syncs asks for the next itself, spread under this (Resync);
                  // this catches every other outcome.
                  .withReconciliationMaxInterval(config.resyncInterval())
                  .withRateLimiter(new NoReconcileRateLimit())
                  .withRetry(retry(config.retry()));
              if (!config.watchNamespaces().isEmpty()) {
                o.settingNamespaces(new HashSet<>(config.watchNamespaces()));
              }
            });
    kmsKeys.register(operator, config);
    if (replicating) {
      // Replicas other regions write here: accepted from the configured peers only.
      operator.register(
          new ManagedSecretReplicaReconciler(
              secrets,
              kms,
              sealingKeys,
              peers,
              peerKeys,
              namespaces,
              storeWrites,
              config.region(),
              new EventRecorder(client),
              clock),
          o -> {
            o.withFinalizer(ManagedSecretReplicaReconciler.FINALIZER)
                .withReconciliationMaxInterval(config.resyncInterval())
                .withRetry(retry(config.retry()));
            if (!config.watchNamespaces().isEmpty()) {
              o.settingNamespaces(new HashSet<>(config.watchNamespaces()));
            }
          });
    }
    operator.start();

    ScheduledExecutorService purger =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "managedsecret-purge");
              t.setDaemon(true);
              return t;
            });
    long every = config.purgeInterval().toMillis();
    purger.scheduleWithFixedDelay(
        () -> {
          if (!leadership.leading()) {
            return; // the leader purges
          }
          try {
            secrets.purgeExpired();
          } catch (RuntimeException e) {
            LOG.warn(
                "Purge of expired secrets failed; retrying in {}: {}",
                config.purgeInterval(),
                e.toString());
          }
        },
        every,
        every,
        TimeUnit.MILLISECONDS);
    kmsKeys.schedule(purger, config, leadership::leading);
    purger.scheduleWithFixedDelay(
        () -> {
          if (!leadership.leading()) {
            return; // the leader renews
          }
          try {
            sealingKeys.maintain();
          } catch (RuntimeException e) {
            LOG.warn(
                "Renewal of the sealing key failed; retrying in {}: {}",
                config.purgeInterval(),
                e.toString());
          }
        },
        every,
        every,
        TimeUnit.MILLISECONDS);
    // The Secrets Manager endpoint: every replica serves it; what it writes goes to the store.
    SecretsManagerEndpoint endpoint =
        config.endpoint().enabled()
            ? SecretsManagerEndpoint.start(
                config,
                account,
                new SecretsManagerEndpoint.Backend(
                    client,
                    secrets,
                    kms,
                    values,
                    namespaces,
                    storeWrites::written,
                    objectCache(controller),
                    clock,
                    registry))
            : null;
    LOG.info(
        "Operator started: account {}, region {}, store and keyring in namespace {}, default key"
            + " in KMS provider {}",
        account,
        config.region(),
        config.namespace(),
        config.kms().provider());
    OperatorRuntime runtime =
        new OperatorRuntime(
            operator,
            purger,
            secrets,
            store,
            kmsProviders,
            leadership,
            kmsKeys,
            endpoint,
            sealingKeys);
    if (replicator != null) {
      runtime.replication.add(replicator);
    }
    runtime.replication.add(peers);
    return runtime;
  }

  /**
   * The ManagedSecrets as the controller's informer holds them (every replica runs it, leading or
   * not), for the endpoint's reads of values. JOSDK gives its informer cache to reconcilers only
   * through a reconcile's context; its registered controller is the {@link Controller} that holds
   * it ({@code EndpointIdleIT} fails if a GetSecretValue reads the ManagedSecret from the server).
   */
  private static ManagedSecretCache objectCache(RegisteredController<ManagedSecret> registered) {
    if (!(registered instanceof Controller<ManagedSecret> controller)) {
      return ManagedSecretCache.NONE;
    }
    var informer = controller.getEventSourceManager().getControllerEventSource();
    return (namespace, name) -> informer.get(new ResourceID(name, namespace)).orElse(null);
  }

  /** The back-off of a failed reconcile, the same for both controllers: never gives up. */
  static GenericRetry retry(OperatorConfig.RetrySettings retry) {
    return new GenericRetry()
        .setInitialInterval(retry.initialInterval().toMillis())
        .setIntervalMultiplier(retry.multiplier())
        .setMaxInterval(retry.maxInterval().toMillis())
        .withoutMaxAttempts();
  }

  /** True from a completed start until close. */
  public boolean isStarted() {
    return operator.getRuntimeInfo().isStarted();
  }

  /**
   * The event sources (informers) that are not synced and watching, by controller, as text; empty
   * when all are healthy.
   */
  public String unhealthyEventSources() {
    Map<String, Object> unhealthy = new TreeMap<>();
    operator
        .getRuntimeInfo()
        .unhealthyEventSources()
        .forEach(
            (controller, sources) -> {
              if (!sources.isEmpty()) {
                unhealthy.put(controller, new TreeMap<>(sources).keySet());
              }
            });
    return unhealthy.isEmpty() ? "" : unhealthy.toString();
  }

  /** The Secrets Manager endpoint, when endpoint.enabled. */
  public Optional<SecretsManagerEndpoint> endpoint() {
    return Optional.ofNullable(endpoint);
  }

  /** True while this replica may reconcile: always without leader election. */
  public boolean isLeader() {
    return leadership.leading();
  }

  /** Runs the purge of expired secrets now (the scheduled job does this periodically). */
  public int purgeExpired() {
    return secrets.purgeExpired();
  }

  /**
   * Deletes the KMS keys whose pending window ended and wakes the KmsKeys due for automatic
   * rotation now (the scheduled job does this periodically); returns how many keys were deleted.
   */
  public int maintainKmsKeys() {
    return kmsKeys.maintain();
  }

  /**
   * Retires, renews when due and publishes the sealing keys now (the scheduled job does this every
   * purgeInterval); returns the id of the key new values are sealed for.
   */
  public String maintainSealingKeys() {
    return sealingKeys.maintain();
  }

  /**
   * Seals the values of a manifest again for the current sealing key, each opened under the binding
   * of the request (the re-seal endpoint, {@code kubectl managedsecret seal --re-encrypt}).
   *
   * @throws SecretsManagerException a value that does not open here, or a request that is no
   *     ManagedSecret's sealed fields; InternalServiceError before the first sealing key
   */
  public ResealAnswer reseal(ResealRequest request) {
    SealingPublicKey current =
        sealingKeys
            .currentPublicKey()
            .orElseThrow(
                () ->
                    new SecretsManagerException(
                        AwsError.INTERNAL_SERVICE_ERROR,
                        "The operator has no sealing key yet: retry once it has started."));
    return new Resealer(sealingKeys).reseal(request, current);
  }

  /** A 12-digit account id derived from the kube-system namespace's UID, stable per cluster. */
  static String deriveAccount(KubernetesClient client) {
    Namespace kubeSystem = client.namespaces().withName("kube-system").get();
    String seed = kubeSystem != null ? kubeSystem.getMetadata().getUid() : null;
    if (seed == null) {
      LOG.warn("Namespace kube-system not found: using account 000000000000 in ARNs");
      return "000000000000";
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
      String n = new BigInteger(1, digest).mod(BigInteger.TEN.pow(12)).toString();
      return "0".repeat(12 - n.length()) + n;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (endpoint != null) {
      endpoint.close();
    }
    leadership.closing();
    purger.shutdownNow();
    operator.stop();
    for (AutoCloseable c : replication) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.debug("Closing replication: {}", e.toString());
      }
    }
    store.close();
    kmsKeys.close();
    kmsProviders.close();
  }
}
