package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import dev.managedsecrets.core.rotation.RotationRequests;
import dev.managedsecrets.core.rotation.RotationRules;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.operator.metrics.OperatorMetrics;
import dev.managedsecrets.operator.rotation.RotationPlan;
import dev.managedsecrets.operator.rotation.RotationRunner;
import dev.managedsecrets.operator.rotation.RotationSlots;
import dev.managedsecrets.operator.rotation.RotationStrategy;
import dev.managedsecrets.operator.rotation.TestOnlyRotation;
import dev.managedsecrets.operator.rotation.WebhookRotation;
import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rotation part of a reconcile: decides with {@link RotationPlan} whether the ManagedSecret
 * rotates now, and if so runs {@link RotationRunner} with the strategy {@link RotationStrategies}
 * makes, with the {@code Rotating} condition True while it runs, an Event per step and one for the
 * outcome, and the rotation metrics. A failed rotation is not a failed reconcile: AWSCURRENT and
 * the projected Secret stay as they are, Ready stays True, and the rotation is retried in the next
 * window. Events and conditions name versions and steps, never a value or a key of one.
 */
final class RotationStep {

  private static final Logger LOG = LoggerFactory.getLogger(RotationStep.class);

  static final String WAKEUPS_SOURCE = "rotation-slots";

  /** Any new value of this annotation rotates the ManagedSecret once. */
  static final String ROTATE_NOW = RotationRequests.ROTATE_NOW;

  static final String ROTATING = "Rotating";
  static final String FAILED = "RotationFailed";
  static final String SUCCEEDED = "RotationSucceeded";

  /** The longest annotation value remembered in the status. */
  static final int MAX_ROTATE_NOW = 253;

  /**
   * What the rotation part did.
   *
   * @param rotated the finished rotation (the caller clears its value), or null
   * @param stored the record to go on with
   * @param status what the rotation adds to the status being written
   * @param next when the ManagedSecret must be looked at again for its schedule, or null
   */
  record Outcome(
      RotationRunner.Rotated rotated,
      StoredSecret stored,
      UnaryOperator<ManagedSecretStatus> status,
      Instant next) {

    /**
     * How long to wait for {@link #next} from {@code now}; null when there is nothing to wait for.
     */
    Duration wait(Instant now) {
      if (next == null) {
        return null;
      }
      Duration d = Duration.between(now, next);
      return d.isNegative() || d.isZero() ? Duration.ofSeconds(1) : d;
    }
  }

  private final RotationRunner rotation;
  private final WebhookRotation webhook;
  private final TestOnlyRotation test;
  private final RotationStrategies strategies;
  private final RotationSlots slots;
  private final Duration retryWhenBusy;

  /** Reconciles a ManagedSecret whose rotation waited for a slot, once one is given back. */
  private final SimpleInboundEventSource<ManagedSecret> wakeups =
      new SimpleInboundEventSource<>(WAKEUPS_SOURCE);

  private final EventRecorder events;
  private final Checkpoints checkpoints;
  private final Clock clock;
  private final MeterRegistry registry;

  RotationStep(
      RotationRunner rotation,
      WebhookRotation webhook,
      TestOnlyRotation test,
      RotationStrategies strategies,
      RotationSlots slots,
      Duration retryWhenBusy,
      EventRecorder events,
      Checkpoints checkpoints,
      Clock clock,
      MeterRegistry registry) {
    this.rotation = rotation;
    this.webhook = webhook;
    this.test = test;
    this.strategies = strategies;
    this.slots = slots;
    this.retryWhenBusy = retryWhenBusy;
    this.events = events;
    this.checkpoints = checkpoints;
    this.clock = clock;
    this.registry = registry;
  }

