package dev.managedsecrets.operator;

import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.operator.cache.Caches;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.kms.Keyring;
import dev.managedsecrets.operator.kms.KmsKeyCatalog;
import dev.managedsecrets.operator.kms.KmsKeyManager;
import dev.managedsecrets.operator.kms.KmsProviders;
import dev.managedsecrets.operator.kms.ProviderKms;
import dev.managedsecrets.operator.namespaces.NamespaceIncarnations;
import dev.managedsecrets.operator.reconcile.EventRecorder;
import dev.managedsecrets.operator.reconcile.KmsKeyReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.util.HashSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The KmsKey part of the operator, wired: the catalog that puts KmsKey keys beside the keyring's
 * (in the operator's {@link Kms}), the KmsKey controller, and the maintenance job that deletes keys
 * past their pending window and wakes keys due for automatic rotation.
 */
final class KmsKeyRuntime implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KmsKeyRuntime.class);

  private final KmsKeyCatalog catalog;
  private final KmsKeyManager keys;
  private final KmsKeyReconciler reconciler;
  private final Kms kms;

  private KmsKeyRuntime(
      KmsKeyCatalog catalog, KmsKeyManager keys, KmsKeyReconciler reconciler, Kms kms) {
    this.catalog = catalog;
    this.keys = keys;
    this.reconciler = reconciler;
    this.kms = kms;
  }

  /**
   * Reads the KmsKey resources of the watched namespaces (before anything is reconciled, so a
   * ManagedSecret finds its key right after a start).
   */
  static KmsKeyRuntime start(
      KubernetesClient client,
      OperatorConfig config,
      Keyring keyring,
      KmsProviders providers,
      NamespaceIncarnations namespaces,
      Clock clock) {
    KmsKeyCatalog catalog =
        KmsKeyCatalog.start(client, keyring, config.watchNamespaces(), namespaces, clock);
    KmsKeyManager keys =
        new KmsKeyManager(keyring, providers.providers(), config.kms().provider(), clock);
    return new KmsKeyRuntime(
        catalog,
        keys,
        new KmsKeyReconciler(keys, namespaces, new EventRecorder(client), clock),
        new ProviderKms(keyring.orElse(catalog), providers.providers()));
  }

  /** The KMS over the keyring's keys (alias/managedsecrets) and the KmsKeys' keys. */
  Kms kms() {
    return kms;
  }

  /** Registers the KmsKey controller. */
  void register(Operator operator, OperatorConfig config) {
    operator.register(
        reconciler,
        o -> {
          o.withFinalizer(KmsKeyReconciler.FINALIZER)
              .withItemStore(Caches.compact())
              // Also the rotate-key annotation, which does not change the generation.
              .withGenerationAware(false)
              .withOnUpdateFilter(KmsKeyReconciler.UPDATES)
              .withReconciliationMaxInterval(config.resyncInterval())
              .withRetry(OperatorRuntime.retry(config.retry()));
          if (!config.watchNamespaces().isEmpty()) {
            o.settingNamespaces(new HashSet<>(config.watchNamespaces()));
          }
        });
  }

  /** Runs {@link #maintain()} every purge interval. */
  void schedule(
      ScheduledExecutorService executor,
      OperatorConfig config,
      java.util.function.BooleanSupplier leading) {
    long every = config.purgeInterval().toMillis();
    executor.scheduleWithFixedDelay(
        () -> {
          if (!leading.getAsBoolean()) {
            return; // the leader maintains the keys
          }
          try {
            maintain();
          } catch (RuntimeException e) {
            LOG.warn(
                "Maintenance of KMS keys failed; retrying in {}: {}",
                config.purgeInterval(),
                e.toString());
          }
        },
        every,
        every,
        TimeUnit.MILLISECONDS);
  }

  /**
   * Deletes for good the keys whose pending window ended (unless their KmsKey was created again),
   * and reconciles the KmsKeys whose automatic rotation is due; returns how many keys were deleted.
   */
  int maintain() {
    reconciler.wakeKeysDueForRotation();
    return keys.deleteExpired(reconciler::recreated);
  }

  @Override
  public void close() {
    catalog.close();
  }
}
