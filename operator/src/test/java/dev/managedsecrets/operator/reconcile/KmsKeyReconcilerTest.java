package dev.managedsecrets.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.api.v1alpha1.KmsKeyStatus;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class KmsKeyReconcilerTest {

  static KmsKey key(Consumer<KmsKey> change) {
    KmsKey k = new KmsKey();
    k.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("team-a")
            .withName("orders")
            .withGeneration(1L)
            .withFinalizers(List.of("managedsecrets.dev/finalizer"))
            .build());
    change.accept(k);
    return k;
  }

  @Test
  void aSpecChangeTheRotateKeyAnnotationAndDeletionReconcileAKey() {
    KmsKey old = key(k -> {});

    assertThat(KmsKeyReconciler.UPDATES.accept(key(k -> k.getMetadata().setGeneration(2L)), old))
        .isTrue();
    assertThat(
            KmsKeyReconciler.UPDATES.accept(
                key(
                    k ->
                        k.getMetadata()
                            .setAnnotations(Map.of("managedsecrets.dev/rotate-key", "now"))),
                old))
        .isTrue();
    assertThat(
            KmsKeyReconciler.UPDATES.accept(
                key(k -> k.getMetadata().setDeletionTimestamp("2026-05-01T00:00:00Z")), old))
        .isTrue();
    assertThat(KmsKeyReconciler.UPDATES.accept(old, key(k -> k.getMetadata().setFinalizers(null))))
        .as("the finalizer arrived")
        .isTrue();
  }

  @Test
  void itsOwnStatusWritesAndOtherAnnotationsDoNotReconcileAKey() {
    KmsKey old = key(k -> {});

    assertThat(
            KmsKeyReconciler.UPDATES.accept(
                key(
                    k -> {
                      k.setStatus(new KmsKeyStatus());
                      k.getStatus().keyState = "Enabled";
                    }),
                old))
        .isFalse();
    assertThat(
            KmsKeyReconciler.UPDATES.accept(
                key(k -> k.getMetadata().setAnnotations(Map.of("note", "x"))), old))
        .isFalse();
  }

  @Test
  void theUsageCacheKeepsWhatNamesAKeyAndNoValue() {
    ManagedSecret ms = new ManagedSecret();
    ms.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("team-a")
            .withName("app")
            .withUid("uid-1")
            .withAnnotations(Map.of("a", "b"))
            .build());
    ms.getSpec().kmsKeyId = "alias/orders";
    ms.getSpec().secretString = "CANARY-never-cached-twice";
    ms.getSpec().data = Map.of("password", "CANARY-data");
    ms.setStatus(new ManagedSecretStatus());
    ms.getStatus().kmsKeyId = "arn:k8s:kms:local:123456789012:key/1";
    ms.getStatus().versionId = "v1";

    ManagedSecret kept = KmsKeyReconciler.keyReferences(ms);

    assertThat(kept.getMetadata().getName()).isEqualTo("app");
    assertThat(kept.getMetadata().getNamespace()).isEqualTo("team-a");
    assertThat(kept.getSpec().kmsKeyId).isEqualTo("alias/orders");
    assertThat(kept.getStatus().kmsKeyId).isEqualTo("arn:k8s:kms:local:123456789012:key/1");
    assertThat(Serialization.asJson(kept)).doesNotContain("CANARY").doesNotContain("\"v1\"");
    assertThat(ms.getSpec().secretString).as("the original is untouched").isNotNull();
  }
}
