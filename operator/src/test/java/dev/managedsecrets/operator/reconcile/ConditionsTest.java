package dev.managedsecrets.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Conditions in kstatus terms: Ready, and Reconciling or Stalled only while they are True. */
class ConditionsTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant T1 = Instant.parse("2026-01-01T00:05:00Z");

  private static List<String> types(List<Condition> conditions) {
    return conditions.stream().map(c -> c.getType() + "=" + c.getStatus()).toList();
  }

  @Test
  void aSyncedSecretIsReadyWithNeitherReconcilingNorStalled() {
    List<Condition> failing =
        Conditions.notReady(null, "InternalServiceError", "The store is down.", false, 1L, T0);
    List<Condition> ready = Conditions.ready(failing, "Synced", "Secret s holds v1.", 1L, T1);
    assertThat(types(ready)).containsExactly("Ready=True");
    assertThat(ready.get(0).getReason()).isEqualTo("Synced");
    assertThat(ready.get(0).getObservedGeneration()).isEqualTo(1L);
  }

  @Test
  void aTransientErrorIsReconcilingAndATerminalOneIsStalled() {
    List<Condition> transient_ =
        Conditions.notReady(null, "InternalServiceError", "The store is down.", false, 2L, T0);
    assertThat(types(transient_)).containsExactly("Ready=False", "Reconciling=True");
    assertThat(transient_).allMatch(c -> "InternalServiceError".equals(c.getReason()));

    List<Condition> terminal =
        Conditions.notReady(
            transient_, "ResourceExistsException", "Secret s is not ours.", true, 3L, T1);
    assertThat(types(terminal)).containsExactly("Ready=False", "Stalled=True");
    assertThat(terminal).allMatch(c -> c.getObservedGeneration() == 3L);
  }

  @Test
  void theTransitionTimeMovesOnlyWhenTheStatusMoves() {
    List<Condition> first =
        Conditions.notReady(null, "InternalServiceError", "The store is down.", false, 1L, T0);
    List<Condition> again =
        Conditions.notReady(first, "EncryptionFailure", "The KMS refused.", false, 1L, T1);
    assertThat(Conditions.find(again, Conditions.READY).getLastTransitionTime())
        .isEqualTo(T0.toString());
    assertThat(Conditions.find(again, Conditions.RECONCILING).getLastTransitionTime())
        .isEqualTo(T0.toString());
    List<Condition> ready = Conditions.ready(again, "Synced", "ok", 1L, T1);
    assertThat(Conditions.find(ready, Conditions.READY).getLastTransitionTime())
        .isEqualTo(T1.toString());
  }

  @Test
  void repeatingTheSameOutcomeGivesEqualConditionsSoNoStatusIsWritten() {
    List<Condition> once = Conditions.notReady(null, "ValidationException", "m", true, 1L, T0);
    assertThat(Conditions.notReady(once, "ValidationException", "m", true, 1L, T1)).isEqualTo(once);
    List<Condition> ready = Conditions.ready(null, "Synced", "m", 1L, T0);
    assertThat(Conditions.ready(ready, "Synced", "m", 1L, T1)).isEqualTo(ready);
  }
}
