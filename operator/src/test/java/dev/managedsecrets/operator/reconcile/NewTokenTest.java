package dev.managedsecrets.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * When a spec's clientRequestToken makes a version of an unchanged value: once, for a token no
 * version has and no successful reconcile applied; never again for one applied long ago.
 */
class NewTokenTest {

  static final String OLD = "00000000-0000-4000-8000-000000000001";
  static final String NEW = "00000000-0000-4000-8000-000000000002";
  static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  static StoredSecret record(String... versionIds) {
    StoredSecret r = StoredSecret.create(new SecretId("ns", "db"), "arn", "db", "uid", T);
    List<StoredVersion> versions =
        java.util.Arrays.stream(versionIds)
            .map(id -> new StoredVersion(id, T, List.of(), "key", "h", "i", Map.of(), 0, 1))
            .toList();
    return r.withVersions(versions, T);
  }

  static ManagedSecret object(String token, long generation, Long observed, String applied) {
    ManagedSecret ms = new ManagedSecret();
    ms.getMetadata().setGeneration(generation);
    ms.setSpec(new ManagedSecretSpec());
    ms.getSpec().clientRequestToken = token;
    if (observed != null || applied != null) {
      ms.setStatus(new ManagedSecretStatus());
      ms.getStatus().observedGeneration = observed;
      ms.getStatus().appliedClientRequestToken = applied;
    }
    return ms;
  }

  @Test
  void aTokenNoVersionHasAndNoReconcileAppliedIsNew() {
    assertThat(ManagedSecretReconciler.newToken(object(NEW, 3, 2L, OLD), record(OLD))).isTrue();
  }

  @Test
  void aNewTokenStaysNewAfterAFailedReconcileSetObservedGeneration() {
    // The error status records the generation, not the token.
    assertThat(ManagedSecretReconciler.newToken(object(NEW, 3, 3L, OLD), record(OLD))).isTrue();
  }

  @Test
  void aTokenAppliedLongAgoWhoseVersionRetentionDroppedIsNotNew() {
    assertThat(ManagedSecretReconciler.newToken(object(OLD, 7, 6L, OLD), record("other")))
        .isFalse();
  }

  @Test
  void aTokenAVersionHasOrNoTokenIsNotNew() {
    assertThat(ManagedSecretReconciler.newToken(object(NEW, 3, 2L, OLD), record(OLD, NEW)))
        .isFalse();
    assertThat(ManagedSecretReconciler.newToken(object(null, 3, 2L, OLD), record(OLD))).isFalse();
  }

  @Test
  void anObjectFromBeforeTheStatusRecordedTheTokenAppliedItsTokenAtAReconciledGeneration() {
    assertThat(ManagedSecretReconciler.newToken(object(OLD, 5, 5L, null), record("other")))
        .isFalse();
    assertThat(ManagedSecretReconciler.newToken(object(NEW, 6, 5L, null), record("other")))
        .isTrue();
  }
}
