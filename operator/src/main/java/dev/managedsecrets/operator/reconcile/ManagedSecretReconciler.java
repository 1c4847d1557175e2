package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import dev.managedsecrets.api.v1alpha1.ReplicationStatus;
import dev.managedsecrets.api.v1alpha1.TargetSpec;
import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.generate.GeneratedEntry;
import dev.managedsecrets.core.names.Names;
import dev.managedsecrets.core.projection.PreviousKeys;
import dev.managedsecrets.core.projection.Projection;
import dev.managedsecrets.core.sealing.SealedInputs;
import dev.managedsecrets.core.secret.SpecGeneration;
import dev.managedsecrets.core.secret.StagingLabels;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.core.secret.ValueOwner;
import dev.managedsecrets.core.validation.Regions;
import dev.managedsecrets.core.validation.SpecValidator;
import dev.managedsecrets.core.value.InputHash;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueAssembler;
import dev.managedsecrets.core.value.ValueInput;
import dev.managedsecrets.core.value.ValueInputs;
import dev.managedsecrets.operator.config.OperatorConfig;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import dev.managedsecrets.operator.metrics.OperatorMetrics;
import dev.managedsecrets.operator.namespaces.NamespaceIncarnations;
import dev.managedsecrets.operator.projection.ProjectedSecret;
import dev.managedsecrets.operator.replication.Replicator;
import dev.managedsecrets.operator.rotation.RotationFunctionClient;
import dev.managedsecrets.operator.rotation.RotationRunner;
import dev.managedsecrets.operator.rotation.RotationSlots;
import dev.managedsecrets.operator.rotation.TestOnlyRotation;
import dev.managedsecrets.operator.rotation.WebhookRotation;
import dev.managedsecrets.operator.sealing.SealedOnlyNamespaces;
import dev.managedsecrets.operator.sealing.SealedValues;
import dev.managedsecrets.operator.store.StoreConflictException;
import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reconciles a ManagedSecret in the steps of the API contract (docs/API.md): validate, resolve the
 * key, assemble the value's inputs, store a version when they changed, move staging labels, project
 * the native Secret, write status. Each step is decided by the classes it calls; this class orders
 * them and reports. Every failure goes to {@link #updateErrorStatus}.
 */
public final class ManagedSecretReconciler
    implements Reconciler<ManagedSecret>, Cleaner<ManagedSecret> {

  public static final String FINALIZER = "managedsecrets.dev/finalizer";
  static final String SECRETS_SOURCE = "projected-secrets";

  /** The Warning when the previous version's keys can't be projected beside the current ones. */
  static final String PREVIOUS_NOT_PROJECTED = "PreviousValueNotProjected";

  private final SecretsManagerService secrets;
  private final Kms kms;
  private final ValueAssembler values;
  private final ProjectedSecret projected;
  private final SourceSecrets sources;
  private final SealedValues sealedValues;
  private final SealedOnlyNamespaces sealedOnly;
  private final OperatorNamespace operatorNamespace;
  private final EventRecorder events;
  private final NamespaceIncarnations namespaces;
  private final FailureFunnel failures;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Checkpoints checkpoints;
  private final StoreWrites storeWrites;
  private final RotationStep rotations;
  private final RolloutRestarts restarts;
  private final ReplicationStep replication;
  private final Regions regions;
  private final Resync resync;

  /**
   * {@code checkpoints}: {@link Checkpoints#NONE}, but in a test that stops it between steps;
   * {@code storeWrites}: values written into the store by the endpoint, each reconciled at once;
   * {@code replicator}: replicates to the peer regions, or null when none are configured.
   */
  public ManagedSecretReconciler(
      SecretsManagerService secrets,
      Kms kms,
      ValueAssembler values,
      ProjectedSecret projected,
      SealedValues sealedValues,
      SealedOnlyNamespaces sealedOnly,
      EventRecorder events,
      NamespaceIncarnations namespaces,
      Clock clock,
      OperatorConfig config,
      MeterRegistry registry,
      Checkpoints checkpoints,
      StoreWrites storeWrites,
      Replicator replicator) {
    this.replication =
        new ReplicationStep(replicator, config.replication().orphanAfter(), events, clock);
    this.namespaces = namespaces;
    this.secrets = secrets;
    this.kms = kms;
    this.values = values;
    this.projected = projected;
    this.sealedValues = sealedValues;
    this.sealedOnly = sealedOnly;
    this.sources =
        new SourceSecrets(
            config.fromSecretPollInterval(),
            new OperatorSecrets(config.store().credentialsSecret()));
    this.operatorNamespace =
        new OperatorNamespace(config.namespace(), config.allowOperatorNamespace());
    this.events = events;
    this.failures = new FailureFunnel(events, clock);
    this.clock = clock;
    this.registry = registry;
    this.checkpoints = checkpoints;
    this.storeWrites = storeWrites;
    RotationRunner runner = new RotationRunner(secrets);
    this.rotations =
        new RotationStep(
            runner,
            new WebhookRotation(secrets, new RotationFunctionClient()),
            new TestOnlyRotation(secrets, runner),
            new RotationStrategies(values, secrets, config.rotation()),
            new RotationSlots(
                config.rotation().maxConcurrent(), config.rotation().maxConcurrentPerHost()),
            config.rotation().retryWhenBusy(),
            events,
            checkpoints,
            clock,
            registry);
    this.restarts = new RolloutRestarts(events, clock);
    this.regions = config.regions();
    this.resync = new Resync(config.resyncInterval());
  }

  @Override
  public List<EventSource<?, ManagedSecret>> prepareEventSources(
      EventSourceContext<ManagedSecret> context) {
    NameClaims.index(context.getPrimaryCache());
    SourceSecretEvents.index(context.getPrimaryCache());
    return List.of(
        projected.eventSource(SECRETS_SOURCE, context),
        SourceSecretEvents.source(context),
        KmsKeyEvents.source(context),
        storeWrites.eventSource(),
        rotations.wakeups(),
        replication.eventSource());
  }

  /**
   * Reconciles with the generation of the spec it acts on: a write that a later generation of the
   * ManagedSecret made already is not made again from an older view ({@link StaleViews}).
   */
  @Override
  public UpdateControl<ManagedSecret> reconcile(ManagedSecret ms, Context<ManagedSecret> context) {
    // What this reconcile did is told in one Event (EventRecorder.Batch).
    try (EventRecorder.Batch told = events.batch(ms)) {
      return StaleViews.reconcile(ms, context, generation -> reconcile(ms, context, generation));
    }
  }

  private UpdateControl<ManagedSecret> reconcile(
      ManagedSecret ms, Context<ManagedSecret> context, SpecGeneration generation) {
    ManagedSecretSpec spec = ms.getSpec() == null ? new ManagedSecretSpec() : ms.getSpec();
    ms.setSpec(spec);
    // 1. Validate: a tenant's namespace, the spec's rules, the name is this ManagedSecret's to use.
    operatorNamespace.check(ms);
    Names names = Names.of(ms);
    SpecValidator.validate(ms, names, regions);
    sealedOnly.check(ms);
    NameClaims.requireOldest(ms, names, context.getPrimaryCache());
    // 2. Resolve the KMS key.
    String keyArn = kms.resolve(spec.kmsKeyId, names.namespace());
    // 3. Assemble the value's inputs (a fromSecret source is read now); check the sealed values
    // against this object and the sealing keys, without opening them. A value that lives in the
    // store has none: only the Secrets Manager endpoint writes its versions and moves its labels.
    boolean storeOwned = ValueOwner.store(spec);
    ValueInput input =
        storeOwned
            ? new ValueInput.None()
            : ValueInputs.of(spec, sources.read(ms, context.getClient()));
    SealedInputs sealed = SealedInputs.of(ms);
    sealedValues.check(sealed);
    // 4. Claim the name; rotate when due (a rotation in progress finishes before a spec change is
    // stored); store a version when the inputs changed.
    checkpoints.reached(Checkpoints.Point.CLAIMING, ms);
    StoredSecret claimed = claim(ms, names, context, deferrable(ms));
    if (claimed == null) {
      return UpdateControl.noUpdate(); // deleted meanwhile: its cleanup comes next
    }
    RotationStep.Outcome rotation = rotations.run(ms, claimed, keyArn, context);
    State current;
    try {
      current =
          withRotated(
              storeIfChanged(
                  ms, context, rotation.stored(), input, sealed, names, keyArn, generation),
              rotation.rotated());
      // A new secret's record was created with its first version; without one, it is now.
      current = persisted(current);
    } catch (StoreConflictException taken) {
      if (claimed.revision() != null) {
        throw taken;
      }
      // The new secret's name has a record after all (a restored store; a write before a crash):
      // claimed as any record is, and the value stored as for any secret.
      claimed = claim(ms, names, context, false);
      if (claimed == null) {
        return UpdateControl.noUpdate();
      }
      rotation = rotations.run(ms, claimed, keyArn, context);
      current =
          withRotated(
              storeIfChanged(
                  ms, context, rotation.stored(), input, sealed, names, keyArn, generation),
              rotation.rotated());
    }
    if (claimed.revision() == null) {
      created(ms, names);
    }
    String restartedFor;
    try {
      if (current.fresh() != null) {
        checkpoints.reached(Checkpoints.Point.VERSION_STORED, ms);
      }
      // 5. Move staging labels where spec.versionStages places them.
      if (!storeOwned) {
        current = moveStages(ms, current, generation);
      }
      // 6. Project the native Secret; remove those under target names no longer used.
      project(ms, names, context, current);
      // 6b. Restart the workloads of target.rolloutRestart once per new AWSCURRENT, now that the
      // Secret holds it.
      restartedFor =
          restarts.restart(
              ms,
              context.getClient(),
              current.current() == null ? null : current.current().versionId());
    } finally {
      current.clear();
    }
    checkpoints.reached(Checkpoints.Point.SECRET_PROJECTED, ms);
    // 7. The key changed: re-encrypt AWSCURRENT, AWSPENDING and AWSPREVIOUS under it.
    current = reencrypt(ms, current, keyArn, generation);
    // 8. Status.
    ManagedSecretStatus status = rotation.status().apply(synced(ms, names, current, keyArn));
    status.restartedForVersionId = restartedFor;
    // 9. Replicate to the regions of spec.replicaRegions (on the replication threads).
    status.replicationStatus = replication.run(ms, current.stored());
    StatusWriter.write(ms, status, s -> s.conditions, context);
    OperatorMetrics.reconciled(registry, "Synced");
    // 10. The next reconcile: a source's poll, a rotation due, the previous version's end, or
    // the resync, whichever comes first.
    Duration next =
        earliest(
            earliest(sources.pollAfter(ms), rotation.wait(clock.instant())),
            earliest(earliest(previousEnds(ms, current), resync.next()), renewalAfter(current)));
    return UpdateControl.<ManagedSecret>noUpdate().rescheduleAfter(next);
  }

  private State persisted(State v) {
    StoredSecret stored = secrets.persist(v.stored());
    return stored == v.stored()
        ? v
        : new State(stored, stored.current().orElse(null), v.fresh(), v.pinnedChange());
  }

  /** What a region reports for {@code namespace/name} changed: reconciled again to show it. */
  public void replicationChanged(String namespace, String name) {
    replication.changed(namespace, name);
  }

  private static Duration earliest(Duration a, Duration b) {
    return a == null ? b : b == null || a.compareTo(b) <= 0 ? a : b;
  }

  /**
   * The state to project: a rotation's plaintext is the fresh value when its version is still
   * AWSCURRENT after the spec's inputs were compared (so the projection needs no decryption).
   */
  private static State withRotated(State v, RotationRunner.Rotated rotated) {
    if (rotated == null) {
      return v;
    }
    boolean same =
        v.fresh() == null
            && v.current() != null
            && v.current().versionId().equals(rotated.current().versionId());
    if (!same) {
      rotated.value().clear();
      return v;
    }
    return new State(v.stored(), v.current(), rotated.value(), v.pinnedChange());
  }

  /** Every failure of a reconcile: reported through the funnel, retried unless terminal. */
  @Override
  public ErrorStatusUpdateControl<ManagedSecret> updateErrorStatus(
      ManagedSecret ms, Context<ManagedSecret> context, Exception e) {
    List<Condition> before = ms.getStatus() == null ? null : ms.getStatus().conditions;
    return failures.fail(
        ms,
        before,
        e,
        (failure, conditions) -> {
          ManagedSecretStatus status = copy(ms.getStatus());
          status.conditions = conditions;
          if (!Objects.equals(status.observedGeneration, ms.getMetadata().getGeneration())) {
            // The spec changed, whether or not it could be applied: LastChangedDate moves.
            status.lastChangedDate = text(clock.instant());
          }
          status.observedGeneration = ms.getMetadata().getGeneration();
          OperatorMetrics.reconciled(registry, failure.reason());
          StatusWriter.write(ms, status, s -> s.conditions, context);
        },
        recheckAfter(ms, e));
  }

  /**
   * When a failure that waits for a change is looked at again: a fromSecret source may appear or
   * change, and a foreign Secret holding the target name may go, without an event the operator sees
   * (its informer selects the Secrets it manages), and the CA ManagedSecret a certificate names may
   * get its value. Null: only a change of the ManagedSecret, or a resync, brings it back.
   */
  private Duration recheckAfter(ManagedSecret ms, Exception failure) {
    if (failure instanceof CertificateIssuers.NotReady) {
      return earliest(sources.pollInterval(), CertificateIssuers.RECHECK);
    }
    return failure instanceof ProjectedSecret.ForeignSecretException
            || failure instanceof ProjectedSecret.UnmergeableSecretException
        ? sources.pollInterval()
        : sources.pollAfter(ms);
  }

  @Override
  public DeleteControl cleanup(ManagedSecret ms, Context<ManagedSecret> context) {
    // Replicas go first; an unreachable region holds the deletion until replication.orphanAfter.
    DeleteControl waiting = replication.removeReplicas(ms);
    if (waiting != null) {
      return waiting;
    }
    Names names = Names.of(ms);
    projected.releaseAll(ms, names, context);
    ManagedSecretSpec spec = ms.getSpec() == null ? new ManagedSecretSpec() : ms.getSpec();
    boolean force = Boolean.TRUE.equals(spec.forceDeleteWithoutRecovery);
    secrets.delete(
        names.id(),
        ms.getMetadata().getUid(),
        spec.recoveryWindowInDays,
        force,
        KeptSpecFields.of(ms.getSpec()));
    namespaces.forget(ms);
    return DeleteControl.defaultDelete();
  }

  /** The stored secret, its AWSCURRENT version, and that version's plaintext if just written. */
  private record State(
      StoredSecret stored, StoredVersion current, SecretValue fresh, boolean pinnedChange) {
    void clear() {
      if (fresh != null) {
        fresh.clear();
      }
    }
  }

  /**
   * Takes the name's record (creating or restoring it when needed), or null when the ManagedSecret
   * was deleted meanwhile: a record this claim made or restored for an object already deleted (a
   * DeleteSecret may have purged or scheduled it just before) is taken back at once, so that no
   * reconcile that began before a deletion brings its record back.
   */
  /**
   * Whether a new secret's record may wait for its first version, to be written with it in one
   * write: not when a rotation may run before the value is stored.
   */
  private static boolean deferrable(ManagedSecret ms) {
    return ms.getSpec().rotation == null
        && (ms.getMetadata().getAnnotations() == null
            || !ms.getMetadata().getAnnotations().containsKey(RotationStep.ROTATE_NOW));
  }

  /** The Events of a new secret's record, told first in the reconcile's Event. */
  private void created(ManagedSecret ms, Names names) {
    events.normalFirst(ms, EventReason.SecretCreated, "Created secret " + names.secretName());
    if (names.looksLikeArnSuffix()) {
      events.warning(
          ms,
          EventReason.NameLooksLikeArnSuffix.name(),
          "Secret name "
              + names.secretName()
              + " ends with a hyphen and six characters, like an ARN suffix: partial-ARN"
              + " lookups may confuse it");
    }
  }

  private StoredSecret claim(
      ManagedSecret ms, Names names, Context<ManagedSecret> context, boolean defer) {
    ManagedSecretStatus status = ms.getStatus();
    boolean neverClaimed = status == null || status.arn == null;
    // The freshness anchor: the record as this ManagedSecret's status last saw it. Only the
    // operator writes status, so a writer of the store can't move it back with the record.
    SecretsManagerService.Anchor anchor =
        neverClaimed || status.recordSequence == null
            ? SecretsManagerService.Anchor.NONE
            : new SecretsManagerService.Anchor(status.arn, status.recordSequence);
    SecretsManagerService.Claimed claimed =
        secrets.claim(
            names.id(),
            ms.getMetadata().getName(),
            ms.getMetadata().getUid(),
            () -> namespaces.of(ms),
            neverClaimed,
            anchor,
            defer);
    if (claimed.claim() != SecretsManagerService.Claim.EXISTING && deleted(ms, context)) {
      secrets.withdraw(claimed);
      return null;
    }
    switch (claimed.claim()) {
      case CREATED -> {
        if (claimed.secret().revision() != null) {
          created(ms, names);
        } // else told once the deferred record is written
      }
      case RESTORED ->
          events.normal(
              ms,
              EventReason.SecretRestored,
              "Restored secret "
                  + names.secretName()
                  + " with its versions and ARN "
                  + claimed.secret().arn());
      default -> {}
    }
    return claimed.secret();
  }

  /** The ManagedSecret is gone, or being deleted, as the API server has it now (not the cache). */
  private static boolean deleted(ManagedSecret ms, Context<ManagedSecret> context) {
    ManagedSecret now =
        context
            .getClient()
            .resources(ManagedSecret.class)
            .inNamespace(ms.getMetadata().getNamespace())
            .withName(ms.getMetadata().getName())
            .get();
    return now == null
        || !now.getMetadata().getUid().equals(ms.getMetadata().getUid())
        || now.getMetadata().getDeletionTimestamp() != null;
  }

  /**
   * Writes a new AWSCURRENT version when the inputs' keyed hash differs from the current version's
   * (no decryption to tell), unless spec.versionStages pins AWSCURRENT. Sealed values are compared
   * by the keyed hash of their ciphertext, and opened only when it changed: then the opened value's
   * hash decides, so a value sealed again (a new ciphertext of the same plaintext) makes no new
   * version, only a record of the new ciphertext's hash.
   *
   * <p>A {@code clientRequestToken} that no version has and that no successful reconcile applied
   * yet ({@link #newToken}) makes a version even when the value is the same, as AWS makes one for
   * each PutSecretValue with a new token; a spec applied again unchanged (GitOps) makes none.
   */
  private State storeIfChanged(
      ManagedSecret ms,
      Context<ManagedSecret> context,
      StoredSecret stored,
      ValueInput plain,
      SealedInputs sealed,
      Names names,
      String keyArn,
      SpecGeneration generation) {
    ManagedSecretSpec spec = ms.getSpec();
    InputHash hash =
        sealed.isEmpty()
            ? InputHash.plain(values.inputHash(names.id(), plain))
            : InputHash.ofSealed(values.sealedInputHash(names.id(), plain, sealed));
    StoredVersion current = stored.current().orElse(null);
    InputHash recorded = current == null ? null : InputHash.parse(current.inputHash());
    boolean pinned =
        spec.versionStages != null && spec.versionStages.containsKey(StagingLabels.AWSCURRENT);
    boolean newToken = current != null && newToken(ms, stored);
    // A generated certificate due for renewal makes a version of the same inputs (a new one).
    boolean renew =
        current != null && GeneratedEntry.renewalDue(current.generated(), clock.instant());
    boolean renewalOnly = renew && !newToken && hash.sameInputsAs(recorded);
    boolean changed =
        !(plain instanceof ValueInput.None && sealed.isEmpty())
            && (newToken || renew || !hash.sameInputsAs(recorded));
    if (!changed || pinned) {
      return new State(stored, current, null, changed);
    }
    ValueInput input = plain;
    if (!sealed.isEmpty()) {
      Map<SealedInputs.Item, byte[]> opened = sealedValues.open(sealed);
      try {
        input = ValueInputs.withOpened(plain, opened);
      } finally {
        SealedValues.clear(opened);
      }
      hash = hash.withOpened(values.inputHash(names.id(), input));
      if (hash.sameValueAs(recorded) && !newToken && !renew) {
        StoredSecret remembered = secrets.recordInputHash(stored, current, hash.recorded());
        return new State(remembered, remembered.current().orElse(current), null, false);
      }
    }
    SecretsManagerService.Put put =
        secrets.putValue(
            stored,
            input,
            hash.recorded(),
            keyArn,
            renewalOnly ? null : spec.clientRequestToken,
            null,
            generation,
            new CertificateIssuers(secrets, ms, context));
    if (current == null || !current.versionId().equals(put.version().versionId())) {
      events.normal(
          ms,
          EventReason.VersionCreated,
          "Created version "
              + put.version().versionId()
              + " as AWSCURRENT"
              + (renewalOnly ? " (a generated certificate was due for renewal)" : ""));
      OperatorMetrics.versionCreated(registry);
    }
    return new State(put.secret(), put.version(), put.value(), false);
  }

  /**
   * True when the spec names a clientRequestToken that no version has and that no successful
   * reconcile applied ({@code status.appliedClientRequestToken}): a failed reconcile leaves it new,
   * so its retry still makes the version; a token applied long ago whose version retention has
   * dropped makes none. An object from before the status recorded the token, at a generation
   * already reconciled, applied its token.
   */
  static boolean newToken(ManagedSecret ms, StoredSecret stored) {
    String token = ms.getSpec().clientRequestToken;
    if (token == null || stored.version(token).isPresent()) {
      return false;
    }
    ManagedSecretStatus status = ms.getStatus();
    if (status == null) {
      return true;
    }
    if (status.appliedClientRequestToken == null) {
      return !Objects.equals(status.observedGeneration, ms.getMetadata().getGeneration());
    }
    return !token.equals(status.appliedClientRequestToken);
  }

  private State moveStages(ManagedSecret ms, State v, SpecGeneration generation) {
    StoredSecret staged = secrets.applyStages(v.stored(), ms.getSpec().versionStages, generation);
    if (staged == v.stored()) {
      return v;
    }
    StoredVersion moved = staged.current().orElse(null);
    SecretValue fresh = v.fresh();
    if (moved != null
        && (v.current() == null || !moved.versionId().equals(v.current().versionId()))) {
      events.normal(
          ms,
          EventReason.StagingLabelsMoved,
          "Moved AWSCURRENT to version " + moved.versionId() + " (spec.versionStages)");
      v.clear(); // the plaintext is another version's now
      fresh = null;
    }
    return new State(staged, moved, fresh, v.pinnedChange());
  }

  private void project(ManagedSecret ms, Names names, Context<ManagedSecret> context, State v) {
    if (v.current() != null) {
      StoredVersion current = v.current();
      Projection.Previous previous = previous(ms, v, clock.instant());
      StoredVersion previousVersion =
          previous == null ? null : v.stored().version(previous.versionId()).orElseThrow();
      var version =
          new ProjectedSecret.Version(
              names,
              current.versionId(),
              () -> secrets.read(v.stored(), current),
              v.fresh(),
              previous,
              previousVersion == null ? null : () -> secrets.read(v.stored(), previousVersion));
      String name = names.target();
      String beside =
          previous == null
              ? ""
              : ", with version " + previous.versionId() + " beside it until " + previous.until();
      ProjectedSecret.Projected projection = projected.project(ms, context, version);
      if (projection.previousLeftOut() != null) {
        events.warning(ms, PREVIOUS_NOT_PROJECTED, projection.previousLeftOut());
      }
      switch (projection.outcome()) {
        case CREATED ->
            events.normal(ms, EventReason.SecretProjected, "Created Secret " + name + beside);
        case UPDATED ->
            events.normal(
                ms,
                EventReason.SecretProjected,
                "Updated Secret " + name + " to version " + current.versionId() + beside);
        case PREVIOUS_CHANGED ->
            events.normal(
                ms,
                EventReason.SecretProjected,
                previous == null
                    ? "Removed the previous version's keys from Secret " + name
                    : "Added the keys of version "
                        + previous.versionId()
                        + " to Secret "
                        + name
                        + " until "
                        + previous.until()
                        + " (target.previousValue)");
        case REPAIRED -> {
          events.normal(
              ms, EventReason.SecretRepaired, "Put back Secret " + name + ", which had drifted");
          OperatorMetrics.secretRepaired(registry);
        }
        case MERGED ->
            events.normal(
                ms,
                EventReason.SecretProjected,
                "Merged the value's keys into Secret "
                    + name
                    + ", which asked for them ("
                    + Projection.MERGE_FROM_ANNOTATION
                    + ")"
                    + beside);
        case ADOPTED ->
            events.normal(
                ms,
                EventReason.SecretProjected,
                "Took back Secret "
                    + name
                    + ", retained from a ManagedSecret of this name, at version "
                    + current.versionId()
                    + beside);
        case UNCHANGED -> {}
      }
    }
    projected.deleteStale(ms, names, context);
  }

  /**
   * The AWSPREVIOUS version to project beside AWSCURRENT and until when, known from the record
   * alone: none when target.previousValue is not set, the grace period after the current version's
   * creation is over, or there is no AWSPREVIOUS.
   */
  private static Projection.Previous previous(ManagedSecret ms, State v, Instant now) {
    StoredVersion current = v.current();
    if (current == null) {
      return null;
    }
    TargetSpec target = ms.getSpec().target;
    Instant until = PreviousKeys.until(target, current.createdDate(), now);
    if (until == null) {
      return null;
    }
    return v.stored()
        .versionWithStage(StagingLabels.AWSPREVIOUS)
        .filter(p -> !p.versionId().equals(current.versionId()))
        .map(
            p ->
                new Projection.Previous(
                    p.versionId(), until, PreviousKeys.keySuffix(target.previousValue)))
        .orElse(null);
  }

  /**
   * When the previous version's keys are to leave the Secret: right after the end of their grace
   * period (null: none are projected).
   */
  private Duration previousEnds(ManagedSecret ms, State v) {
    Instant now = clock.instant();
    Projection.Previous previous = previous(ms, v, now);
    return previous == null
        ? null
        : Duration.ofMillis(Duration.between(now, previous.until()).toMillis() + 1);
  }

  /**
   * Right after the first generated certificate of AWSCURRENT is due for renewal (null: none is, or
   * its time has come and gone, as for a version that spec.versionStages pins).
   */
  private Duration renewalAfter(State v) {
    Instant now = clock.instant();
    return v.current() == null
        ? null
        : GeneratedEntry.firstRenewed(v.current().generated())
            .map(GeneratedEntry::renewAt)
            .filter(now::isBefore)
            .map(at -> Duration.ofMillis(Duration.between(now, at).toMillis() + 1))
            .orElse(null);
  }

  private State reencrypt(ManagedSecret ms, State v, String keyArn, SpecGeneration generation) {
    StoredSecret reencrypted = secrets.reencrypt(v.stored(), keyArn, generation);
    if (reencrypted == v.stored()) {
      return v;
    }
    events.normal(
        ms,
        EventReason.VersionsReencrypted,
        "Re-encrypted the AWSCURRENT, AWSPENDING and AWSPREVIOUS versions under KMS key " + keyArn);
    return new State(reencrypted, reencrypted.current().orElse(null), null, v.pinnedChange());
  }

  private ManagedSecretStatus synced(ManagedSecret ms, Names names, State v, String keyArn) {
    ManagedSecretStatus status = copy(ms.getStatus());
    StoredSecret stored = v.stored();
    StoredVersion current = v.current();
    status.arn = stored.arn();
    status.name = names.secretName();
    status.versionId = current == null ? null : current.versionId();
    Map<String, List<String>> stages = stored.versionIdsToStages();
    status.versionIdsToStages = stages.isEmpty() ? null : stages;
    status.kmsKeyId = current == null ? keyArn : current.kmsKeyArn();
    status.createdDate = text(stored.createdDate());
    status.lastChangedDate = text(lastChanged(ms, stored));
    status.deletedDate = text(stored.deletedDate());
    status.recordSequence = stored.sequence() == 0 ? null : stored.sequence();
    Map<String, String> generated = current == null ? Map.of() : current.generated();
    status.certificateNotAfter =
        GeneratedEntry.earliestNotAfter(generated).map(Instant::toString).orElse(null);
    status.certificateRenewalDate =
        GeneratedEntry.firstRenewed(generated).map(e -> e.renewAt().toString()).orElse(null);
    String message =
        current == null
            ? "Secret "
                + names.secretName()
                + " has no value yet"
                + (ValueOwner.store(ms.getSpec()) ? " (put one with PutSecretValue)" : "")
                + "; no Secret was projected."
            : "Secret " + names.target() + " holds version " + current.versionId() + ".";
    if (v.pinnedChange()) {
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
    status.appliedClientRequestToken = ms.getSpec().clientRequestToken;
    return status;
  }

  /**
   * LastChangedDate as AWS keeps it, "the last date and time that this secret was modified in any
   * way": the latest of the record's last new version and the reconcile that first saw the current
   * spec generation (a description, tag, key or rotation change, by kubectl, GitOps or the
   * endpoint). A reconcile of a generation already seen keeps the date it has, so it writes
   * nothing.
   */
  private Instant lastChanged(ManagedSecret ms, StoredSecret stored) {
    ManagedSecretStatus before = ms.getStatus();
    Long seen = before == null ? null : before.observedGeneration;
    Instant spec =
        Objects.equals(seen, ms.getMetadata().getGeneration())
            ? parsed(before.lastChangedDate)
            : clock.instant();
    Instant version = stored.lastChangedDate();
    if (spec == null) {
      return version;
    }
    return version == null || spec.isAfter(version) ? spec : version;
  }

  /** An RFC 3339 instant of the status, or null for none or one that does not parse. */
  private static Instant parsed(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  static ManagedSecretStatus copy(ManagedSecretStatus status) {
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
    out.rotationEnabled = status.rotationEnabled;
    out.rotateNowHandled = status.rotateNowHandled;
    out.lastRotatedDate = status.lastRotatedDate;
    out.nextRotationDate = status.nextRotationDate;
    out.deletedDate = status.deletedDate;
    out.certificateNotAfter = status.certificateNotAfter;
    out.certificateRenewalDate = status.certificateRenewalDate;
    out.restartedForVersionId = status.restartedForVersionId;
    out.appliedClientRequestToken = status.appliedClientRequestToken;
    out.recordSequence = status.recordSequence;
    out.replicationStatus =
        status.replicationStatus == null
            ? null
            : new ArrayList<>(
                status.replicationStatus.stream()
                    .map(
                        r -> new ReplicationStatus(r.region, r.kmsKeyId, r.status, r.statusMessage))
                    .toList());
    out.observedGeneration = status.observedGeneration;
    out.conditions = status.conditions == null ? List.of() : List.copyOf(status.conditions);
    return out;
  }

  private static String text(Instant i) {
    return i == null ? null : i.toString();
  }
}
