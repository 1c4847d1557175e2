package dev.managedsecrets.operator.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class KmsKeyPolicyTest {

  static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");
  static final String KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
  static final String ARN = "arn:k8s:kms:local:123456789012:key/" + KEY_ID;

  static KmsKey key(String namespace, String name, String created, Consumer<KmsKey> change) {
    KmsKey k = new KmsKey();
    k.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace(namespace)
            .withName(name)
            .withCreationTimestamp(created)
            .build());
    change.accept(k);
    return k;
  }

  static KmsKey key(String name, Consumer<KmsKey> change) {
    return key("team-a", name, "2026-01-01T00:00:00Z", change);
  }

  static Keyring.OwnedKey owned(KeyState state, Instant deletionDate, Instant rotationStart) {
    return new Keyring.OwnedKey(
        KEY_ID,
        "team-a/orders",
        "uid-team-a",
        "local",
        List.of(1),
        state,
        NOW.minus(Duration.ofDays(400)),
        null,
        rotationStart,
        deletionDate,
        null,
        0);
  }

  static ManagedSecret ms(String namespace, String kmsKeyId, String statusKey) {
    ManagedSecret ms = new ManagedSecret();
    ms.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName("app").build());
    ms.setSpec(new ManagedSecretSpec());
    ms.getSpec().kmsKeyId = kmsKeyId;
    if (statusKey != null) {
      ms.setStatus(new ManagedSecretStatus());
      ms.getStatus().kmsKeyId = statusKey;
    }
    return ms;
  }

  @Test
  void aReferenceIsAnAliasAnArnAKeyIdOrAKmsKeyName() {
    assertThat(KmsKeyPolicy.kind("alias/orders")).isEqualTo(KmsKeyPolicy.Reference.ALIAS);
    assertThat(KmsKeyPolicy.kind(ARN)).isEqualTo(KmsKeyPolicy.Reference.ARN);
    assertThat(KmsKeyPolicy.kind(KEY_ID)).isEqualTo(KmsKeyPolicy.Reference.KEY_ID);
    assertThat(KmsKeyPolicy.kind("orders")).isEqualTo(KmsKeyPolicy.Reference.NAME);
  }

  @Test
  void aKeyMayBeUsedFromItsOwnNamespaceByDefaultAndFromTheNamespacesItsPolicyLists() {
    assertThat(KmsKeyPolicy.allowedNamespaces(key("orders", k -> {}))).containsExactly("team-a");
    assertThat(
            KmsKeyPolicy.allowedNamespaces(
                key("orders", k -> k.getSpec().allowedNamespaces = List.of("team-b"))))
        .containsExactlyInAnyOrder("team-a", "team-b");
  }

  @Test
  void theDefaultKeysAliasIsReservedEvenWhenTheSchemaWasBypassed() {
    KmsKey k = key("orders", s -> s.getSpec().aliases = List.of("alias/managedsecrets"));
    assertThatThrownBy(() -> KmsKeyPolicy.validate(k, Set.of("local")))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> {
              assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "Alias alias/managedsecrets is reserved for the operator's default key:"
                          + " choose another alias.");
            });
  }

  @Test
  void aProviderTheOperatorDoesNotHaveIsRefusedNamingTheConfiguredOnes() {
    KmsKey k = key("orders", s -> s.getSpec().provider = "pkcs11");
    assertThatThrownBy(() -> KmsKeyPolicy.validate(k, Set.of("local", "aws-kms")))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> {
              assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "Provider pkcs11 is not configured on the operator; configured providers:"
                          + " aws-kms, local.");
            });
  }

  @Test
  void periodsOutsideTheirRangesAndMalformedAliasesAreValidationErrors() {
    for (Consumer<KmsKey> bad :
        List.<Consumer<KmsKey>>of(
            k -> k.getSpec().rotationPeriodInDays = 89,
            k -> k.getSpec().rotationPeriodInDays = 2561,
            k -> k.getSpec().pendingWindowInDays = 6,
            k -> k.getSpec().pendingWindowInDays = 31,
            k -> k.getSpec().aliases = List.of("orders"))) {
      assertThatThrownBy(() -> KmsKeyPolicy.validate(key("orders", bad), Set.of("local")))
          .isInstanceOfSatisfying(
              SecretsManagerException.class,
              e -> assertThat(e.error()).isEqualTo(AwsError.VALIDATION_EXCEPTION));
    }
    KmsKeyPolicy.validate(
        key(
            "orders",
            k -> {
              k.getSpec().rotationPeriodInDays = 90;
              k.getSpec().pendingWindowInDays = 7;
              k.getSpec().aliases = List.of("alias/orders/db_1");
            }),
        Set.of("local"));
  }

  static KmsKey rotateKey(String value) {
    return key(
        "orders",
        k -> k.getMetadata().setAnnotations(Map.of(KmsKeyPolicy.ROTATE_ANNOTATION, value)));
  }

  @Test
  void aRotateKeyValueOfMoreThan256CharactersIsRefusedNamingItsLengthButNotItsValue() {
    KmsKey tooLong = rotateKey("v".repeat(100 * 1024));

    for (var refusal :
        List.of(
            (org.assertj.core.api.ThrowableAssert.ThrowingCallable)
                () -> KmsKeyPolicy.validate(tooLong, Set.of("local")),
            () -> KmsKeyPolicy.rotationRequest(tooLong))) {
      assertThatThrownBy(refusal)
          .isInstanceOfSatisfying(
              SecretsManagerException.class,
              e -> {
                assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
                assertThat(e.getMessage())
                    .contains("is 102400 characters long; at most 256 are allowed")
                    .doesNotContain("vvv");
              });
    }
    KmsKeyPolicy.validate(rotateKey("v".repeat(256)), Set.of("local"));
  }

  @Test
  void aRotateKeyRequestIsItsValuesSha256DigestWhateverItsLength() {
    // SHA-256 of the UTF-8 bytes, in lowercase hex: the form keys.json keeps.
    assertThat(KmsKeyPolicy.rotationRequest(rotateKey("2026-05-01")))
        .isEqualTo("6b81a0f3c0aa1f902e0cb92a9aed0d59249354fc8bf085a26f9112c6cc73868f");
    assertThat(KmsKeyPolicy.rotationRequest(rotateKey("v".repeat(256)))).hasSize(64);
    assertThat(KmsKeyPolicy.rotationRequest(key("orders", k -> {}))).isNull();
  }

  @Test
  void aKmsKeyNameOrNamespaceLongerThanKubernetesAllowsIsRefused() {
    KmsKey longName = key("o".repeat(254), k -> {});
    KmsKey longNamespace = key("n".repeat(64), "orders", "2026-01-01T00:00:00Z", k -> {});

    for (KmsKey k : List.of(longName, longNamespace)) {
      assertThatThrownBy(() -> KmsKeyPolicy.validate(k, Set.of("local")))
          .isInstanceOfSatisfying(
              SecretsManagerException.class,
              e -> assertThat(e.error()).isEqualTo(AwsError.VALIDATION_EXCEPTION));
    }
    KmsKeyPolicy.validate(
        key("n".repeat(63), "o".repeat(253), "2026-01-01T00:00:00Z", k -> {}), Set.of("local"));
  }

  @Test
  void theOldestKmsKeyClaimingAnAliasHoldsItAndTheNewerOneConflicts() {
    KmsKey older =
        key("team-a", "older", "2026-01-01T00:00:00Z", k -> k.getSpec().aliases = aliases());
    KmsKey newer =
        key("team-a", "newer", "2026-02-01T00:00:00Z", k -> k.getSpec().aliases = aliases());
    List<KmsKey> all = List.of(newer, older);

    assertThat(KmsKeyPolicy.aliasHolder(all, "alias/orders")).contains(older);
    assertThat(KmsKeyPolicy.heldAliases(older, all)).containsExactly("alias/orders");
    assertThat(KmsKeyPolicy.heldAliases(newer, all)).isEmpty();
    assertThat(KmsKeyPolicy.aliasConflicts(newer, all)).containsOnlyKeys("alias/orders");
    assertThat(KmsKeyPolicy.aliasConflicts(older, all)).isEmpty();
  }

  @Test
  void aKmsKeyBeingDeletedReleasesItsAliases() {
    KmsKey older =
        key(
            "team-a",
            "older",
            "2026-01-01T00:00:00Z",
            k -> {
              k.getSpec().aliases = aliases();
              k.getMetadata().setDeletionTimestamp("2026-03-01T00:00:00Z");
            });
    KmsKey newer =
        key("team-a", "newer", "2026-02-01T00:00:00Z", k -> k.getSpec().aliases = aliases());

    assertThat(KmsKeyPolicy.aliasHolder(List.of(older, newer), "alias/orders")).contains(newer);
  }

  @Test
  void theSpecSaysEnabledOrDisabledWhileTheKmsKeyExists() {
    Keyring.OwnedKey recorded = owned(KeyState.ENABLED, null, null);
    assertThat(KmsKeyPolicy.state(recorded, key("orders", k -> {}), NOW))
        .isEqualTo(KeyState.ENABLED);
    assertThat(KmsKeyPolicy.state(recorded, key("orders", k -> k.getSpec().enabled = false), NOW))
        .isEqualTo(KeyState.DISABLED);
    assertThat(
            KmsKeyPolicy.state(
                recorded,
                key("orders", k -> k.getMetadata().setDeletionTimestamp(NOW.toString())),
                NOW))
        .isEqualTo(KeyState.PENDING_DELETION);
  }

  @Test
  void withoutItsKmsKeyAKeyIsInTheStateTheKeyringRecorded() {
    Keyring.OwnedKey pending = owned(KeyState.PENDING_DELETION, NOW.plusSeconds(60), null);
    assertThat(KmsKeyPolicy.state(pending, null, NOW)).isEqualTo(KeyState.PENDING_DELETION);
    assertThat(KmsKeyPolicy.state(owned(KeyState.DISABLED, null, null), null, NOW))
        .isEqualTo(KeyState.DISABLED);
  }

  @Test
  void aKmsKeyRecreatedInsideThePendingWindowCancelsTheDeletionButNotAfterIt() {
    KmsKey recreated = key("orders", k -> {});
    assertThat(
            KmsKeyPolicy.state(
                owned(KeyState.PENDING_DELETION, NOW.plusSeconds(60), null), recreated, NOW))
        .isEqualTo(KeyState.ENABLED);
    assertThat(
            KmsKeyPolicy.state(
                owned(KeyState.PENDING_DELETION, NOW.minusSeconds(60), null), recreated, NOW))
        .isEqualTo(KeyState.PENDING_DELETION);
  }

  @Test
  void automaticRotationIsDueARotationPeriodAfterItsScheduleStarted() {
    KmsKey rotating =
        key(
            "orders",
            k -> {
              k.getSpec().enableKeyRotation = true;
              k.getSpec().rotationPeriodInDays = 90;
            });
    Keyring.OwnedKey started = owned(KeyState.ENABLED, null, NOW.minus(Duration.ofDays(89)));

    assertThat(KmsKeyPolicy.nextRotation(started, rotating))
        .isEqualTo(NOW.plus(Duration.ofDays(1)));
    assertThat(KmsKeyPolicy.rotationDue(started, rotating, NOW)).isFalse();
    assertThat(KmsKeyPolicy.rotationDue(started, rotating, NOW.plus(Duration.ofDays(1)))).isTrue();
  }

  @Test
  void withoutEnableKeyRotationNothingIsScheduledAndThePeriodDefaultsTo365Days() {
    Keyring.OwnedKey started = owned(KeyState.ENABLED, null, NOW);
    assertThat(KmsKeyPolicy.nextRotation(started, key("orders", k -> {}))).isNull();
    assertThat(
            KmsKeyPolicy.nextRotation(
                started, key("orders", k -> k.getSpec().enableKeyRotation = true)))
        .isEqualTo(NOW.plus(Duration.ofDays(365)));
  }

  @Test
  void aManagedSecretUsesAKeyByAliasOrNameOfItsNamespaceByIdOrArnOrThroughItsCurrentVersion() {
    KmsKey orders = key("orders", k -> k.getSpec().aliases = aliases());
    List<String> held = List.of("alias/orders");

    assertThat(KmsKeyPolicy.uses(ms("team-a", "alias/orders", null), orders, KEY_ID, ARN, held))
        .isTrue();
    assertThat(KmsKeyPolicy.uses(ms("team-a", "orders", null), orders, KEY_ID, ARN, held)).isTrue();
    assertThat(KmsKeyPolicy.uses(ms("team-b", KEY_ID, null), orders, KEY_ID, ARN, held)).isTrue();
    assertThat(KmsKeyPolicy.uses(ms("team-b", ARN, null), orders, KEY_ID, ARN, held)).isTrue();
    assertThat(KmsKeyPolicy.uses(ms("team-b", null, ARN), orders, KEY_ID, ARN, held)).isTrue();
    // An alias or a name means a key of the ManagedSecret's own namespace.
    assertThat(KmsKeyPolicy.uses(ms("team-b", "alias/orders", null), orders, KEY_ID, ARN, held))
        .isFalse();
    assertThat(KmsKeyPolicy.uses(ms("team-b", "orders", null), orders, KEY_ID, ARN, held))
        .isFalse();
    assertThat(KmsKeyPolicy.uses(ms("team-a", null, null), orders, KEY_ID, ARN, held)).isFalse();
  }

  @Test
  void usedByListsNamespaceAndNameSortedAndAtMostFifty() {
    List<ManagedSecret> many =
        java.util.stream.IntStream.range(0, 60)
            .mapToObj(
                i -> {
                  ManagedSecret m = ms("team-a", null, null);
                  m.getMetadata().setName(String.format("app-%02d", 59 - i));
                  return m;
                })
            .toList();
    List<String> usedBy = KmsKeyPolicy.usedBy(many);
    assertThat(usedBy).hasSize(50).startsWith("team-a/app-00").endsWith("team-a/app-49");
  }

  private static List<String> aliases() {
    return List.of("alias/orders");
  }
}
