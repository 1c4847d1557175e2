package dev.managedsecrets.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Clock;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The status write is conditional on the status the reconcile read: written again over an object
 * whose spec changed meanwhile, never over a status another writer changed (that status was
 * computed from a newer view: FaultTwoWritersIT saw an older failure replace it and stay).
 */
class StatusWriterTest {

  private static ManagedSecret resource(Consumer<ManagedSecretStatus> status) {
    ManagedSecret ms = new ManagedSecret();
    ms.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("team-a")
            .withName("orders")
            .withGeneration(2L)
            .withResourceVersion("7")
            .build());
    ManagedSecretStatus s = new ManagedSecretStatus();
    status.accept(s);
    ms.setStatus(s);
    return ms;
  }

  @Test
  void theStatusIsWrittenOverAnObjectWhoseStatusIsTheOneTheReconcileRead() {
    ManagedSecret read = resource(s -> s.versionId = "v1");
    // Someone changed the spec meanwhile: a newer object, with the same status.
    ManagedSecret latest = resource(s -> s.versionId = "v1");
    latest.getMetadata().setGeneration(3L);
    ManagedSecretStatus next = resource(s -> s.versionId = "v2").getStatus();

    ManagedSecret written = StatusWriter.withStatus(latest, read.getStatus(), next);

    assertThat(written.getStatus()).isSameAs(next);
    assertThat(written.getMetadata().getGeneration()).isEqualTo(3L);
  }

  @Test
  void aStatusThatAnotherWriterChangedIsNotReplacedByOneComputedFromAnOlderView() {
    ManagedSecret read = resource(s -> s.versionId = "v1");
    ManagedSecret latest = resource(s -> s.versionId = "v2"); // another operator moved on
    ManagedSecretStatus stale = resource(s -> s.versionId = "v1").getStatus();

    assertThatThrownBy(() -> StatusWriter.withStatus(latest, read.getStatus(), stale))
        .isInstanceOf(StatusWriter.StatusChanged.class)
        .hasMessage(
            "The status of ManagedSecret team-a/orders changed meanwhile; reconciling again");
    assertThat(latest.getStatus().versionId).isEqualTo("v2");
  }

  @Test
  void aStatusChangedMeanwhileIsNotReportedAsAFailureButReconciledAgain() {
    ManagedSecret read = resource(s -> {});
    var funnel = new FailureFunnel(null, Clock.systemUTC());

    var control =
        funnel.fail(
            read,
            null,
            new StatusWriter.StatusChanged(read),
            (failure, conditions) -> {
              throw new AssertionError("no status, no Event for a status changed meanwhile");
            });

    assertThat(control.isDefaultErrorProcessing()).isTrue();
  }
}