  /**
   * Rotates {@code ms} when its plan says so; otherwise only says when to look again.
   *
   * @throws SecretsManagerException the ManagedSecret can't be rotated as asked
   *     (InvalidParameterException): for the failure funnel
   */
  Outcome run(
      ManagedSecret ms, StoredSecret stored, String keyArn, Context<ManagedSecret> context) {
    RotationRules rules = RotationRules.of(ms.getSpec());
    if (rules.enabled()) {
      strategies.requireAllowedHost(ms.getSpec(), rules);
    }
    ManagedSecretStatus status = ms.getStatus();
    String rotateNow = rotateNow(ms);
    Instant now = clock.instant();
    Condition rotating = status == null ? null : Conditions.find(status.conditions, ROTATING);
    Instant lastFailure =
        rotating != null
                && "False".equals(rotating.getStatus())
                && FAILED.equals(rotating.getReason())
            ? Instant.parse(rotating.getLastTransitionTime())
            : null;
    StoredVersion current = stored.current().orElse(null);
    RotationPlan plan =
        RotationPlan.decide(
            new RotationPlan.Facts(
                rules,
                status != null && Boolean.TRUE.equals(status.rotationEnabled),
                rotateNow,
                status == null ? null : status.rotateNowHandled,
                current == null ? null : current.createdDate(),
                RotationRunner.pendingToken(stored).isPresent(),
                lastFailure,
                now));
    Boolean enabled = rules.enabled() && rules.schedule() != null ? Boolean.TRUE : null;
    if (!plan.rotate()) {
      return new Outcome(
          null, stored, s -> finished(ms, scheduled(s, enabled, plan.next()), stored), plan.next());
    }
    rules.requireRotatable(ms.getSpec());
    String host =
        RotationRules.WEBHOOK.equals(rules.strategy())
            ? WebhookTargets.slotKey(ms)
            : strategies.host(ms, rules, stored);
    ResourceID id = ResourceID.fromResource(ms);
    RotationSlots.Slot slot =
        host == null ? null : slots.tryTake(host, id.toString(), () -> wake(id)).orElse(null);
    if (host != null && slot == null) {
      // As many rotations as allowed run now (overall or on this host): tried again shortly,
      // without holding this reconcile thread. The status stays as it is, so the retry makes the
      // same plan (a rotation turned on still rotates, or tests, once).
      checkpoints.reached(Checkpoints.Point.ROTATION_DEFERRED, ms);
      return new Outcome(null, stored, s -> s, now.plus(retryWhenBusy));
    }
    try {
      // Made once the slot is taken: a deferred attempt reads no Secret (CA, master credentials).
      RotationStrategy strategy = strategies.of(ms, rules, context);
      return rotate(ms, stored, keyArn, context, rules, plan, strategy, enabled, rotateNow);
    } finally {
      if (slot != null) {
        slot.close();
      }
    }
  }

  private Outcome rotate(
      ManagedSecret ms,
      StoredSecret stored,
      String keyArn,
      Context<ManagedSecret> context,
      RotationRules rules,
      RotationPlan plan,
      RotationStrategy strategy,
      Boolean enabled,
      String rotateNow) {
    if (plan.testOnly()) {
      return testOnly(ms, stored, keyArn, enabled, plan, strategy, context);
    }
    StoredVersion current = stored.current().orElse(null);
    String handled = plan.rotateNowConsumed() ? rotateNow : null;
    // RotateSecret's token (the VersionId it answered) is the new version's VersionId.
    String token = RotationRequests.isToken(handled) ? handled : null;
    markRotating(ms, plan, handled, context);
    long started = System.nanoTime();
    try {
      RotationRunner.Progress progress = (step, version) -> step(ms, step, version);
      RotationRunner.Rotated rotated =
          RotationRules.WEBHOOK.equals(rules.strategy())
              ? webhook.rotate(
                  stored, () -> WebhookTargets.resolve(ms, context.getClient()), token, progress)
              : rotation.rotate(stored, strategy, keyArn, token, progress);
      Instant done = clock.instant();
      OperatorMetrics.rotated(registry, rules.strategy(), "Succeeded", elapsed(started));
      events.normal(
          ms,
          EventReason.SecretRotated,
          "Rotated secret: version " + rotated.current().versionId() + " is AWSCURRENT");
      Instant next =
          enabled == null
              ? null
              : RotationPlan.nextWindow(rules, rotated.current().createdDate(), null, done);
      return new Outcome(
          rotated,
          rotated.secret(),
          s -> {
            ManagedSecretStatus out = scheduled(s, enabled, next);
            out.lastRotatedDate = done.toString();
            out.rotateNowHandled = handled != null ? handled : out.rotateNowHandled;
            out.conditions =
                Conditions.set(
                    out.conditions,
                    ROTATING,
                    false,
                    SUCCEEDED,
                    "Rotated to version " + rotated.current().versionId() + ".",
                    ms.getMetadata().getGeneration(),
                    done);
            return out;
          },
          next);
    } catch (RuntimeException e) {
      Instant failed = clock.instant();
      OperatorMetrics.rotated(registry, rules.strategy(), "Failed", elapsed(started));
      Failure failure = Failure.of(e);
      if (failure.unexpected() != null) {
        LOG.warn(
            "Rotation of ManagedSecret {}/{} failed unexpectedly",
            ms.getMetadata().getNamespace(),
            ms.getMetadata().getName(),
            failure.unexpected());
      }
      Instant next =
          enabled == null
              ? null
              : RotationPlan.nextWindow(
                  rules, current == null ? null : current.createdDate(), failed, failed);
      String message =
          "Rotation failed ("
              + failure.reason()
              + ": "
              + failure.message()
              + "). AWSCURRENT and Secret "
              + ms.getMetadata().getName()
              + " are unchanged"
              + (next == null ? "." : "; retried in the next window, at " + next + ".");
      events.warning(ms, FAILED, message);
      return new Outcome(
          null,
          stored,
          s -> {
            ManagedSecretStatus out = scheduled(s, enabled, next);
            out.rotateNowHandled = handled != null ? handled : out.rotateNowHandled;
            out.conditions =
                Conditions.set(
                    out.conditions,
                    ROTATING,
                    false,
                    FAILED,
                    message,
                    ms.getMetadata().getGeneration(),
                    failed);
            return out;
          },
          next);
    }
  }

