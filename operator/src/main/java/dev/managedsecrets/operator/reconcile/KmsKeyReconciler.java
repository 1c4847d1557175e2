package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.api.v1alpha1.KmsKeySpec;
import dev.managedsecrets.api.v1alpha1.KmsKeyStatus;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.operator.cache.Caches;
import dev.managedsecrets.operator.kms.KeyState;
import dev.managedsecrets.operator.kms.Keyring;
import dev.managedsecrets.operator.kms.KmsKeyManager;
import dev.managedsecrets.operator.kms.KmsKeyPolicy;
import dev.managedsecrets.operator.namespaces.NamespaceIncarnations;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Reconciles a KmsKey as AWS KMS runs a key: validate the spec, make the key (or find it again in
 * the keyring), enable or disable it, rotate its material on request and on schedule, report who
 * uses it, and write status when it changed. Deleting the KmsKey schedules the key for deletion
 * after its pending window. The decisions are {@link KmsKeyPolicy}'s and {@link KmsKeyManager}'s.
 */
public final class KmsKeyReconciler implements Reconciler<KmsKey>, Cleaner<KmsKey> {

  public static final String FINALIZER = ManagedSecretReconciler.FINALIZER;
  static final String MANAGED_SECRETS_SOURCE = "managed-secrets";
  static final String TIMERS_SOURCE = "kms-key-timers";

  /** The longest a key with automatic rotation waits for its next reconcile. */
  static final Duration LONGEST_WAIT = Duration.ofHours(1);

  /**
   * Events that reconcile a KmsKey: a spec change, the rotate-key annotation, deletion, and the
   * finalizer's arrival; not its own status writes.
   */
  public static final OnUpdateFilter<KmsKey> UPDATES =
      (next, old) ->
          !Objects.equals(next.getMetadata().getGeneration(), old.getMetadata().getGeneration())
              || !Objects.equals(rotateAnnotation(next), rotateAnnotation(old))
              || (next.isMarkedForDeletion() && !old.isMarkedForDeletion())
              || !Objects.equals(
                  next.getMetadata().getFinalizers(), old.getMetadata().getFinalizers());

  private final KmsKeyManager keys;
  private final NamespaceIncarnations namespaces;
  private final EventRecorder events;
  private final FailureFunnel failures;
  private final Clock clock;
  private final SimpleInboundEventSource<KmsKey> timers =
      new SimpleInboundEventSource<>(TIMERS_SOURCE);
  private final Map<ResourceID, Set<ResourceID>> keysOfManagedSecrets = new ConcurrentHashMap<>();
  private volatile IndexerResourceCache<KmsKey> cache;
  private volatile InformerEventSource<ManagedSecret, KmsKey> managedSecrets;

