package dev.managedsecrets.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import org.junit.jupiter.api.Test;

class SourceSecretEventsTest {

  @Test
  void theWatchsCacheKeepsNoByteOfASourcesDataNorItsKeyNames() {
    Secret source =
        new SecretBuilder()
            .withNewMetadata()
            .withName("db")
            .withNamespace("team-a")
            .withUid("u1")
            .withResourceVersion("42")
            .addToLabels(SourceSecretEvents.LABEL, "true")
            .addToAnnotations("a", "b")
            .endMetadata()
            .addToData("password", "c2VjcmV0")
            .addToStringData("token", "t")
            .build();
    Secret kept = SourceSecretEvents.namesOnly(source);
    assertThat(kept.getMetadata().getName()).isEqualTo("db");
    assertThat(kept.getMetadata().getNamespace()).isEqualTo("team-a");
    assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(kept.getData()).isNullOrEmpty();
    assertThat(kept.getStringData()).isNullOrEmpty();
    assertThat(kept.getMetadata().getAnnotations()).isNullOrEmpty();
  }
}
