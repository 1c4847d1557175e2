package dev.managedsecrets.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.secret.SpecGeneration;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import org.junit.jupiter.api.Test;

class StaleViewsTest {

  static ManagedSecret object(String uid, Long generation) {
    ManagedSecret ms = new ManagedSecret();
    ms.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("team-a")
            .withName("db")
            .withUid(uid)
            .withGeneration(generation)
            .build());
    return ms;
  }

  @Test
  void aReconcileActsOnTheUidAndGenerationOfTheObjectItWasGiven() {
    assertThat(StaleViews.of(object("uid-1", 5L))).isEqualTo(new SpecGeneration("uid-1", 5));
    assertThat(StaleViews.of(object("uid-1", null))).as("no generation known").isNull();
    assertThat(StaleViews.of(object(null, 5L))).as("no uid known").isNull();
  }

  @Test
  void aViewIsCurrentOnlyWhenTheApiServerHasTheSameObjectAtTheSameGeneration() {
    ManagedSecret view = object("uid-1", 5L);

    assertThat(StaleViews.current(view, object("uid-1", 5L))).isTrue();
    assertThat(StaleViews.current(view, object("uid-1", 6L))).as("a newer spec").isFalse();
    assertThat(StaleViews.current(view, object("uid-2", 5L))).as("made again").isFalse();
    assertThat(StaleViews.current(view, null)).as("deleted").isFalse();
  }
}
