package dev.managedsecrets.operator.kms;

import static dev.managedsecrets.operator.kms.ProviderKmsTest.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.crypto.Envelope;
import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.operator.namespaces.NamespaceIncarnations;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class KmsKeyCatalogTest {

  static final EncryptionContext CONTEXT =
      EncryptionContext.forVersion(
          "arn:k8s:secretsmanager:local:123456789012:secret:team-a/db-AbCdEf", "v1");
  static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");

  final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  final Keyring keyring = TestKeyrings.newKeyring();
  final List<KmsKey> resources = new CopyOnWriteArrayList<>();

  /** Each namespace's incarnation now; a namespace made again gets another. */
  final Map<String, String> namespaceUids = new java.util.concurrent.ConcurrentHashMap<>();

  String uid(String namespace) {
    return namespaceUids.computeIfAbsent(namespace, n -> "uid-" + n);
  }

  final NamespaceIncarnations incarnations =
      new NamespaceIncarnations() {
        @Override
        public String of(io.fabric8.kubernetes.api.model.HasMetadata live) {
          return uid(live.getMetadata().getNamespace());
        }

        @Override
        public String current(String namespace) {
          return uid(namespace);
        }
      };
  final KmsKeyCatalog catalog =
      new KmsKeyCatalog(
          keyring,
          namespace ->
              resources.stream()
                  .filter(k -> namespace.equals(k.getMetadata().getNamespace()))
                  .toList(),
          incarnations,
          clock);
  final KmsKeyManager keys =
      new KmsKeyManager(keyring, Map.of("local", new LocalKeyProvider(keyring)), "local", clock);
  final Kms kms =
      new ProviderKms(keyring.orElse(catalog), Map.of("local", new LocalKeyProvider(keyring)));
  final EnvelopeCipher cipher = new EnvelopeCipher(kms);

  /** A KmsKey resource and its key, as the reconciler makes them. */
  Keyring.OwnedKey create(String namespace, String name, String created, Consumer<KmsKey> spec) {
    KmsKey k = KmsKeyPolicyTest.key(namespace, name, created, spec);
    resources.add(k);
    return keys.ensure(KmsKeyPolicy.owner(k), uid(namespace), null, KmsKeyPolicy.enabled(k)).key();
  }

  Keyring.OwnedKey orders() {
    return create(
        "team-a",
        "orders",
        "2026-01-01T00:00:00Z",
        k -> {
          k.getSpec().aliases = List.of("alias/orders");
          k.getSpec().allowedNamespaces = List.of("team-b");
        });
  }

  @Test
  void aKeyIsNamedByAliasOrKmsKeyNameInItsNamespaceAndByKeyIdOrArnFromAnywhere() {
    String keyId = orders().keyId();
    String arn = keyring.arn(keyId);

    assertThat(kms.resolve("alias/orders", "team-a")).isEqualTo(arn);
    assertThat(kms.resolve("orders", "team-a")).isEqualTo(arn);
    assertThat(kms.resolve(keyId, "team-a")).isEqualTo(arn);
    assertThat(kms.resolve(arn, "team-a")).isEqualTo(arn);
    assertThat(kms.resolve(keyId, "team-b")).isEqualTo(arn);
    assertThat(kms.resolve(arn, "team-b")).isEqualTo(arn);
  }

  @Test
  void anAliasOrNameOfAnotherNamespaceIsNotFoundThere() {
    orders();
    assertFails(
        () -> kms.resolve("alias/orders", "team-b"),
        AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
        "The KMS key alias/orders was not found");
    assertFails(
        () -> kms.resolve("orders", "team-b"),
        AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
        "The KMS key orders was not found");
  }

  @Test
  void aNamespaceOutsideTheKeyPolicyIsAccessDeniedAndGetsNoDataKey() {
    String arn = keyring.arn(orders().keyId());

    assertFails(
        () -> kms.resolve(arn, "team-c"),
        AwsError.ACCESS_DENIED_EXCEPTION,
        "Namespace team-c is not allowed to use the KMS key " + arn);
  }

  @Test
  void anArnOfAnotherAccountOrRegionDoesNotNameTheKey() {
    String keyId = orders().keyId();

    assertFails(
        () -> kms.resolve("arn:k8s:kms:eu-west-1:123456789012:key/" + keyId, "team-a"),
        AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
        "was not found");
    assertFails(
        () -> kms.resolve("arn:k8s:kms:local:999999999999:key/" + keyId, "team-a"),
        AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
        "was not found");
  }

  @Test
  void theDefaultKeyIsStillTheKeyringsAndEveryNamespaceMayUseIt() {
    orders();
    assertThat(kms.resolve(null, "team-c")).isEqualTo(keyring.defaultKey().arn());
  }

  @Test
  void newDataKeysUseTheNewestMaterialAndOldVersionsStillOpen() {
    Keyring.OwnedKey key = orders();
    String arn = keyring.arn(key.keyId());
    byte[] before = cipher.seal(arn, CONTEXT, text("one"));

    keys.rotateOnDemand(key, null, null);
    byte[] after = cipher.seal(arn, CONTEXT, text("two"));

    assertThat(Envelope.parse(before).materialVersion()).isEqualTo(1);
    assertThat(Envelope.parse(after).materialVersion()).isEqualTo(2);
    assertThat(cipher.open(before, CONTEXT)).isEqualTo(text("one"));
    assertThat(cipher.open(after, CONTEXT)).isEqualTo(text("two"));
  }

  @Test
  void theKeyPolicyHoldsForReadsAsForWrites() {
    String arn = keyring.arn(orders().keyId());
    byte[] sealed = cipher.seal(arn, CONTEXT, text("one"));
    assertThat(cipher.open(sealed, CONTEXT, "team-b")).isEqualTo(text("one"));

    resources.get(0).getSpec().allowedNamespaces = List.of();

    assertFails(
        () -> cipher.open(sealed, CONTEXT, "team-b"),
        AwsError.ACCESS_DENIED_EXCEPTION,
        "Namespace team-b is not allowed to use the KMS key " + arn);
    assertThat(cipher.open(sealed, CONTEXT, "team-a")).isEqualTo(text("one"));
  }

  @Test
  void aVersionUnderAKeyNoCatalogKnowsIsDecryptionFailureForEveryNamespace() {
    String keyId = orders().keyId();
    byte[] sealed = cipher.seal(keyring.arn(keyId), CONTEXT, text("one"));
    keyring.forget(keyId);

    assertFails(
        () -> cipher.open(sealed, CONTEXT, "team-a"), AwsError.DECRYPTION_FAILURE, "not found");
  }

  @Test
  void aDisabledKeyFailsNewVersionsWithEncryptionFailureAndReadsWithDecryptionFailure() {
    String arn = keyring.arn(orders().keyId());
    byte[] sealed = cipher.seal(arn, CONTEXT, text("one"));
    resources.get(0).getSpec().enabled = false;

    assertFails(
        () -> cipher.seal(arn, CONTEXT, text("two")), AwsError.ENCRYPTION_FAILURE, "Disabled");
    assertFails(() -> cipher.open(sealed, CONTEXT), AwsError.DECRYPTION_FAILURE, "Disabled");

    resources.get(0).getSpec().enabled = true;
    assertThat(cipher.open(sealed, CONTEXT)).isEqualTo(text("one"));
  }

  @Test
  void aKeyPendingDeletionCanNotBeUsedButStillResolvesByNameInItsNamespace() {
    String arn = keyring.arn(orders().keyId());
    byte[] sealed = cipher.seal(arn, CONTEXT, text("one"));
    resources.clear();
    keys.scheduleDeletion("team-a/orders", uid("team-a"), 30);

    assertThat(kms.resolve("orders", "team-a")).isEqualTo(arn);
    assertFails(
        () -> cipher.seal(arn, CONTEXT, text("two")),
        AwsError.ENCRYPTION_FAILURE,
        "PendingDeletion");
    assertFails(() -> cipher.open(sealed, CONTEXT), AwsError.DECRYPTION_FAILURE, "PendingDeletion");
    // Without its KmsKey the key keeps to its own namespace.
    assertFails(() -> kms.resolve(arn, "team-b"), AwsError.ACCESS_DENIED_EXCEPTION, arn);
  }

  @Test
  void versionsStayDecryptableByKeyArnWhileTheKmsKeyIsBeingReCreated() {
    String arn = keyring.arn(orders().keyId());
    byte[] sealed = cipher.seal(arn, CONTEXT, text("one"));

    // Deleted, and its deletion not processed yet: the keyring still says Enabled.
    resources.clear();
    assertThat(cipher.open(sealed, CONTEXT)).isEqualTo(text("one"));
    // Scheduled for deletion, then created again: a new object without any status, not yet
    // reconciled. The key ARN still finds the key through the keyring.
    keys.scheduleDeletion("team-a/orders", uid("team-a"), 30);
    resources.add(
        KmsKeyPolicyTest.key(
            "team-a", "orders", NOW.toString(), k -> k.getSpec().aliases = List.of("alias/x")));
    assertThat(cipher.open(sealed, CONTEXT)).isEqualTo(text("one"));
    assertThat(kms.resolve("alias/x", "team-a")).isEqualTo(arn);
  }

  @Test
  void aSecondKmsKeyClaimingAnAliasDoesNotTakeIt() {
    String arn = keyring.arn(orders().keyId());
    create(
        "team-a",
        "impostor",
        "2026-02-01T00:00:00Z",
        k -> k.getSpec().aliases = List.of("alias/orders"));

    assertThat(kms.resolve("alias/orders", "team-a")).isEqualTo(arn);
    assertThat(catalog.find("alias/orders", "team-a").orElseThrow().aliases())
        .containsExactly("alias/orders");
    assertThat(catalog.find("impostor", "team-a").orElseThrow().aliases()).isEmpty();
  }

  @Test
  void aKeyWhosePendingWindowPassedNoLongerOpensAnything() {
    String arn = keyring.arn(orders().keyId());
    byte[] sealed = cipher.seal(arn, CONTEXT, text("one"));
    resources.clear();
    Clock later = Clock.fixed(NOW.plus(Duration.ofDays(31)), ZoneOffset.UTC);
    KmsKeyManager laterKeys =
        new KmsKeyManager(keyring, Map.of("local", new LocalKeyProvider(keyring)), "local", later);
    laterKeys.scheduleDeletion("team-a/orders", uid("team-a"), 7);
    KmsKeyManager muchLater =
        new KmsKeyManager(
            keyring,
            Map.of("local", new LocalKeyProvider(keyring)),
            "local",
            Clock.fixed(NOW.plus(Duration.ofDays(40)), ZoneOffset.UTC));

    assertThat(muchLater.deleteExpired(owner -> false)).isEqualTo(1);

    assertFails(() -> cipher.open(sealed, CONTEXT), AwsError.DECRYPTION_FAILURE, "not found");
    assertFails(
        () -> kms.resolve("orders", "team-a"), AwsError.RESOURCE_NOT_FOUND_EXCEPTION, "orders");
  }

  @Test
  void aKmsKeyOfANamespaceMadeAgainIsNeverTheOldIncarnationsKeyOfThatName() {
    String oldArn = keyring.arn(orders().keyId());
    byte[] sealed = cipher.seal(oldArn, CONTEXT, text("the old tenant's"));
    resources.clear();
    keys.scheduleDeletion("team-a/orders", uid("team-a"), 30);

    // team-a deleted and made again, and a KmsKey orders in it before its reconcile has run.
    namespaceUids.put("team-a", "uid-team-a-2");
    resources.add(
        KmsKeyPolicyTest.key(
            "team-a", "orders", NOW.toString(), k -> k.getSpec().aliases = List.of("alias/x")));

    // The old key stays pending deletion: the new KmsKey does not bring it back.
    assertFails(() -> cipher.open(sealed, CONTEXT), AwsError.DECRYPTION_FAILURE, "PendingDeletion");
    assertFails(
        () -> kms.resolve("orders", "team-a"), AwsError.RESOURCE_NOT_FOUND_EXCEPTION, "orders");
    assertFails(
        () -> kms.resolve("alias/x", "team-a"), AwsError.RESOURCE_NOT_FOUND_EXCEPTION, "alias/x");
    // Its reconcile makes it a key of its own.
    String newArn =
        keyring.arn(keys.ensure("team-a/orders", uid("team-a"), null, true).key().keyId());
    assertThat(newArn).isNotEqualTo(oldArn);
    assertThat(kms.resolve("orders", "team-a")).isEqualTo(newArn);
    assertThat(kms.resolve("alias/x", "team-a")).isEqualTo(newArn);
  }

  private static byte[] text(String s) {
    return ("S" + s).getBytes(StandardCharsets.UTF_8);
  }
}
