package dev.managedsecrets.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.operator.store.StoreUnavailableException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.InterruptedIOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InterruptionTest {

  @AfterEach
  void clearInterrupt() {
    Thread.interrupted();
  }

  @Test
  void aClientCallCutShortByShutdownIsStopping() {
    var cut =
        new KubernetesClientException(
            "interrupted", new InterruptedIOException("request interrupted"));
    assertThat(Interruption.stopping(cut)).isTrue();
    // The funnel writes nothing of it (no Event, no status): the framework handles it as is.
    var funnel = new FailureFunnel(null, java.time.Clock.systemUTC());
    var secret = new dev.managedsecrets.api.v1alpha1.ManagedSecret();
    var control =
        funnel.fail(
            secret,
            null,
            cut,
            (failure, conditions) -> {
              throw new AssertionError("no status for a failure that is the operator stopping");
            });
    assertThat(control.isDefaultErrorProcessing()).isTrue();
  }

  @Test
  void anyFailureOnAnInterruptedThreadIsStopping() {
    Thread.currentThread().interrupt();
    assertThat(Interruption.stopping(new StoreUnavailableException("store down", null))).isTrue();
  }

  @Test
  void anOutageIsNotStopping() {
    var outage = new KubernetesClientException("Service Unavailable", 503, null);
    assertThat(Interruption.stopping(outage)).isFalse();
    // The funnel reports it: InternalServiceError, retried.
    assertThat(Failure.of(outage).reason()).isEqualTo("InternalServiceError");
    assertThat(Failure.of(outage).retried()).isTrue();
    assertThat(
            Interruption.stopping(
                new StoreUnavailableException(
                    "The Kubernetes store could not be reached", new java.net.ConnectException())))
        .isFalse();
  }
}
