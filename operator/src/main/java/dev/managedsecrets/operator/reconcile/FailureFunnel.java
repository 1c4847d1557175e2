package dev.managedsecrets.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import java.time.Clock;
import java.util.List;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a failure is reported, for every kind the operator reconciles: a log line, a Warning
 * Event with the AWS exception name as its reason, and the conditions Ready=False with the same
 * reason plus Reconciling=True (retried with back-off) or Stalled=True (waits for a change). The
 * log line (INFO) and the Event are written when the failure is news; a failure that repeats is
 * logged at DEBUG. Both reconcilers hand every exception here, through java-operator-sdk's {@code
 * updateErrorStatus}.
 */
final class FailureFunnel {

  private static final Logger LOG = LoggerFactory.getLogger(FailureFunnel.class);

  private final EventRecorder events;
  private final Clock clock;

  FailureFunnel(EventRecorder events, Clock clock) {
    this.events = events;
    this.clock = clock;
  }

  /**
   * Reports {@code e}, a failure of reconciling {@code resource}, whose status has {@code
   * conditions}; {@code writeStatus} writes the status with the failure's conditions. Returns
   * whether the framework retries. A failure that is the operator stopping is not reported: it says
   * nothing of the resource (the next leader reconciles it); nor is a status that another writer
   * changed meanwhile (the resource is reconciled again from it).
   */
  <R extends HasMetadata> ErrorStatusUpdateControl<R> fail(
      R resource,
      List<Condition> conditions,
      Exception e,
      BiConsumer<Failure, List<Condition>> writeStatus) {
    return fail(resource, conditions, e, writeStatus, null);
  }

  /**
   * As {@link #fail(HasMetadata, List, Exception, BiConsumer)}; a failure that is not retried is
   * looked at again after {@code recheckAfter} when it is given (what it waits for may change
   * without an event the operator sees).
   */
  <R extends HasMetadata> ErrorStatusUpdateControl<R> fail(
      R resource,
      List<Condition> conditions,
      Exception e,
      BiConsumer<Failure, List<Condition>> writeStatus,
      java.time.Duration recheckAfter) {
    if (Interruption.stopping(e)) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    if (e instanceof StatusWriter.StatusChanged) {
      // Another writer changed the status: reconciled again from it, nothing to report.
      LOG.debug("{}", e.getMessage());
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    Failure failure = Failure.of(e);
    writeStatus.accept(failure, report(resource, conditions, failure));
    ErrorStatusUpdateControl<R> control = ErrorStatusUpdateControl.noStatusUpdate();
    if (failure.retried()) {
      return control;
    }
    control = control.withNoRetry();
    return recheckAfter == null ? control : control.rescheduleAfter(recheckAfter);
  }

  /** Logs the failure and records its Event if it is news; returns the conditions it makes. */
  List<Condition> report(HasMetadata resource, List<Condition> conditions, Failure failure) {
    var now = clock.instant();
    String kind = resource.getKind();
    String name = resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    boolean news =
        !Conditions.sameState(
            conditions,
            Conditions.set(
                null, Conditions.READY, false, failure.reason(), failure.message(), null, now),
            Conditions.READY);
    if (failure.unexpected() != null) {
      // The type and where it was thrown; not its message, which may quote anything.
      Exception e = failure.unexpected();
      StackTraceElement at = e.getStackTrace().length == 0 ? null : e.getStackTrace()[0];
      LOG.warn("{} {} failed unexpectedly: {} at {}", kind, name, e.getClass().getName(), at);
    }
    if (news) {
      LOG.info("{} {} is not ready: {}: {}", kind, name, failure.reason(), failure.message());
      events.warning(resource, failure.reason(), failure.message());
    } else {
      LOG.debug("{} {} is still not ready: {}", kind, name, failure.reason());
    }
    return Conditions.notReady(
        conditions,
        failure.reason(),
        failure.message(),
        !failure.retried(),
        resource.getMetadata().getGeneration(),
        now);
  }
}