  /**
   * AWS's test of a rotation turned on without rotateImmediately: createSecret and testSecret, then
   * AWSPENDING removed. A failure is a Warning Event; the schedule goes on either way.
   */
  private Outcome testOnly(
      ManagedSecret ms,
      StoredSecret stored,
      String keyArn,
      Boolean enabled,
      RotationPlan plan,
      RotationStrategy strategy,
      Context<ManagedSecret> context) {
    UnaryOperator<ManagedSecretStatus> status = s -> scheduled(s, enabled, plan.next());
    StoredSecret after = stored;
    RuntimeException failure;
    try {
      RotationRunner.Progress progress =
          (step, token) ->
              events.normal(
                  ms,
                  EventReason.RotationStepSucceeded,
                  "Rotation test step " + step + " succeeded for version " + token);
      TestOnlyRotation.Tested tested =
          RotationRules.WEBHOOK.equals(RotationRules.of(ms.getSpec()).strategy())
              ? webhook.test(
                  stored, () -> WebhookTargets.resolve(ms, context.getClient()), progress)
              : test.run(stored, strategy, keyArn, progress);
      after = tested.secret();
      failure = tested.failure();
    } catch (RuntimeException e) {
      failure = e;
    }
    if (failure != null) {
      Failure f = Failure.of(failure);
      events.warning(
          ms,
          FAILED,
          "The test of the rotation failed ("
              + f.reason()
              + ": "
              + f.message()
              + "). AWSCURRENT and Secret "
              + ms.getMetadata().getName()
              + " are unchanged; the first rotation is in the first window.");
    }
    return new Outcome(null, after, status, plan.next());
  }

  /** The event source that wakes rotations that waited for a slot: the reconciler registers it. */
  SimpleInboundEventSource<ManagedSecret> wakeups() {
    return wakeups;
  }

  private void wake(ResourceID id) {
    if (wakeups.isRunning()) {
      wakeups.propagateEvent(id);
    }
  }

  private void step(ManagedSecret ms, RotationRunner.Step step, String token) {
    events.normal(
        ms,
        EventReason.RotationStepSucceeded,
        "Rotation step " + step + " succeeded for version " + token);
    checkpoints.reached(
        switch (step) {
          case createSecret -> Checkpoints.Point.ROTATION_PENDING_STORED;
          case setSecret -> Checkpoints.Point.ROTATION_SET;
          case testSecret -> Checkpoints.Point.ROTATION_TESTED;
          case finishSecret -> Checkpoints.Point.ROTATION_FINISHED;
        },
        ms);
  }

  /**
   * Writes Rotating=True before the first step, so that it shows while the rotation runs, with the
   * annotation's value it handles: an operator that stops after any step resumes the rotation in
   * progress rather than starting another for the same value.
   */
  private void markRotating(
      ManagedSecret ms, RotationPlan plan, String handled, Context<ManagedSecret> context) {
    ManagedSecretStatus status = ManagedSecretReconciler.copy(ms.getStatus());
    if (handled != null) {
      status.rotateNowHandled = handled;
    }
    status.conditions =
        Conditions.set(
            status.conditions,
            ROTATING,
            true,
            "RotationStarted",
            "Rotating because " + plan.reason() + ".",
            ms.getMetadata().getGeneration(),
            clock.instant());
    events.normal(ms, EventReason.RotationStarted, "Started rotation: " + plan.reason());
    StatusWriter.write(ms, status, s -> s.conditions, context);
  }

  /**
   * A rotation shown as running (Rotating=True) when none runs and none is in progress: the
   * operator stopped after its finishSecret, before the status was written. Shown as succeeded now.
   */
  private static ManagedSecretStatus finished(
      ManagedSecret ms, ManagedSecretStatus s, StoredSecret stored) {
    Condition rotating = Conditions.find(s.conditions, ROTATING);
    StoredVersion current = stored.current().orElse(null);
    if (rotating == null
        || !"True".equals(rotating.getStatus())
        || current == null
        || RotationRunner.pendingToken(stored).isPresent()) {
      return s;
    }
    s.lastRotatedDate = current.createdDate().toString();
    s.conditions =
        Conditions.set(
            s.conditions,
            ROTATING,
            false,
            SUCCEEDED,
            "Rotated to version " + current.versionId() + ".",
            ms.getMetadata().getGeneration(),
            current.createdDate());
    return s;
  }

  private static ManagedSecretStatus scheduled(
      ManagedSecretStatus s, Boolean enabled, Instant next) {
    s.rotationEnabled = enabled;
    s.nextRotationDate = next == null ? null : next.toString();
    return s;
  }

  /**
   * The annotation's value, or null; refused when longer than the status remembers.
   *
   * @throws SecretsManagerException InvalidParameterException when it is too long
   */
  static String rotateNow(ManagedSecret ms) {
    Map<String, String> annotations = ms.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(ROTATE_NOW);
    if (value != null && value.length() > MAX_ROTATE_NOW) {
      throw SecretsManagerException.invalidParameter(
          "The annotation "
              + ROTATE_NOW
              + " is longer than "
              + MAX_ROTATE_NOW
              + " characters: use a short value, such as the date.");
    }
    return value;
  }

  private static Duration elapsed(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }
}
