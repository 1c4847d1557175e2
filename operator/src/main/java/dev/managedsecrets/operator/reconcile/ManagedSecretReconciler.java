package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.names.Names;
import dev.managedsecrets.core.projection.Projection;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StagingLabels;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.core.validation.SpecValidator;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueAssembler;
import dev.managedsecrets.core.value.ValueInput;
import dev.managedsecrets.core.value.ValueInputs;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import dev.managedsecrets.operator.metrics.OperatorMetrics;
import dev.managedsecrets.operator.projection.ProjectedSecret;
import dev.managedsecrets.operator.store.StoreConflictException;
import dev.managedsecrets.operator.store.StoreUnavailableException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a ManagedSecret in the steps of the API contract: validate, resolve the key, put a new
 * version when the inputs changed, project the native Secret, write status when it changed. Every
 * decision is made by the classes it calls; this class only orders the steps and reports.
 */
public final class ManagedSecretReconciler
    implements Reconciler<ManagedSecret>, Cleaner<ManagedSecret> {

  public static final String FINALIZER = "managedsecrets.dev/finalizer";
  public static final String RECONCILES = "managedsecret.reconciles";
  static final String SECRETS_SOURCE = "projected-secrets";

  /** Index of the ManagedSecret cache: namespace and Secrets Manager name. */
  static final String BY_SECRET_NAME = "by-secret-name";

  private static final Logger LOG = LoggerFactory.getLogger(ManagedSecretReconciler.class);

  private final KubernetesClient client;
  private final SecretsManagerService secrets;
  private final Kms kms;
  private final ValueAssembler values;
  private final ProjectedSecret projection;
  private final EventRecorder events;
  private final OwnWrites ownWrites = new OwnWrites();
  private final Clock clock;
  private final Duration fromSecretPollInterval;
  private final MeterRegistry registry;

  public ManagedSecretReconciler(
      KubernetesClient client,
      SecretsManagerService secrets,
      Kms kms,
      ValueAssembler values,
      ProjectedSecret projection,
      EventRecorder events,
      Clock clock,
      Duration fromSecretPollInterval,
      MeterRegistry registry) {
    this.client = client;
    this.secrets = secrets;
    this.kms = kms;
    this.values = values;
    this.projection = projection;
    this.events = events;
    this.clock = clock;
    this.fromSecretPollInterval = fromSecretPollInterval;
    this.registry = registry;
  }

  @Override
  public List<EventSource<?, ManagedSecret>> prepareEventSources(
      EventSourceContext<ManagedSecret> context) {
    // Who else in the namespace claims a name, without a walk over every ManagedSecret. Only the
    // names given in spec.secretName are indexed (an index entry costs a set per name): a default
    // name, namespace/metadata.name, is found by its ManagedSecret's name instead.
    context
        .getPrimaryCache()
        .addIndexer(
            BY_SECRET_NAME,
            ms ->
                ms.getSpec() == null || ms.getSpec().secretName == null
                    ? List.of()
                    : List.of(
                        secretNameKey(ms.getMetadata().getNamespace(), ms.getSpec().secretName)));
    // Only Secrets this operator manages are watched and cached: unrelated Secrets cost nothing.
    var config =
        InformerEventSourceConfiguration.from(Secret.class, ManagedSecret.class)
            .withName(SECRETS_SOURCE)
            .withLabelSelector(Projection.MANAGED_BY_LABEL + "=" + Projection.MANAGED_BY)
            .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(ManagedSecret.class))
            .withItemStore(Caches.compact())
            // The events of the operator's own writes are not changes to act on.
            .withOnAddFilter(secret -> !ownWrites.isOwn(secret))
            .withOnUpdateFilter((before, after) -> !ownWrites.isOwn(after))
            .build();
    return List.of(new InformerEventSource<>(config, context), KmsKeyEvents.source(context));
  }

  @Override
  public UpdateControl<ManagedSecret> reconcile(ManagedSecret ms, Context<ManagedSecret> context) {
    ManagedSecretStatus status = copy(ms.getStatus());
    RuntimeException retry = null;
    String result = "Synced";
    try {
      steps(ms, context, status);
    } catch (SecretsManagerException e) {
      Interruption.rethrowIfStopping(e);
      result = e.error().exceptionName();
      fail(ms, status, result, e.getMessage(), e.error().terminal());
      if (!e.error().terminal()) {
        retry = e;
      }
    } catch (StoreUnavailableException | StoreConflictException e) {
      Interruption.rethrowIfStopping(e);
      result = AwsError.INTERNAL_SERVICE_ERROR.exceptionName();
      fail(ms, status, result, e.getMessage(), false);
      retry = e;
    } catch (KubernetesClientException e) {
      Interruption.rethrowIfStopping(e);
      result = AwsError.INTERNAL_SERVICE_ERROR.exceptionName();
      fail(ms, status, result, "The Kubernetes API answered " + e.getCode() + "; retrying.", false);
      retry = e;
    }
    try {
      writeStatus(ms, status, context);
    } finally {
      Counter.builder(RECONCILES)
          .description("Reconciles of ManagedSecrets by result (Synced or an AWS exception name)")
          .tag("result", result)
          .register(registry)
          .increment();
      if (!"Synced".equals(result)) {
        OperatorMetrics.error(registry, result);
      }
    }
    if (retry != null) {
      throw retry; // JOSDK retries with back-off; the projected Secret is left as it was.
    }
    if (ms.getSpec() != null && ms.getSpec().fromSecret != null) {
      return UpdateControl.<ManagedSecret>noUpdate().rescheduleAfter(fromSecretPollInterval);
    }
    return UpdateControl.noUpdate();
  }

  private void steps(ManagedSecret ms, Context<ManagedSecret> context, ManagedSecretStatus status) {
    // 1. Validate.
    SpecValidator.validate(ms);
    ManagedSecretSpec spec = ms.getSpec() == null ? new ManagedSecretSpec() : ms.getSpec();
    if (ms.getSpec() == null) {
      ms.setSpec(spec);
    }
    String namespace = ms.getMetadata().getNamespace();
    SecretId id = new SecretId(namespace, Names.secretName(ms));
    olderOwnerOfName(ms, context, id.name());

    // 2. Resolve the key; read the inputs.
    String keyArn = kms.resolve(spec.kmsKeyId, namespace);
    ValueInput input = ValueInputs.of(spec, readSource(ms));
    String inputHash = values.inputHash(id, input);

    // 3. Claim the name; put a new version when the inputs changed.
    boolean neverClaimed = ms.getStatus() == null || ms.getStatus().arn == null;
    SecretsManagerService.Claimed claimed =
        secrets.claim(id, ms.getMetadata().getName(), ms.getMetadata().getUid(), neverClaimed);
    StoredSecret stored = claimed.secret();
    switch (claimed.claim()) {
      case CREATED -> {
        events.normal(ms, EventReason.SecretCreated, "Created secret " + id.name());
        if (Names.looksLikeArnSuffix(id.name())) {
          events.warning(
              ms,
              EventReason.NameLooksLikeArnSuffix.name(),
              "Secret name "
                  + id.name()
                  + " ends with a hyphen and six characters, like an ARN suffix: partial-ARN"
                  + " lookups may confuse it");
        }
      }
      case RESTORED ->
          events.normal(
              ms,
              EventReason.SecretRestored,
              "Restored secret " + id.name() + " with its versions and ARN " + stored.arn());
      default -> {}
    }
    SecretValue fresh = null;
    StoredVersion current = stored.current().orElse(null);
    boolean pinned =
        spec.versionStages != null && spec.versionStages.containsKey(StagingLabels.AWSCURRENT);
    boolean changed =
        !(input instanceof ValueInput.None)
            && (current == null || !Objects.equals(current.inputHash(), inputHash));
    if (changed && !pinned) {
      SecretsManagerService.Put put =
          secrets.putValue(stored, input, inputHash, keyArn, spec.clientRequestToken);
      stored = put.secret();
      if (current == null || !current.versionId().equals(put.version().versionId())) {
        events.normal(
            ms,
            EventReason.VersionCreated,
            "Created version " + put.version().versionId() + " as AWSCURRENT");
        OperatorMetrics.versionCreated(registry);
      }
      current = put.version();
      fresh = put.value();
    }
    StoredSecret staged = secrets.applyStages(stored, spec.versionStages);
    if (staged != stored) {
      StoredVersion moved = staged.current().orElse(null);
      if (moved != null && (current == null || !moved.versionId().equals(current.versionId()))) {
        events.normal(
            ms,
            EventReason.StagingLabelsMoved,
            "Moved AWSCURRENT to version " + moved.versionId() + " (spec.versionStages)");
        if (fresh != null) {
          fresh.clear();
          fresh = null;
        }
      }
      stored = staged;
      current = moved;
    }

    // 4. Project the native Secret.
    try {
      if (current != null) {
        project(ms, context, stored, current, fresh);
      }
      removeOldTargets(ms, context);
    } finally {
      if (fresh != null) {
        fresh.clear();
      }
    }

    // 4b. The key changed: re-encrypt AWSCURRENT, AWSPENDING and AWSPREVIOUS under it.
    StoredSecret reencrypted = secrets.reencrypt(stored, keyArn);
    if (reencrypted != stored) {
      events.normal(
          ms,
          EventReason.VersionsReencrypted,
          "Re-encrypted the AWSCURRENT, AWSPENDING and AWSPREVIOUS versions under KMS key "
              + keyArn);
      stored = reencrypted;
      current = stored.current().orElse(null);
    }

    // 5. Status.
    status.arn = stored.arn();
    status.name = id.name();
    status.versionId = current == null ? null : current.versionId();
    Map<String, List<String>> stages = stored.versionIdsToStages();
    status.versionIdsToStages = stages.isEmpty() ? null : stages;
    status.kmsKeyId = current == null ? keyArn : current.kmsKeyArn();
    status.createdDate = text(stored.createdDate());
    status.lastChangedDate = text(stored.lastChangedDate());
    status.deletedDate = text(stored.deletedDate());
    String message =
        current == null
            ? "Secret " + id.name() + " has no value yet; no Secret was projected."
            : "Secret " + Names.targetName(ms) + " holds version " + current.versionId() + ".";
    if (pinned && changed) {
      message +=
          " AWSCURRENT is pinned by spec.versionStages: the changed value is published when the"
              + " pin is removed.";
    }
    status.conditions =
        Conditions.ready(
            status.conditions,
            "Synced",
            message,
            ms.getMetadata().getGeneration(),
            clock.instant());
    status.observedGeneration = ms.getMetadata().getGeneration();
  }

  /** Two ManagedSecrets in one namespace with the same secretName: the older keeps it. */
  private static String secretNameKey(String namespace, String name) {
    return namespace + "\n" + name;
  }

  private void olderOwnerOfName(ManagedSecret ms, Context<ManagedSecret> context, String name) {
    String namespace = ms.getMetadata().getNamespace();
    List<ManagedSecret> claimants =
        new ArrayList<>(
            context.getPrimaryCache().byIndex(BY_SECRET_NAME, secretNameKey(namespace, name)));
    if (name.startsWith(namespace + "/")) {
      // The ManagedSecret whose default name this is, if it exists.
      context
          .getPrimaryCache()
          .get(new ResourceID(name.substring(namespace.length() + 1), namespace))
          .filter(other -> other.getSpec() == null || other.getSpec().secretName == null)
          .ifPresent(claimants::add);
    }
    for (ManagedSecret other : claimants) {
      if (other.getMetadata().getUid().equals(ms.getMetadata().getUid())
          || other.getMetadata().getDeletionTimestamp() != null
          || !name.equals(Names.secretName(other))) {
        continue;
      }
      if (older(other, ms)) {
        throw new SecretsManagerException(
            AwsError.RESOURCE_EXISTS_EXCEPTION,
            "The operation failed because the secret "
                + name
                + " already exists. It belongs to ManagedSecret "
                + other.getMetadata().getName()
                + " in this namespace.");
      }
    }
  }

  private static boolean older(ManagedSecret a, ManagedSecret b) {
    int byTime =
        Instant.parse(a.getMetadata().getCreationTimestamp())
            .compareTo(Instant.parse(b.getMetadata().getCreationTimestamp()));
    return byTime != 0
        ? byTime < 0
        : a.getMetadata().getName().compareTo(b.getMetadata().getName()) < 0;
  }

  private Map<String, byte[]> readSource(ManagedSecret ms) {
    if (ms.getSpec().fromSecret == null) {
      return null;
    }
    String name = ms.getSpec().fromSecret.name;
    Secret source =
        client.secrets().inNamespace(ms.getMetadata().getNamespace()).withName(name).get();
    if (source == null) {
      throw new SecretsManagerException(
          AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
          "Secret "
              + name
              + " was not found in namespace "
              + ms.getMetadata().getNamespace()
              + " (fromSecret). It is checked again every "
              + fromSecretPollInterval.toSeconds()
              + " seconds.");
    }
    Map<String, byte[]> data = new HashMap<>();
    if (source.getData() != null) {
      source.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
    }
    if (source.getStringData() != null) {
      source
          .getStringData()
          .forEach((k, v) -> data.put(k, v.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    return data;
  }

  private void project(
      ManagedSecret ms,
      Context<ManagedSecret> context,
      StoredSecret stored,
      StoredVersion current,
      SecretValue fresh) {
    String namespace = ms.getMetadata().getNamespace();
    String name = Names.targetName(ms);
    InformerEventSource<Secret, ManagedSecret> cache = secretCache(context);
    Secret live = cache.get(new ResourceID(name, namespace)).orElse(null);
    if (live != null && !ProjectedSecret.ownedBy(live, ms)) {
      throw notOurs(name);
    }
    if (live != null && projection.upToDate(live, ms, current.versionId())) {
      return;
    }
    SecretValue value = fresh != null ? fresh : secrets.read(stored, current);
    Secret desired;
    try {
      desired =
          projection.desired(ms, current.versionId(), Projection.data(value, ms.getSpec().target));
    } finally {
      if (value != fresh) {
        value.clear();
      }
    }
    ResourceID primary = ResourceID.fromResource(ms);
    if (live == null) {
      // Not in the cache: new, or the cache has not seen it yet (just after start, after another
      // replica wrote it, or without our labels, which the cache selects on). Create it; only when
      // the name is taken, read what is there.
      try {
        createProjected(desired, cache, primary);
        events.normal(ms, EventReason.SecretProjected, "Created Secret " + name);
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        live = client.secrets().inNamespace(namespace).withName(name).get();
        if (live == null) {
          throw e; // deleted meanwhile: retried
        }
        if (!ProjectedSecret.ownedBy(live, ms)) {
          throw notOurs(name);
        }
        if (projection.upToDate(live, ms, current.versionId())) {
          return;
        }
      }
    }
    if (!Objects.equals(live.getType(), desired.getType())) {
      // A Secret's type is immutable: replace it.
      client.secrets().inNamespace(namespace).withName(name).delete();
      createProjected(desired, cache, primary);
    } else {
      Map<String, String> labels = new HashMap<>(orEmpty(live.getMetadata().getLabels()));
      labels.putAll(desired.getMetadata().getLabels());
      Map<String, String> annotations = new HashMap<>(orEmpty(live.getMetadata().getAnnotations()));
      annotations.putAll(desired.getMetadata().getAnnotations());
      Secret updated =
          new SecretBuilder(live)
              .editMetadata()
              .withLabels(labels)
              .withAnnotations(annotations)
              .withOwnerReferences(desired.getMetadata().getOwnerReferences())
              .endMetadata()
              .withData(desired.getData())
              .withStringData(null)
              .build();
      Secret before = live;
      ownWrites.write(
          updated,
          () -> {
            Secret w = client.secrets().inNamespace(namespace).resource(updated).update();
            cache.handleRecentResourceUpdate(primary, w, before);
            return w;
          });
    }
    boolean versionChanged =
        !current
            .versionId()
            .equals(
                orEmpty(live.getMetadata().getAnnotations()).get(Projection.VERSION_ANNOTATION));
    if (versionChanged) {
      events.normal(
          ms,
          EventReason.SecretProjected,
          "Updated Secret " + name + " to version " + current.versionId());
    } else {
      events.normal(
          ms, EventReason.SecretRepaired, "Put back Secret " + name + ", which had drifted");
      OperatorMetrics.secretRepaired(registry);
    }
  }

  /** Creates the projected Secret, telling the cache that the operator made it. */
  private void createProjected(
      Secret desired, InformerEventSource<Secret, ManagedSecret> cache, ResourceID primary) {
    ownWrites.write(
        desired,
        () -> {
          Secret created =
              client
                  .secrets()
                  .inNamespace(desired.getMetadata().getNamespace())
                  .resource(desired)
                  .create();
          cache.handleRecentResourceCreate(primary, created);
          return created;
        });
  }

  /** Deletes Secrets this ManagedSecret projected under a target name it no longer uses. */
  private void removeOldTargets(ManagedSecret ms, Context<ManagedSecret> context) {
    String name = Names.targetName(ms);
    for (Secret s : context.getSecondaryResources(Secret.class)) {
      if (!s.getMetadata().getName().equals(name) && ProjectedSecret.ownedBy(s, ms)) {
        client
            .secrets()
            .inNamespace(s.getMetadata().getNamespace())
            .withName(s.getMetadata().getName())
            .delete();
      }
    }
  }

  @Override
  public DeleteControl cleanup(ManagedSecret ms, Context<ManagedSecret> context) {
    String namespace = ms.getMetadata().getNamespace();
    for (Secret s : context.getSecondaryResources(Secret.class)) {
      if (ProjectedSecret.ownedBy(s, ms)) {
        client.secrets().inNamespace(namespace).withName(s.getMetadata().getName()).delete();
      }
    }
    Secret target = client.secrets().inNamespace(namespace).withName(Names.targetName(ms)).get();
    if (target != null && ProjectedSecret.ownedBy(target, ms)) {
      client.secrets().inNamespace(namespace).withName(Names.targetName(ms)).delete();
    }
    ManagedSecretSpec spec = ms.getSpec() == null ? new ManagedSecretSpec() : ms.getSpec();
    SecretId id = new SecretId(namespace, Names.secretName(ms));
    boolean force = Boolean.TRUE.equals(spec.forceDeleteWithoutRecovery);
    secrets.delete(id, ms.getMetadata().getUid(), spec.recoveryWindowInDays, force);
    return DeleteControl.defaultDelete();
  }

  private void fail(
      ManagedSecret ms,
      ManagedSecretStatus status,
      String reason,
      String message,
      boolean terminal) {
    boolean changed =
        !Conditions.sameState(
            status.conditions,
            Conditions.set(null, Conditions.READY, false, reason, message, null, clock.instant()),
            Conditions.READY);
    status.conditions =
        Conditions.notReady(
            status.conditions,
            reason,
            message,
            terminal,
            ms.getMetadata().getGeneration(),
            clock.instant());
    status.observedGeneration = ms.getMetadata().getGeneration();
    if (changed) {
      LOG.info(
          "ManagedSecret {}/{} is not ready: {}: {}",
          ms.getMetadata().getNamespace(),
          ms.getMetadata().getName(),
          reason,
          message);
      events.warning(ms, reason, message);
    } else {
      LOG.debug(
          "ManagedSecret {}/{} is still not ready: {}",
          ms.getMetadata().getNamespace(),
          ms.getMetadata().getName(),
          reason);
    }
  }

  private void writeStatus(
      ManagedSecret ms, ManagedSecretStatus status, Context<ManagedSecret> context) {
    if (status.equals(ms.getStatus())) {
      return;
    }
    if (ms.getStatus() == null
        || !Conditions.sameState(ms.getStatus().conditions, status.conditions, Conditions.READY)) {
      var ready = Conditions.find(status.conditions, Conditions.READY);
      if (ready != null && "True".equals(ready.getStatus())) {
        LOG.info(
            "ManagedSecret {}/{} is ready: {}",
            ms.getMetadata().getNamespace(),
            ms.getMetadata().getName(),
            ready.getMessage());
      }
    }
    PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(
        ms,
        context,
        latest -> {
          latest.setStatus(status);
          return latest;
        });
  }

  private static InformerEventSource<Secret, ManagedSecret> secretCache(
      Context<ManagedSecret> context) {
    @SuppressWarnings("unchecked")
    InformerEventSource<Secret, ManagedSecret> source =
        (InformerEventSource<Secret, ManagedSecret>)
            context.eventSourceRetriever().getEventSourceFor(Secret.class, SECRETS_SOURCE);
    return source;
  }

  private static SecretsManagerException notOurs(String name) {
    return new SecretsManagerException(
        AwsError.RESOURCE_EXISTS_EXCEPTION,
        "Secret "
            + name
            + " already exists and is not managed by this ManagedSecret. The operator never"
            + " overwrites or adopts a Secret it does not own: delete that Secret or set"
            + " target.name to another name.");
  }

  private static ManagedSecretStatus copy(ManagedSecretStatus status) {
    ManagedSecretStatus out = new ManagedSecretStatus();
    if (status == null) {
      return out;
    }
    out.arn = status.arn;
    out.name = status.name;
    out.versionId = status.versionId;
    out.versionIdsToStages = status.versionIdsToStages;
    out.kmsKeyId = status.kmsKeyId;
    out.createdDate = status.createdDate;
    out.lastChangedDate = status.lastChangedDate;
    out.lastRotatedDate = status.lastRotatedDate;
    out.nextRotationDate = status.nextRotationDate;
    out.deletedDate = status.deletedDate;
    out.observedGeneration = status.observedGeneration;
    out.conditions = status.conditions == null ? List.of() : List.copyOf(status.conditions);
    return out;
  }

  private static Map<String, String> orEmpty(Map<String, String> m) {
    return m == null ? Map.of() : m;
  }

  private static String text(Instant i) {
    return i == null ? null : i.toString();
  }
}
