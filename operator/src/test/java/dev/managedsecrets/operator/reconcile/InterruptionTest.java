package dev.managedsecrets.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    assertThatThrownBy(() -> Interruption.rethrowIfStopping(cut)).isSameAs(cut);
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
    assertThatCode(() -> Interruption.rethrowIfStopping(outage)).doesNotThrowAnyException();
    assertThat(
            Interruption.stopping(
                new StoreUnavailableException(
                    "The Kubernetes store could not be reached", new java.net.ConnectException())))
        .isFalse();
  }
}