  public KmsKeyReconciler(
      KmsKeyManager keys, NamespaceIncarnations namespaces, EventRecorder events, Clock clock) {
    this.keys = keys;
    this.namespaces = namespaces;
    this.events = events;
    this.failures = new FailureFunnel(events, clock);
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, KmsKey>> prepareEventSources(EventSourceContext<KmsKey> context) {
    cache = context.getPrimaryCache();
    // The ManagedSecret watch starts with the first KmsKey reconcile (watchManagedSecrets): an
    // installation without KmsKeys, every secret on the default key, watches and caches
    // ManagedSecrets once, in their own controller.
    return List.of(timers);
  }

  /**
   * Starts watching ManagedSecrets, to keep status.usedBy current, if not yet started; returns once
   * the cache has them all. The mapper reports the keys a ManagedSecret used before as well as
   * those it uses now, so a key it stopped using hears of it too. There is no primary-to-secondary
   * index (nothing asks for a key's ManagedSecrets through it), so the mapper runs once per event.
   * The cache keeps only what names a key: no values.
   */
  private void watchManagedSecrets(Context<KmsKey> context) {
    if (managedSecrets != null) {
      return;
    }
    synchronized (this) {
      if (managedSecrets != null) {
        return;
      }
      var retriever = context.eventSourceRetriever();
      var config =
          InformerEventSourceConfiguration.from(ManagedSecret.class, KmsKey.class)
              .withName(MANAGED_SECRETS_SOURCE)
              .withSecondaryToPrimaryMapper(this::keysOf)
              .withPrimaryToSecondaryMapper(key -> Set.of())
              .withItemStore(Caches.compactAfter(KmsKeyReconciler::keyReferences))
              .build();
      @SuppressWarnings("unchecked")
      var registered =
          (InformerEventSource<ManagedSecret, KmsKey>)
              retriever.dynamicallyRegisterEventSource(
                  new InformerEventSource<>(
                      config, retriever.eventSourceContextForDynamicRegistration()));
      managedSecrets = registered;
    }
  }

  @Override
  public UpdateControl<KmsKey> reconcile(KmsKey key, Context<KmsKey> context) {
    watchManagedSecrets(context);
    KmsKeyStatus status = copy(key.getStatus());
    Duration wait = steps(key, status);
    StatusWriter.write(key, status, s -> s.conditions, context);
    return wait == null
        ? UpdateControl.noUpdate()
        : UpdateControl.<KmsKey>noUpdate().rescheduleAfter(wait);
  }

  /** Every failure of a reconcile: reported through the funnel, retried unless terminal. */
  @Override
  public ErrorStatusUpdateControl<KmsKey> updateErrorStatus(
      KmsKey key, Context<KmsKey> context, Exception e) {
    List<Condition> before = key.getStatus() == null ? null : key.getStatus().conditions;
    return failures.fail(
        key,
        before,
        e,
        (failure, conditions) -> {
          KmsKeyStatus status = copy(key.getStatus());
          status.conditions = conditions;
          status.observedGeneration = key.getMetadata().getGeneration();
          StatusWriter.write(key, status, s -> s.conditions, context);
        });
  }

  /** Returns how long until the key must be looked at again (its next rotation), or null. */
  private Duration steps(KmsKey resource, KmsKeyStatus status) {
    // 1. Validate.
    KmsKeyPolicy.validate(resource, keys.providers());
    KmsKeySpec spec = resource.getSpec() == null ? new KmsKeySpec() : resource.getSpec();
    String owner = KmsKeyPolicy.owner(resource);

    // 2. The key: made on first sight, found again in the keyring after that (in this namespace
    // incarnation only), enabled or disabled.
    KmsKeyManager.Ensured ensured =
        keys.ensure(owner, namespaces.of(resource), spec.provider, KmsKeyPolicy.enabled(resource));
    Keyring.OwnedKey key = ensured.key();
    String arn = keys.arn(key.keyId());
    List<KmsKey> neighbours = cache.list(resource.getMetadata().getNamespace()).toList();
    List<String> aliases = KmsKeyPolicy.heldAliases(resource, neighbours);
    List<String> usedBy = usedBy(resource, key.keyId(), arn, aliases);
    report(resource, ensured.change(), arn, key.provider(), usedBy);

    // 3. Rotation: once per new rotate-key value (its digest), and on schedule while
    // enableKeyRotation.
    Instant now = clock.instant();
    boolean enabled = ensured.key().state() == KeyState.ENABLED;
    String request = KmsKeyPolicy.rotationRequest(resource);
    Instant start =
        Boolean.TRUE.equals(spec.enableKeyRotation)
            ? (key.rotationStart() != null ? key.rotationStart() : now)
            : null;
    boolean requested =
        request != null
            && !request.equals(key.rotationRequest())
            && ensured.change() != KmsKeyManager.Change.CREATED;
    if (requested && enabled) {
      key = rotateOnRequest(resource, key, start, request, arn);
    } else {
      // A value present when the key is made counts as handled; a disabled key rotates when
      // enabled.
      String handled =
          requested ? key.rotationRequest() : request != null ? request : key.rotationRequest();
      key = keys.schedule(key, start, handled);
    }
    if (enabled && KmsKeyPolicy.rotationDue(key, resource, now)) {
      key = keys.rotateOnSchedule(key);
      events.normal(
          resource,
          EventReason.KeyRotated,
          "Rotated KMS key "
              + arn
              + " automatically (every "
              + KmsKeyPolicy.rotationPeriodInDays(resource)
              + " days): new material version "
              + key.materialVersions().get(key.materialVersions().size() - 1));
    }

    // 4. Status.
    Instant next = KmsKeyPolicy.nextRotation(key, resource);
    status.keyId = key.keyId();
    status.arn = arn;
    status.keyState = KmsKeyPolicy.state(key, resource, now).awsName();
    status.keyMaterialVersions = key.materialVersions().size();
    status.lastRotatedDate = text(key.lastRotatedDate());
    status.nextRotationDate = text(next);
    status.deletionDate = null;
    status.usedBy = usedBy.isEmpty() ? null : usedBy;
    status.observedGeneration = resource.getMetadata().getGeneration();

    // 5. Aliases are unique per namespace: the older KmsKey keeps one that two claim. The key
    // works without it, so its status stays; only Ready says what is wrong.
    Map<String, KmsKey> conflicts = KmsKeyPolicy.aliasConflicts(resource, neighbours);
    if (conflicts.isEmpty()) {
      status.conditions =
          Conditions.ready(
              status.conditions,
              "Synced",
              "KMS key "
                  + key.keyId()
                  + " is "
                  + status.keyState
                  + " with "
                  + status.keyMaterialVersions
                  + " key material version"
                  + (status.keyMaterialVersions == 1 ? "." : "s."),
              resource.getMetadata().getGeneration(),
              now);
    } else {
      status.conditions =
          failures.report(
              resource,
              status.conditions,
              Failure.of(
                  new SecretsManagerException(
                      AwsError.RESOURCE_EXISTS_EXCEPTION,
                      conflicts.entrySet().stream()
                              .map(
                                  e ->
                                      "Alias "
                                          + e.getKey()
                                          + " already exists: KmsKey "
                                          + e.getValue().getMetadata().getName()
                                          + " of this namespace holds it.")
                              .collect(Collectors.joining(" "))
                          + " KMS key "
                          + arn
                          + " works without it; remove the alias from this KmsKey or from the"
                          + " other.")));
    }
    if (next == null) {
      return null;
    }
    Duration until = Duration.between(now, next);
    return until.compareTo(LONGEST_WAIT) > 0
        ? LONGEST_WAIT
        : until.isNegative() ? Duration.ofSeconds(1) : until.plusSeconds(1);
  }

  /**
   * RotateKeyOnDemand. A request refused with LimitExceededException (the key's rotations on
   * request are used up, or the keyring is full) leaves the key as it is and Ready: a Warning Event
   * says why, and the request counts as handled, so only a new value asks again.
   */
  private Keyring.OwnedKey rotateOnRequest(
      KmsKey resource, Keyring.OwnedKey key, Instant start, String request, String arn) {
    Keyring.OwnedKey rotated;
    try {
      rotated = keys.rotateOnDemand(key, start, request);
    } catch (SecretsManagerException e) {
      if (e.error() != AwsError.LIMIT_EXCEEDED_EXCEPTION) {
        throw e;
      }
      events.warning(resource, e.error().exceptionName(), e.getMessage());
      return keys.schedule(key, start, request);
    }
    events.normal(
        resource,
        EventReason.KeyRotated,
        "Rotated KMS key "
            + arn
            + " on request ("
            + KmsKeyPolicy.ROTATE_ANNOTATION
            + "): new material version "
            + rotated.materialVersions().get(rotated.materialVersions().size() - 1));
    return rotated;
  }

  private void report(
      KmsKey resource,
      KmsKeyManager.Change change,
      String arn,
      String provider,
      List<String> usedBy) {
    switch (change) {
      case CREATED ->
          events.normal(
              resource,
              EventReason.KeyCreated,
              "Created KMS key " + arn + " in provider " + provider);
      case DELETION_CANCELED ->
          events.normal(
              resource,
              EventReason.KeyDeletionCanceled,
              "Cancelled the scheduled deletion of KMS key "
                  + arn
                  + ": KmsKey "
                  + resource.getMetadata().getName()
                  + " was created again within its pending window");
      case ENABLED -> events.normal(resource, EventReason.KeyEnabled, "Enabled KMS key " + arn);
      case DISABLED -> {
        events.normal(resource, EventReason.KeyDisabled, "Disabled KMS key " + arn);
        if (!usedBy.isEmpty()) {
          events.warning(
              resource,
              EventReason.KeyInUse.name(),
              "Disabled KMS key "
                  + arn
                  + ", which ManagedSecrets still use: "
                  + String.join(", ", usedBy)
                  + ". Their new versions fail with EncryptionFailure and reads with"
                  + " DecryptionFailure until the key is enabled again.");
        }
      }
      default -> {}
    }
  }

  @Override
  public DeleteControl cleanup(KmsKey resource, Context<KmsKey> context) {
    watchManagedSecrets(context);
    String owner = KmsKeyPolicy.owner(resource);
    var scheduled =
        keys.scheduleDeletion(
                owner, namespaces.of(resource), KmsKeyPolicy.pendingWindowInDays(resource))
            .orElse(null);
    namespaces.forget(resource);
    if (scheduled == null) {
      return DeleteControl.defaultDelete();
    }
    String arn = keys.arn(scheduled.keyId());
    List<String> claimed =
        resource.getSpec() == null || resource.getSpec().aliases == null
            ? List.of()
            : resource.getSpec().aliases;
    List<String> usedBy = usedBy(resource, scheduled.keyId(), arn, claimed);
    String date = text(scheduled.deletionDate());
    if (usedBy.isEmpty()) {
      events.normal(
          resource,
          EventReason.KeyDeletionScheduled,
          "Scheduled KMS key "
              + arn
              + " for deletion on "
              + date
              + "; create KmsKey "
              + resource.getMetadata().getName()
              + " again before then to cancel it");
    } else {
      events.warning(
          resource,
          EventReason.KeyInUse.name(),
          "KMS key "
              + arn
              + " is PendingDeletion until "
              + date
              + ", but ManagedSecrets still use it: "
              + String.join(", ", usedBy)
              + ". Their new versions fail with EncryptionFailure and reads with"
              + " DecryptionFailure; create KmsKey "
              + resource.getMetadata().getName()
              + " again before "
              + date
              + " to cancel the deletion.");
    }
    return DeleteControl.defaultDelete();
  }

  /**
   * Reconciles now the keys whose automatic rotation is due (the maintenance job's safety net for
   * the reconcile each key schedules for its next rotation).
   */
  public void wakeKeysDueForRotation() {
    IndexerResourceCache<KmsKey> keysCache = cache;
    if (keysCache == null) {
      return;
    }
    Instant now = clock.instant();
    keysCache
        .list()
        .filter(k -> k.getMetadata().getDeletionTimestamp() == null)
        .filter(
            k ->
                keys.find(KmsKeyPolicy.owner(k), namespaces.of(k))
                    .map(key -> KmsKeyPolicy.rotationDue(key, k, now))
                    .orElse(false))
        .forEach(k -> timers.propagateEvent(ResourceID.fromResource(k)));
  }

  /**
   * Whether the key's KmsKey exists again (not being deleted) in the key's namespace incarnation: a
   * KmsKey of the same name in a namespace made again is not the key's.
   */
  public boolean recreated(Keyring.OwnedKey key) {
    IndexerResourceCache<KmsKey> keysCache = cache;
    if (keysCache == null) {
      return false;
    }
    String namespace = KmsKeyPolicy.ownerNamespace(key.owner());
    String name = key.owner().substring(namespace.length() + 1);
    return keysCache
        .get(new ResourceID(name, namespace))
        .filter(k -> k.getMetadata().getDeletionTimestamp() == null)
        .map(k -> key.namespaceUid() == null || key.namespaceUid().equals(namespaces.of(k)))
        .orElse(false);
  }

  private List<String> usedBy(KmsKey resource, String keyId, String arn, List<String> aliases) {
    InformerEventSource<ManagedSecret, KmsKey> source = managedSecrets;
    if (source == null) {
      return List.of();
    }
    return KmsKeyPolicy.usedBy(
        source.list(ms -> KmsKeyPolicy.uses(ms, resource, keyId, arn, aliases)).toList());
  }

  /** The KmsKeys a ManagedSecret uses now or used at its previous event. */
  private Set<ResourceID> keysOf(ManagedSecret ms) {
    ResourceID id = ResourceID.fromResource(ms);
    Set<ResourceID> now = referencedKeys(ms);
    // Only ManagedSecrets that name a KmsKey are remembered: one on the default key costs nothing.
    Set<ResourceID> before =
        ms.getMetadata().getDeletionTimestamp() != null || now.isEmpty()
            ? keysOfManagedSecrets.remove(id)
            : keysOfManagedSecrets.put(id, now);
    Set<ResourceID> out = new HashSet<>(now);
    if (before != null) {
      out.addAll(before);
    }
    return out;
  }

  private Set<ResourceID> referencedKeys(ManagedSecret ms) {
    Set<ResourceID> out = new HashSet<>();
    String namespace = ms.getMetadata().getNamespace();
    String reference = ms.getSpec() == null ? null : ms.getSpec().kmsKeyId;
    if (reference != null) {
      switch (KmsKeyPolicy.kind(reference)) {
        case ALIAS -> {
          IndexerResourceCache<KmsKey> keysCache = cache;
          if (keysCache != null) {
            keysCache
                .list(namespace)
                .filter(
                    k ->
                        k.getSpec() != null
                            && k.getSpec().aliases != null
                            && k.getSpec().aliases.contains(reference))
                .forEach(k -> out.add(ResourceID.fromResource(k)));
          }
        }
        case NAME -> out.add(new ResourceID(reference, namespace));
        case KEY_ID, ARN -> ownerOf(reference).ifPresent(out::add);
      }
    }
    if (ms.getStatus() != null && ms.getStatus().kmsKeyId != null) {
      ownerOf(ms.getStatus().kmsKeyId).ifPresent(out::add);
    }
    return out;
  }

  private java.util.Optional<ResourceID> ownerOf(String keyIdOrArn) {
    return keys.findByIdOrArn(keyIdOrArn)
        .map(
            k -> {
              String namespace = KmsKeyPolicy.ownerNamespace(k.owner());
              return new ResourceID(k.owner().substring(namespace.length() + 1), namespace);
            });
  }

  /** A ManagedSecret as the usage cache keeps it: its identity and the key it names or uses. */
  static ManagedSecret keyReferences(ManagedSecret ms) {
    ManagedSecret out = new ManagedSecret();
    out.setMetadata(
        new ObjectMetaBuilder()
            .withName(ms.getMetadata().getName())
            .withNamespace(ms.getMetadata().getNamespace())
            .withUid(ms.getMetadata().getUid())
            .withResourceVersion(ms.getMetadata().getResourceVersion())
            .withDeletionTimestamp(ms.getMetadata().getDeletionTimestamp())
            .build());
    out.getSpec().kmsKeyId = ms.getSpec() == null ? null : ms.getSpec().kmsKeyId;
    if (ms.getStatus() != null) {
      out.setStatus(new ManagedSecretStatus());
      out.getStatus().kmsKeyId = ms.getStatus().kmsKeyId;
    }
    return out;
  }

  /** The rotate-key annotation's value as it is, only to tell whether it changed. */
  static String rotateAnnotation(KmsKey key) {
    Map<String, String> annotations = key.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(KmsKeyPolicy.ROTATE_ANNOTATION);
  }

  private static KmsKeyStatus copy(KmsKeyStatus status) {
    KmsKeyStatus out = new KmsKeyStatus();
    if (status == null) {
      return out;
    }
    out.keyId = status.keyId;
    out.arn = status.arn;
    out.keyState = status.keyState;
    out.keyMaterialVersions = status.keyMaterialVersions;
    out.lastRotatedDate = status.lastRotatedDate;
    out.nextRotationDate = status.nextRotationDate;
    out.deletionDate = status.deletionDate;
    out.usedBy = status.usedBy;
    out.observedGeneration = status.observedGeneration;
    out.conditions = status.conditions == null ? List.of() : List.copyOf(status.conditions);
    return out;
  }

  private static String text(Instant i) {
    return i == null ? null : i.toString();
  }
}
