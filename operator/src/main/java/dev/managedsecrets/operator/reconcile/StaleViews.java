package dev.managedsecrets.operator.reconcile;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.secret.SpecGeneration;
import dev.managedsecrets.operator.manager.StaleSpecException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a reconcile with the generation of the spec it acts on, and decides what a write refused as
 * {@link StaleSpecException} means: a later generation of the ManagedSecret than the reconcile's
 * wrote the store's record. The API server is asked (one GET, only then) which generation the
 * ManagedSecret has now:
 *
 * <ul>
 *   <li>a later one, or it is gone: the reconcile's view is behind (a second operator whose
 *       informer is a change behind). Nothing was written; no failure, status or Event; the
 *       ManagedSecret is reconciled again, by the event of its newer spec or after {@link
 *       #RECHECK}.
 *   <li>the very one the reconcile acts on: the ManagedSecret went back to a generation it had (its
 *       cluster was restored from a backup older than its store). Its spec as it is now is the
 *       truth: the reconcile runs again and writes it, recording the record's generation (so the
 *       generations the ManagedSecret has yet to reach again never pass for newer than it).
 * </ul>
 */
final class StaleViews {

  private static final Logger LOG = LoggerFactory.getLogger(StaleViews.class);

  /** When a ManagedSecret whose view was behind is reconciled again, if nothing came first. */
  static final Duration RECHECK = Duration.ofSeconds(2);

  private StaleViews() {}

  /** Runs {@code sync} with the generation of {@code ms}'s spec; see the class comment. */
  static UpdateControl<ManagedSecret> reconcile(
      ManagedSecret ms,
      Context<ManagedSecret> context,
      Function<SpecGeneration, UpdateControl<ManagedSecret>> sync) {
    SpecGeneration spec = of(ms);
    try {
      return sync.apply(spec);
    } catch (StaleSpecException stale) {
      if (!current(ms, live(ms, context))) {
        return behind(ms, stale);
      }
      LOG.info(
          "ManagedSecret {}/{} is at generation {}, lower than generation {} of it that wrote its"
              + " stored record: its cluster was restored from a backup older than its store. Its"
              + " spec as it is now is written.",
          ms.getMetadata().getNamespace(),
          ms.getMetadata().getName(),
          spec.generation(),
          stale.recorded().generation());
      try {
        return sync.apply(spec.atLeast(stale.recorded()));
      } catch (StaleSpecException again) {
        return behind(ms, again);
      }
    }
  }

  /** The generation of the spec the reconcile acts on; null when the object carries none. */
  static SpecGeneration of(ManagedSecret ms) {
    Long generation = ms.getMetadata().getGeneration();
    String uid = ms.getMetadata().getUid();
    return uid == null || generation == null || generation < 1
        ? null
        : new SpecGeneration(uid, generation);
  }

  /**
   * True when {@code live}, the ManagedSecret as the API server has it now, is the very object and
   * generation that the reconcile's {@code view} is of.
   */
  static boolean current(ManagedSecret view, ManagedSecret live) {
    return live != null
        && Objects.equals(live.getMetadata().getUid(), view.getMetadata().getUid())
        && Objects.equals(live.getMetadata().getGeneration(), view.getMetadata().getGeneration());
  }

  private static ManagedSecret live(ManagedSecret ms, Context<ManagedSecret> context) {
    return context
        .getClient()
        .resources(ManagedSecret.class)
        .inNamespace(ms.getMetadata().getNamespace())
        .withName(ms.getMetadata().getName())
        .get();
  }

  private static UpdateControl<ManagedSecret> behind(ManagedSecret ms, StaleSpecException e) {
    LOG.debug(
        "ManagedSecret {}/{}: {}; reconciling again from its newer spec",
        ms.getMetadata().getNamespace(),
        ms.getMetadata().getName(),
        e.getMessage());
    return UpdateControl.<ManagedSecret>noUpdate().rescheduleAfter(RECHECK);
  }
}
