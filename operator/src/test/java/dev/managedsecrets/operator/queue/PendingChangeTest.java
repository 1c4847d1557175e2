package dev.managedsecrets.operator.queue;

import static dev.managedsecrets.operator.queue.ChangesFirstExecutorTest.changed;
import static dev.managedsecrets.operator.queue.ChangesFirstExecutorTest.upToDate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.api.v1alpha1.KmsKeyStatus;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.rotation.RotationRequests;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PendingChangeTest {

  @Test
  void aManagedSecretWhoseStatusHasSeenItsSpecIsOnlyAwaitingACheck() {
    assertThat(PendingChange.in(upToDate("steady"))).isFalse();
  }

  @Test
  void aNewSpecGenerationANewObjectADeletionAMissingFinalizerOrARotateNowArePendingChanges() {
    assertThat(PendingChange.in(changed("edited"))).as("new generation").isTrue();

    ManagedSecret created = upToDate("created");
    created.setStatus(null);
    assertThat(PendingChange.in(created)).as("no status yet").isTrue();

    ManagedSecret deleted = upToDate("deleted");
    deleted.getMetadata().setDeletionTimestamp("2026-12-07T10:00:00Z");
    assertThat(PendingChange.in(deleted)).as("being deleted").isTrue();

    ManagedSecret unfinalized = upToDate("unfinalized");
    unfinalized.getMetadata().setFinalizers(List.of());
    assertThat(PendingChange.in(unfinalized)).as("no finalizer").isTrue();

    ManagedSecret rotate = upToDate("rotate");
    rotate.getMetadata().setAnnotations(Map.of(RotationRequests.ROTATE_NOW, "t2"));
    rotate.getStatus().rotateNowHandled = "t1";
    assertThat(PendingChange.in(rotate)).as("rotate-now not handled").isTrue();
    rotate.getStatus().rotateNowHandled = "t2";
    assertThat(PendingChange.in(rotate)).as("rotate-now handled").isFalse();
  }

  @Test
  void aKmsKeyIsPendingUntilItsStatusHasSeenItsGeneration() {
    KmsKey key = new KmsKey();
    key.setMetadata(new ObjectMetaBuilder().withName("k").withGeneration(3L).build());
    assertThat(PendingChange.in(key)).isTrue();
    key.setStatus(new KmsKeyStatus());
    key.getStatus().observedGeneration = 2L;
    assertThat(PendingChange.in(key)).isTrue();
    key.getStatus().observedGeneration = 3L;
    assertThat(PendingChange.in(key)).isFalse();
  }

  @Test
  void anyOtherKindIsTreatedAsAChangeSoItIsNeverDelayed() {
    Secret other = new Secret();
    other.setMetadata(new ObjectMetaBuilder().withName("s").build());
    assertThat(PendingChange.in(other)).isTrue();
    assertThat(PendingChange.in(null)).isTrue();
  }
}
