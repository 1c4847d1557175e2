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
    PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(
        resource,
        context,
        latest -> {
          latest.setStatus(status);
          return latest;
        });
  }
}
