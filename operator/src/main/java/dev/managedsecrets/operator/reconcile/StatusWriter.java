package dev.managedsecrets.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a resource's status, and only when it changed: a reconcile with nothing to do makes no API
 * write. Logs once when the resource becomes ready (failures are the funnel's to log).
 *
 * <p>The write is conditional on the status this reconcile read: when the resource changed
 * meanwhile (a 409), java-operator-sdk reads it again and the status is written over the newer
 * object only if its status is still the one the reconcile read (someone else changed its spec or
 * metadata). When another writer changed the status (a second operator, a person), nothing is
 * written and {@link StatusChanged} sends the reconcile round again from what is there now: a
 * status computed from an older view never replaces a newer one.
 */
final class StatusWriter {

  private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);

  private StatusWriter() {}

  static <S, R extends CustomResource<?, S>> void write(
      R resource, S status, Function<S, List<Condition>> conditions, Context<R> context) {
    S before = resource.getStatus();
    if (Objects.equals(status, before)) {
      return;
    }
    List<Condition> now = conditions.apply(status);
    if (before == null || !Conditions.sameState(conditions.apply(before), now, Conditions.READY)) {
      Condition ready = Conditions.find(now, Conditions.READY);
      if (ready != null && "True".equals(ready.getStatus())) {
        LOG.info(
            "{} {}/{} is ready: {}",
            resource.getKind(),
            resource.getMetadata().getNamespace(),
            resource.getMetadata().getName(),
            ready.getMessage());
      }
    }
    R updated =
        PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(
            resource, context, latest -> withStatus(latest, before, status));
    // A later write of the same reconcile (a rotation's, then the last) starts from this one.
    resource.setStatus(status);
    resource.getMetadata().setResourceVersion(updated.getMetadata().getResourceVersion());
  }

  /**
   * {@code latest} with {@code status}, if its status is still {@code before}, the one the status
   * was computed from.
   *
   * @throws StatusChanged when another writer changed the status meanwhile
   */
  static <S, R extends CustomResource<?, S>> R withStatus(R latest, S before, S status) {
    if (!Objects.equals(latest.getStatus(), before)) {
      throw new StatusChanged(latest);
    }
    latest.setStatus(status);
    return latest;
  }

  /**
   * The status changed since the reconcile read it: nothing was written, and the resource is
   * reconciled again (with back-off) from its newer state. Not a failure of the resource: the
   * funnel does not report it.
   */
  static final class StatusChanged extends RuntimeException {
    StatusChanged(CustomResource<?, ?> resource) {
      super(
          "The status of "
              + resource.getKind()
              + " "
              + resource.getMetadata().getNamespace()
              + "/"
              + resource.getMetadata().getName()
              + " changed meanwhile; reconciling again",
          null,
          false,
          false);
    }
  }
}
