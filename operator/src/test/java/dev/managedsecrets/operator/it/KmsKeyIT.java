package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitReady;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.ready;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.api.v1alpha1.KmsKeySpec;
import dev.managedsecrets.api.v1alpha1.KmsKeyStatus;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.core.secret.StagingLabels;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.core.secret.Versions;
import dev.managedsecrets.operator.kms.KeyState;
import dev.managedsecrets.operator.kms.Keyring;
import dev.managedsecrets.operator.kms.KeyringSecret;
import dev.managedsecrets.operator.kms.KmsKeyPolicy;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * KmsKey resources through the running operator: creation, how a ManagedSecret names a key, the key
 * policy, aliases, disabled keys, rotation, deletion and its window, re-encryption when a
 * ManagedSecret's key changes, and what survives a lost status and a restart.
 */
class KmsKeyIT {

  static final String KEY_ARN_PREFIX = "arn:k8s:kms:local:123456789012:key/";

  static TestCluster cluster;
  static StoreView view;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start();
    view = new StoreView(cluster.client);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  // ---- helpers ----

  static KmsKey kmsKey(String namespace, String name, Consumer<KmsKeySpec> spec) {
    KmsKey key = new KmsKey();
    key.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    spec.accept(key.getSpec());
    return cluster.client.resource(key).create();
  }

  static KmsKey key(String namespace, String name) {
    return cluster.client.resources(KmsKey.class).inNamespace(namespace).withName(name).get();
  }

  /** Edits a KmsKey as a user would, again on the newer object when the operator wrote it. */
  static KmsKey editKey(String namespace, String name, Consumer<KmsKey> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        return cluster
            .client
            .resources(KmsKey.class)
            .inNamespace(namespace)
            .withName(name)
            .edit(
                k -> {
                  change.accept(k);
                  return k;
                });
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
  }

  static KmsKey annotate(String namespace, String name, String annotation, String value) {
    return editKey(
        namespace,
        name,
        k -> {
          Map<String, String> annotations =
              k.getMetadata().getAnnotations() == null
                  ? new java.util.HashMap<>()
                  : new java.util.HashMap<>(k.getMetadata().getAnnotations());
          annotations.put(annotation, value);
          k.getMetadata().setAnnotations(annotations);
        });
  }

  static KmsKey awaitKey(String namespace, String name, Predicate<KmsKey> until) {
    await().atMost(Fixtures.WAIT).until(() -> until.test(key(namespace, name)));
    return key(namespace, name);
  }

  static Condition keyReady(KmsKey key) {
    if (key == null || key.getStatus() == null || key.getStatus().conditions == null) {
      return null;
    }
    return key.getStatus().conditions.stream()
        .filter(c -> "Ready".equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  /** Waits until the KmsKey's Ready has this status and reason for its current generation. */
  static KmsKey awaitKeyReady(String namespace, String name, String status, String reason) {
    return awaitKey(
        namespace,
        name,
        k -> {
          Condition c = keyReady(k);
          return c != null
              && status.equals(c.getStatus())
              && reason.equals(c.getReason())
              && k.getMetadata().getGeneration().equals(c.getObservedGeneration());
        });
  }

  static KmsKey awaitKeySynced(String namespace, String name) {
    return awaitKeyReady(namespace, name, "True", "Synced");
  }

  static List<Event> events(String namespace, String involved) {
    return cluster.client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> involved.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  static ManagedSecret changeValue(String namespace, String name, String value) {
    String before = get(cluster.client, namespace, name).getStatus().versionId;
    edit(cluster.client, namespace, name, s -> s.secretString = value);
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> !before.equals(get(cluster.client, namespace, name).getStatus().versionId));
    return awaitSynced(cluster.client, namespace, name);
  }

  /** KMS calls that made or opened a data key (other tests' failing retries do not count). */
  static double successfulKmsCalls() {
    return cluster
        .registry
        .find("managedsecret.kms.requests")
        .tag("result", "success")
        .counters()
        .stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  static StoredSecret record(String namespace, String name) {
    return view.record(namespace, namespace + "/" + name).orElseThrow();
  }

  // ---- creation and names ----

  @Test
  void aKmsKeyBecomesReadyWithItsKeyIdArnStateAndOneMaterialVersion() {
    kmsKey(
        "team-a",
        "orders",
        s -> {
          s.description = "Key for the orders team";
          s.aliases = List.of("alias/orders");
        });

    KmsKey key = awaitKeySynced("team-a", "orders");

    KmsKeyStatus status = key.getStatus();
    assertThat(status.keyId)
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(status.arn).isEqualTo(KEY_ARN_PREFIX + status.keyId);
    assertThat(status.keyState).isEqualTo("Enabled");
    assertThat(status.keyMaterialVersions).isEqualTo(1);
    assertThat(status.nextRotationDate).isNull();
    assertThat(status.usedBy).isNull();
    assertThat(status.observedGeneration).isEqualTo(key.getMetadata().getGeneration());
    assertThat(keyReady(key).getMessage())
        .isEqualTo("KMS key " + status.keyId + " is Enabled with 1 key material version.");
    assertThat(key.getMetadata().getFinalizers()).contains("managedsecrets.dev/finalizer");
    assertThat(events("team-a", "orders"))
        .anyMatch(
            e ->
                "KeyCreated".equals(e.getReason())
                    && e.getMessage()
                        .equals("Created KMS key " + status.arn + " in provider local"));
    // The keyring records it by namespace/name.
    Keyring.OwnedKey recorded = view.ownedKey("team-a/orders").orElseThrow();
    assertThat(recorded.keyId()).isEqualTo(status.keyId);
    assertThat(recorded.materialVersions()).containsExactly(1);
  }

  @Test
  void aManagedSecretNamesItsKeyByAliasByKmsKeyNameByKeyIdOrByArn() {
    kmsKey(
        "team-a",
        "named",
        s -> {
          s.aliases = List.of("alias/named");
          s.allowedNamespaces = List.of("team-b");
        });
    KmsKeyStatus key = awaitKeySynced("team-a", "named").getStatus();
    Map<String, String> references =
        Map.of(
            "by-alias", "alias/named", "by-name", "named", "by-id", key.keyId, "by-arn", key.arn);
    references.forEach(
        (name, reference) ->
            create(
                cluster.client,
                managedSecret(
                    "team-a",
                    name,
                    s -> {
                      s.kmsKeyId = reference;
                      s.secretString = "value of " + name;
                    })));
    create(
        cluster.client,
        managedSecret(
            "team-b",
            "by-arn-elsewhere",
            s -> {
              s.kmsKeyId = key.arn;
              s.secretString = "value from team-b";
            }));

    for (String name : references.keySet()) {
      ManagedSecret ms = awaitSynced(cluster.client, "team-a", name);
      assertThat(ms.getStatus().kmsKeyId).as(name).isEqualTo(key.arn);
      StoredSecret stored = record("team-a", name);
      StoredVersion current = stored.current().orElseThrow();
      assertThat(current.kmsKeyArn()).as(name).isEqualTo(key.arn);
      assertThat(view.envelope(stored, current).keyArn()).as(name).isEqualTo(key.arn);
      assertThat(view.open(stored, current)).isEqualTo("value of " + name);
    }
    assertThat(awaitSynced(cluster.client, "team-b", "by-arn-elsewhere").getStatus().kmsKeyId)
        .isEqualTo(key.arn);
    KmsKey used =
        awaitKey(
            "team-a",
            "named",
            k -> k.getStatus().usedBy != null && k.getStatus().usedBy.size() == 5);
    assertThat(used.getStatus().usedBy)
        .containsExactly(
            "team-a/by-alias",
            "team-a/by-arn",
            "team-a/by-id",
            "team-a/by-name",
            "team-b/by-arn-elsewhere");
  }

  @Test
  void anAliasOrKmsKeyNameOfAnotherNamespaceIsNotFound() {
    kmsKey("team-a", "local-only", s -> s.aliases = List.of("alias/local-only"));
    awaitKeySynced("team-a", "local-only");

    create(
        cluster.client,
        managedSecret(
            "team-b",
            "wrong-namespace",
            s -> {
              s.kmsKeyId = "alias/local-only";
              s.secretString = "v";
            }));

    ManagedSecret ms =
        awaitReady(
            cluster.client, "team-b", "wrong-namespace", "False", "ResourceNotFoundException");
    assertThat(ready(ms).getMessage()).startsWith("The KMS key alias/local-only was not found.");
  }

  @Test
  void theExampleKeyAndTheSecretUnderItConvergeInWhateverOrderTheyAreReconciled() throws Exception {
    try (var in =
        new java.io.FileInputStream(
            java.nio.file.Path.of(
                    System.getProperty("crds.dir"), "..", "examples", "05-kms-key.yaml")
                .toFile())) {
      cluster.client.load(in).create();
    }

    String arn = awaitKeySynced("default", "payments").getStatus().arn;
    ManagedSecret ms = awaitSynced(cluster.client, "default", "payments-api");
    assertThat(ms.getStatus().kmsKeyId).isEqualTo(arn);
    assertThat(awaitKeySynced("default", "payments").getStatus().nextRotationDate).isNotNull();
  }

  // ---- key policy ----

  @Test
  void aNamespaceOutsideTheKeyPolicyIsAccessDeniedAndNothingReachesTheStore() {
    kmsKey("team-a", "private", s -> {});
    KmsKeyStatus key = awaitKeySynced("team-a", "private").getStatus();

    create(
        cluster.client,
        managedSecret(
            "team-b",
            "intruder",
            s -> {
              s.kmsKeyId = key.arn;
              s.secretString = "must not be sealed";
            }));

    ManagedSecret ms =
        awaitReady(cluster.client, "team-b", "intruder", "False", "AccessDeniedException");
    assertThat(ready(ms).getMessage())
        .isEqualTo(
            "Namespace team-b is not allowed to use the KMS key "
                + key.arn
                + ": its key policy (the KmsKey's allowedNamespaces) does not include this"
                + " namespace.");
    assertThat(view.record("team-b", "team-b/intruder")).isEmpty();
    assertThat(
            cluster
                .client
                .secrets()
                .inNamespace(TestCluster.OPERATOR_NAMESPACE)
                .withLabel("managedsecrets.dev/store")
                .list()
                .getItems())
        .noneMatch(
            s ->
                s.getMetadata().getAnnotations() != null
                    && "team-b/intruder"
                        .equals(
                            s.getMetadata()
                                .getAnnotations()
                                .get("managedsecrets.dev/secret-name")));
    assertThat(secret(cluster.client, "team-b", "intruder")).isNull();
    assertThat(events("team-b", "intruder"))
        .anyMatch(
            e -> "Warning".equals(e.getType()) && "AccessDeniedException".equals(e.getReason()));

    // The key owner allows the namespace: the ManagedSecret converges without being touched.
    editKey("team-a", "private", k -> k.getSpec().allowedNamespaces = List.of("team-b"));
    ms = awaitSynced(cluster.client, "team-b", "intruder");
    assertThat(ms.getStatus().kmsKeyId).isEqualTo(key.arn);
  }

  @Test
  void aSecondKmsKeyClaimingAnAliasIsNotReadyAndTheFirstKeepsIt() {
    kmsKey("team-a", "first", s -> s.aliases = List.of("alias/shared"));
    String first = awaitKeySynced("team-a", "first").getStatus().arn;

    kmsKey("team-a", "second", s -> s.aliases = List.of("alias/shared", "alias/second-only"));
    KmsKey second = awaitKeyReady("team-a", "second", "False", "ResourceExistsException");

    assertThat(keyReady(second).getMessage())
        .isEqualTo(
            "Alias alias/shared already exists: KmsKey first of this namespace holds it. KMS key "
                + second.getStatus().arn
                + " works without it; remove the alias from this KmsKey or from the other.");
    assertThat(second.getStatus().keyState).isEqualTo("Enabled");
    assertThat(awaitKeySynced("team-a", "first").getStatus().arn).isEqualTo(first);
    create(
        cluster.client,
        managedSecret(
            "team-a",
            "on-shared",
            s -> {
              s.kmsKeyId = "alias/shared";
              s.secretString = "v";
            }));
    assertThat(awaitSynced(cluster.client, "team-a", "on-shared").getStatus().kmsKeyId)
        .isEqualTo(first);
    create(
        cluster.client,
        managedSecret(
            "team-a",
            "on-second-only",
            s -> {
              s.kmsKeyId = "alias/second-only";
              s.secretString = "v";
            }));
    assertThat(awaitSynced(cluster.client, "team-a", "on-second-only").getStatus().kmsKeyId)
        .isEqualTo(second.getStatus().arn);
  }

  @Test
  void theDefaultKeysAliasIsRefusedByTheOperatorWhenTheSchemaDidNotRefuseIt() {
    // The CRD's CEL rule refuses it at apply time.
    assertThatThrownBy(
            () -> kmsKey("team-a", "reserved", s -> s.aliases = List.of("alias/managedsecrets")))
        .isInstanceOfSatisfying(
            io.fabric8.kubernetes.client.KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getMessage())
                  .contains("spec.aliases")
                  .contains("alias/managedsecrets is reserved for the default key.");
            });
    assertThat(key("team-a", "reserved")).isNull();

    // Behind a CRD without that rule (an older one, or objects stored before it), the reconciler
    // holds the rule too: an API server without admission stores the key.
    try (TestCluster lenient = TestCluster.start(EmbeddedApiServer.Options::withoutAdmission)) {
      KmsKey reserved = new KmsKey();
      reserved.setMetadata(
          new ObjectMetaBuilder().withNamespace("team-a").withName("reserved").build());
      reserved.getSpec().aliases = List.of("alias/managedsecrets");
      lenient.client.resource(reserved).create();
      var resource =
          lenient.client.resources(KmsKey.class).inNamespace("team-a").withName("reserved");
      await()
          .atMost(Fixtures.WAIT)
          .until(
              () -> {
                KmsKey k = resource.get();
                Condition c = keyReady(k);
                return c != null
                    && "False".equals(c.getStatus())
                    && "InvalidParameterException".equals(c.getReason())
                    && k.getMetadata().getGeneration().equals(c.getObservedGeneration());
              });
      KmsKey key = resource.get();

      assertThat(keyReady(key).getMessage())
          .isEqualTo(
              "Alias alias/managedsecrets is reserved for the operator's default key: choose"
                  + " another alias.");
      assertThat(key.getStatus().keyId).isNull();
      assertThat(new StoreView(lenient.client).ownedKey("team-a/reserved")).isEmpty();
    }
  }

  // ---- states ----

  @Test
  void aDisabledKeyFailsNewVersionsAndReadsWhileTheProjectedSecretKeepsItsValue() {
    kmsKey("team-a", "switch", s -> s.aliases = List.of("alias/switch"));
    awaitKeySynced("team-a", "switch");
    create(
        cluster.client,
        managedSecret(
            "team-a",
            "switched",
            s -> {
              s.kmsKeyId = "alias/switch";
              s.secretString = "v1";
            }));
    awaitSynced(cluster.client, "team-a", "switched");

    editKey("team-a", "switch", k -> k.getSpec().enabled = false);
    KmsKey disabled = awaitKey("team-a", "switch", k -> "Disabled".equals(k.getStatus().keyState));
    assertThat(disabled.getStatus().usedBy).containsExactly("team-a/switched");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                events("team-a", "switch").stream()
                    .anyMatch(
                        e ->
                            "Warning".equals(e.getType())
                                && "KeyInUse".equals(e.getReason())
                                && e.getMessage().contains("team-a/switched")));

    // A new version needs a data key: EncryptionFailure; the projected Secret keeps v1.
    edit(cluster.client, "team-a", "switched", s -> s.secretString = "v2");
    ManagedSecret ms =
        awaitReady(cluster.client, "team-a", "switched", "False", "EncryptionFailure");
    assertThat(ready(ms).getMessage()).contains("is Disabled");
    assertThat(text(secret(cluster.client, "team-a", "switched")))
        .containsEntry("secretString", "v1");

    // Repairing a drifted Secret needs a read: DecryptionFailure, and nothing is written.
    edit(cluster.client, "team-a", "switched", s -> s.secretString = "v1");
    cluster
        .client
        .secrets()
        .inNamespace("team-a")
        .withName("switched")
        .edit(s -> new SecretBuilder(s).addToData("secretString", Fixtures.b64("drifted")).build());
    ms = awaitReady(cluster.client, "team-a", "switched", "False", "DecryptionFailure");
    assertThat(ready(ms).getMessage()).contains("is Disabled");
    assertThat(text(secret(cluster.client, "team-a", "switched")))
        .containsEntry("secretString", "drifted");

    // Enabled again: the ManagedSecret converges by itself.
    edit(cluster.client, "team-a", "switched", s -> s.secretString = "v2");
    editKey("team-a", "switch", k -> k.getSpec().enabled = true);
    awaitKey("team-a", "switch", k -> "Enabled".equals(k.getStatus().keyState));
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                "v2"
                    .equals(
                        text(secret(cluster.client, "team-a", "switched")).get("secretString")));
    awaitSynced(cluster.client, "team-a", "switched");
  }

  // ---- rotation ----

  @Test
  void rotatingOnTheAnnotationMakesMaterialVersionTwoForNewVersionsWhileOldOnesStillOpen() {
    kmsKey("team-a", "rotated", s -> {});
    awaitKeySynced("team-a", "rotated");
    create(
        cluster.client,
        managedSecret(
            "team-a",
            "on-rotated",
            s -> {
              s.kmsKeyId = "rotated";
              s.secretString = "before rotation";
            }));
    awaitSynced(cluster.client, "team-a", "on-rotated");
    StoredSecret before = record("team-a", "on-rotated");
    StoredVersion old = before.current().orElseThrow();
    assertThat(view.envelope(before, old).materialVersion()).isEqualTo(1);

    annotate("team-a", "rotated", "managedsecrets.dev/rotate-key", "2026-05-01");
    KmsKey rotated = awaitKey("team-a", "rotated", k -> k.getStatus().keyMaterialVersions == 2);
    assertThat(rotated.getStatus().lastRotatedDate).isNotNull();
    assertThat(events("team-a", "rotated")).anyMatch(e -> "KeyRotated".equals(e.getReason()));

    changeValue("team-a", "on-rotated", "after rotation");
    StoredSecret after = record("team-a", "on-rotated");
    StoredVersion current = after.current().orElseThrow();
    assertThat(view.envelope(after, current).materialVersion()).isEqualTo(2);
    assertThat(view.open(after, current)).isEqualTo("after rotation");
    StoredVersion previous = after.version(old.versionId()).orElseThrow();
    assertThat(previous.stages()).containsExactly(StagingLabels.AWSPREVIOUS);
    assertThat(view.envelope(after, previous).materialVersion()).isEqualTo(1);
    assertThat(view.open(after, previous)).isEqualTo("before rotation");
    // Rolling back to the old version reads it under material 1 through the operator.
    edit(
        cluster.client,
        "team-a",
        "on-rotated",
        s -> s.versionStages = Map.of("AWSCURRENT", old.versionId()));
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                "before rotation"
                    .equals(
                        text(secret(cluster.client, "team-a", "on-rotated")).get("secretString")));

    // Another value of the annotation rotates once more.
    annotate("team-a", "rotated", "managedsecrets.dev/rotate-key", "again");
    assertThat(
            awaitKey("team-a", "rotated", k -> k.getStatus().keyMaterialVersions == 3)
                .getStatus()
                .keyMaterialVersions)
        .isEqualTo(3);
  }

  @Test
  void automaticRotationRotatesOnceThePeriodHasPassedOnTheOperatorsClock() {
    kmsKey(
        "team-b",
        "automatic",
        s -> {
          s.enableKeyRotation = true;
          s.rotationPeriodInDays = 90;
        });
    KmsKey key = awaitKeySynced("team-b", "automatic");
    Instant next = Instant.parse(key.getStatus().nextRotationDate);
    assertThat(next).isAfter(cluster.clock.instant().plus(Duration.ofDays(89)));
    assertThat(next).isBefore(cluster.clock.instant().plus(Duration.ofDays(91)));
    assertThat(key.getStatus().keyMaterialVersions).isEqualTo(1);

    cluster.clock.advance(Duration.ofDays(91));
    cluster.runtime().maintainKmsKeys();

    KmsKey rotated = awaitKey("team-b", "automatic", k -> k.getStatus().keyMaterialVersions == 2);
    assertThat(Instant.parse(rotated.getStatus().lastRotatedDate)).isAfter(next);
    assertThat(Instant.parse(rotated.getStatus().nextRotationDate))
        .isAfter(next.plus(Duration.ofDays(90)));
  }

  static io.fabric8.kubernetes.api.model.Secret keyringSecret() {
    return cluster
        .client
        .secrets()
        .inNamespace(TestCluster.OPERATOR_NAMESPACE)
        .withName(KeyringSecret.SECRET_NAME)
        .get();
  }

  /** keys.json of the keyring Secret, as text. */
  static String keysJson() {
    return new String(
        java.util.Base64.getDecoder().decode(keyringSecret().getData().get("keys.json")),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void aRotateKeyAnnotationOfAHundredKilobytesIsRefusedAndDoesNotGrowTheKeyring() {
    kmsKey("team-b", "flooded", s -> {});
    awaitKeySynced("team-b", "flooded");
    int before = keysJson().length();

    annotate("team-b", "flooded", KmsKeyPolicy.ROTATE_ANNOTATION, "f".repeat(100 * 1024));
    KmsKey refused = awaitKeyReady("team-b", "flooded", "False", "InvalidParameterException");

    assertThat(keyReady(refused).getMessage())
        .contains("is 102400 characters long; at most 256 are allowed")
        .doesNotContain("ffff");
    assertThat(events("team-b", "flooded"))
        .anyMatch(
            e ->
                "Warning".equals(e.getType()) && "InvalidParameterException".equals(e.getReason()));
    assertThat(refused.getStatus().keyMaterialVersions).isEqualTo(1);
    String after = keysJson();
    assertThat(after.length() - before).as("keys.json did not take the value").isLessThan(4096);
    assertThat(after).doesNotContain("ffff");

    // The longest value allowed rotates once; the keyring keeps its digest, not the value.
    String longest = "g".repeat(KmsKeyPolicy.MAX_ROTATE_REQUEST_LENGTH);
    annotate("team-b", "flooded", KmsKeyPolicy.ROTATE_ANNOTATION, longest);
    awaitKeySynced("team-b", "flooded");
    assertThat(key("team-b", "flooded").getStatus().keyMaterialVersions).isEqualTo(2);
    assertThat(keysJson()).doesNotContain("gggg").contains(Keyring.requestDigest(longest));
  }

  @Test
  void
      theTwentySixthRotationOnRequestIsRefusedWithAWarningAndTheKeyStaysReadyAtTwentySixVersions() {
    kmsKey("team-b", "busy", s -> {});
    awaitKeySynced("team-b", "busy");
    for (int i = 1; i <= KmsKeyPolicy.MAX_ON_DEMAND_ROTATIONS; i++) {
      int versions = i + 1;
      annotate("team-b", "busy", KmsKeyPolicy.ROTATE_ANNOTATION, "rotation-" + i);
      awaitKey("team-b", "busy", k -> k.getStatus().keyMaterialVersions == versions);
    }

    annotate("team-b", "busy", KmsKeyPolicy.ROTATE_ANNOTATION, "rotation-26");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                Keyring.requestDigest("rotation-26")
                    .equals(view.ownedKey("team-b/busy").orElseThrow().rotationRequest()));

    Event warning =
        events("team-b", "busy").stream()
            .filter(e -> "LimitExceededException".equals(e.getReason()))
            .findFirst()
            .orElseThrow();
    assertThat(warning.getType()).isEqualTo("Warning");
    assertThat(warning.getMessage())
        .contains("rotated on request 25 times")
        .contains("stays at material version 26");
    KmsKey key = awaitKeySynced("team-b", "busy");
    assertThat(key.getStatus().keyMaterialVersions).isEqualTo(26);
    assertThat(view.ownedKey("team-b/busy").orElseThrow().materialVersions()).hasSize(26);
  }

  // ---- deletion ----

  @Test
  void deletingAKeyInUseSchedulesItsDeletionWithAWarningAndReCreatingItInTheWindowCancelsIt() {
    kmsKey("team-a", "doomed", s -> s.pendingWindowInDays = 7);
    KmsKeyStatus key = awaitKeySynced("team-a", "doomed").getStatus();
    create(
        cluster.client,
        managedSecret(
            "team-a",
            "doomed-user",
            s -> {
              s.kmsKeyId = "doomed";
              s.secretString = "v1";
            }));
    awaitSynced(cluster.client, "team-a", "doomed-user");
    assertThat(awaitKey("team-a", "doomed", k -> k.getStatus().usedBy != null).getStatus().usedBy)
        .containsExactly("team-a/doomed-user");

    cluster.client.resources(KmsKey.class).inNamespace("team-a").withName("doomed").delete();
    await().atMost(Fixtures.WAIT).until(() -> key("team-a", "doomed") == null);

    Keyring.OwnedKey pending = view.ownedKey("team-a/doomed").orElseThrow();
    assertThat(pending.keyId()).isEqualTo(key.keyId);
    assertThat(pending.state()).isEqualTo(KeyState.PENDING_DELETION);
    assertThat(pending.deletionDate())
        .isAfter(cluster.clock.instant().plus(Duration.ofDays(6)))
        .isBefore(cluster.clock.instant().plus(Duration.ofDays(8)));
    assertThat(events("team-a", "doomed"))
        .anyMatch(
            e ->
                "Warning".equals(e.getType())
                    && "KeyInUse".equals(e.getReason())
                    && e.getMessage().startsWith("KMS key " + key.arn + " is PendingDeletion until")
                    && e.getMessage().contains("team-a/doomed-user"));
    // The key can't be used meanwhile.
    edit(cluster.client, "team-a", "doomed-user", s -> s.secretString = "v2");
    ManagedSecret ms =
        awaitReady(cluster.client, "team-a", "doomed-user", "False", "EncryptionFailure");
    assertThat(ready(ms).getMessage()).isEqualTo("The KMS key " + key.arn + " is PendingDeletion.");
    assertThat(text(secret(cluster.client, "team-a", "doomed-user")))
        .containsEntry("secretString", "v1");

    // Re-created inside the window: the same key, enabled, and the ManagedSecret converges.
    kmsKey("team-a", "doomed", s -> s.pendingWindowInDays = 7);
    KmsKey back = awaitKeySynced("team-a", "doomed");
    assertThat(back.getStatus().keyId).isEqualTo(key.keyId);
    assertThat(back.getStatus().keyState).isEqualTo("Enabled");
    assertThat(view.ownedKey("team-a/doomed").orElseThrow().state()).isEqualTo(KeyState.ENABLED);
    assertThat(events("team-a", "doomed"))
        .anyMatch(e -> "KeyDeletionCanceled".equals(e.getReason()));
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                "v2"
                    .equals(
                        text(secret(cluster.client, "team-a", "doomed-user")).get("secretString")));
  }

  @Test
  void afterThePendingWindowTheKeyIsGoneForGoodAndTheNameMakesANewKey() {
    kmsKey("team-b", "short-lived", s -> s.pendingWindowInDays = 7);
    KmsKeyStatus key = awaitKeySynced("team-b", "short-lived").getStatus();
    cluster.client.resources(KmsKey.class).inNamespace("team-b").withName("short-lived").delete();
    await().atMost(Fixtures.WAIT).until(() -> key("team-b", "short-lived") == null);
    assertThat(events("team-b", "short-lived"))
        .anyMatch(
            e ->
                "KeyDeletionScheduled".equals(e.getReason())
                    && e.getMessage()
                        .startsWith("Scheduled KMS key " + key.arn + " for deletion on"));

    cluster.clock.advance(Duration.ofDays(7).plusMinutes(1));
    assertThat(cluster.runtime().maintainKmsKeys()).isGreaterThanOrEqualTo(1);

    assertThat(view.ownedKey("team-b/short-lived")).isEmpty();
    assertThat(view.keyring().ownedKeyById(key.keyId)).isEmpty();
    kmsKey("team-b", "short-lived", s -> {});
    assertThat(awaitKeySynced("team-b", "short-lived").getStatus().keyId).isNotEqualTo(key.keyId);
  }

  // ---- re-encryption ----

  @Test
  void changingKmsKeyIdReEncryptsTheThreeLabelledVersionsUnderTheNewKey() {
    kmsKey("team-a", "old-key", s -> {});
    kmsKey("team-a", "new-key", s -> {});
    String oldArn = awaitKeySynced("team-a", "old-key").getStatus().arn;
    String newArn = awaitKeySynced("team-a", "new-key").getStatus().arn;
    create(
        cluster.client,
        managedSecret(
            "team-a",
            "rekeyed",
            s -> {
              s.kmsKeyId = "old-key";
              s.secretString = "v1";
            }));
    awaitSynced(cluster.client, "team-a", "rekeyed");
    changeValue("team-a", "rekeyed", "v2");
    changeValue("team-a", "rekeyed", "v3");
    changeValue("team-a", "rekeyed", "v4");
    // A rotation in progress: AWSPENDING on v2 (only a rotation of the secret puts it there).
    StoredSecret staged = record("team-a", "rekeyed");
    String v2 = staged.versions().get(1).versionId();
    view.store().update(Versions.moveLabel(staged, StagingLabels.AWSPENDING, v2, null, true));
    StoredSecret before = record("team-a", "rekeyed");
    assertThat(before.versions())
        .extracting(StoredVersion::stages)
        .containsExactly(
            List.of(),
            List.of(StagingLabels.AWSPENDING),
            List.of(StagingLabels.AWSPREVIOUS),
            List.of(StagingLabels.AWSCURRENT));
    List<byte[]> wrappedBefore =
        before.versions().stream().map(v -> view.envelope(before, v).wrappedKey()).toList();

    edit(cluster.client, "team-a", "rekeyed", s -> s.kmsKeyId = newArn);
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> newArn.equals(get(cluster.client, "team-a", "rekeyed").getStatus().kmsKeyId));
    awaitSynced(cluster.client, "team-a", "rekeyed");

    StoredSecret after = record("team-a", "rekeyed");
    List<String> values = List.of("v1", "v2", "v3", "v4");
    for (int i = 0; i < 4; i++) {
      StoredVersion was = before.versions().get(i);
      StoredVersion is = after.versions().get(i);
      String expectedKey = i == 0 ? oldArn : newArn;
      assertThat(is.versionId()).isEqualTo(was.versionId());
      assertThat(is.stages()).isEqualTo(was.stages());
      assertThat(is.kmsKeyArn()).as("key of v%d", i + 1).isEqualTo(expectedKey);
      // Kept inline in the record object: revision -1 as written, -2 once re-encrypted.
      assertThat(is.envelopeRevision())
          .as("envelope revision of v%d", i + 1)
          .isEqualTo(i == 0 ? -1 : -2);
      assertThat(view.envelope(after, is).keyArn())
          .as("envelope of v%d", i + 1)
          .isEqualTo(expectedKey);
      assertThat(view.open(after, is)).isEqualTo(values.get(i));
      if (i > 0) {
        assertThat(view.envelope(after, is).wrappedKey())
            .as("a new data key for v%d", i + 1)
            .isNotEqualTo(wrappedBefore.get(i));
      }
    }
    assertThat(events("team-a", "rekeyed"))
        .anyMatch(
            e ->
                "VersionsReencrypted".equals(e.getReason())
                    && e.getMessage().endsWith("under KMS key " + newArn));

    // New versions use the new key; and nothing is re-encrypted on a pass that changes nothing.
    ManagedSecret ms = changeValue("team-a", "rekeyed", "v5");
    StoredSecret latest = record("team-a", "rekeyed");
    assertThat(latest.current().orElseThrow().kmsKeyArn()).isEqualTo(newArn);
    assertThat(ms.getStatus().versionIdsToStages.get(v2)).contains(StagingLabels.AWSPENDING);
    double calls = successfulKmsCalls();
    edit(cluster.client, "team-a", "rekeyed", s -> s.description = "touched");
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> {
              ManagedSecret m = get(cluster.client, "team-a", "rekeyed");
              return m.getStatus().observedGeneration.equals(m.getMetadata().getGeneration());
            });
    assertThat(successfulKmsCalls()).isEqualTo(calls);
    assertThat(record("team-a", "rekeyed").versions()).isEqualTo(latest.versions());
  }

  // ---- no key or secret byte leaves ----

  @Test
  void noSecretOrKeyByteLeavesThroughLogsEventsOrStatus() throws Exception {
    String canary = "CANARY-kmskey-5e1f-never-log-me";
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
        new ch.qos.logback.core.read.ListAppender<>();
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.classic.Logger ours =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.managedsecrets");
    ch.qos.logback.classic.Level level = ours.getLevel();
    logs.start();
    root.addAppender(logs);
    ours.setLevel(ch.qos.logback.classic.Level.DEBUG);
    try {
      kmsKey("team-b", "canary-a", s -> s.aliases = List.of("alias/canary"));
      kmsKey("team-b", "canary-b", s -> {});
      String b = awaitKeySynced("team-b", "canary-b").getStatus().arn;
      awaitKeySynced("team-b", "canary-a");
      create(
          cluster.client,
          managedSecret(
              "team-b",
              "canary",
              s -> {
                s.kmsKeyId = "alias/canary";
                s.secretString = canary;
              }));
      awaitSynced(cluster.client, "team-b", "canary");
      annotate("team-b", "canary-a", "managedsecrets.dev/rotate-key", "1");
      awaitKey("team-b", "canary-a", k -> k.getStatus().keyMaterialVersions == 2);
      changeValue("team-b", "canary", canary + "-2");
      edit(cluster.client, "team-b", "canary", s -> s.kmsKeyId = b);
      await()
          .atMost(Fixtures.WAIT)
          .until(() -> b.equals(get(cluster.client, "team-b", "canary").getStatus().kmsKeyId));
      editKey("team-b", "canary-b", k -> k.getSpec().enabled = false);
      awaitKey("team-b", "canary-b", k -> "Disabled".equals(k.getStatus().keyState));
      edit(cluster.client, "team-b", "canary", s -> s.secretString = canary + "-3");
      awaitReady(cluster.client, "team-b", "canary", "False", "EncryptionFailure");
      // No retries left behind for the tests that follow.
      cluster
          .client
          .resources(ManagedSecret.class)
          .inNamespace("team-b")
          .withName("canary")
          .delete();
      await().atMost(Fixtures.WAIT).until(() -> get(cluster.client, "team-b", "canary") == null);
    } finally {
      root.detachAppender(logs);
      ours.setLevel(level);
    }

    List<String> forbidden = new java.util.ArrayList<>(List.of(canary));
    forbidden.addAll(keyBytes());
    assertThat(forbidden).hasSizeGreaterThan(4);
    for (var e : logs.list) {
      if (e.getLoggerName().startsWith("io.fabric8.kubernetes.client.server.mock")
          || e.getLoggerName().startsWith("io.fabric8.mockwebserver")) {
        continue; // the in-process API server's own logs, not the operator's
      }
      String line =
          e.getFormattedMessage()
              + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage());
      forbidden.forEach(f -> assertThat(line).doesNotContain(f));
    }
    String visible =
        io.fabric8.kubernetes.client.utils.Serialization.asJson(
                cluster.client.v1().events().inAnyNamespace().list().getItems())
            + io.fabric8.kubernetes.client.utils.Serialization.asJson(
                cluster.client.resources(KmsKey.class).inAnyNamespace().list().getItems())
            // The value is in the ManagedSecret's spec by design: its status must not hold it.
            + io.fabric8.kubernetes.client.utils.Serialization.asJson(
                cluster
                    .client
                    .resources(ManagedSecret.class)
                    .inAnyNamespace()
                    .list()
                    .getItems()
                    .stream()
                    .map(ManagedSecret::getStatus)
                    .toList());
    forbidden.forEach(f -> assertThat(visible).doesNotContain(f));
  }

  /**
   * The keyring's root and hash keys and every local key material, base64 and hex: what must never
   * be seen outside the keyring Secret.
   */
  private static List<String> keyBytes() throws Exception {
    var secret = keyringSecret();
    java.util.Base64.Decoder b64 = java.util.Base64.getDecoder();
    byte[] rootKey = b64.decode(secret.getData().get("root.key"));
    List<byte[]> keys = new java.util.ArrayList<>();
    keys.add(rootKey);
    keys.add(b64.decode(secret.getData().get("hash.key")));
    var entries =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(b64.decode(secret.getData().get("keys.json")));
    for (var entry : entries) {
      if (entry.has("materials")) {
        var materials = entry.get("materials");
        for (var it = materials.fieldNames(); it.hasNext(); ) {
          String version = it.next();
          keys.add(
              dev.managedsecrets.core.crypto.Aead.decrypt(
                  rootKey,
                  b64.decode(materials.get(version).asText()),
                  ("managedsecrets keyring v1\n" + entry.get("keyId").asText() + "\n" + version)
                      .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
      }
    }
    List<String> out = new java.util.ArrayList<>();
    for (byte[] k : keys) {
      out.add(java.util.Base64.getEncoder().encodeToString(k));
      out.add(java.util.HexFormat.of().formatHex(k));
    }
    return out;
  }

  // ---- what survives ----

  @Test
  void theKeyIdAndMaterialVersionsSurviveALostStatusAndAnOperatorRestart() {
    kmsKey("team-b", "durable", s -> {});
    KmsKeyStatus first = awaitKeySynced("team-b", "durable").getStatus();
    annotate("team-b", "durable", "managedsecrets.dev/rotate-key", "once");
    awaitKey("team-b", "durable", k -> k.getStatus().keyMaterialVersions == 2);

    cluster.stopOperator();
    cluster
        .client
        .resources(KmsKey.class)
        .inNamespace("team-b")
        .withName("durable")
        .editStatus(
            k -> {
              k.setStatus(new KmsKeyStatus());
              return k;
            });
    assertThat(key("team-b", "durable").getStatus().keyId).isNull();
    cluster.startOperator();

    KmsKey back = awaitKey("team-b", "durable", k -> k.getStatus().keyId != null);
    assertThat(back.getStatus().keyId).isEqualTo(first.keyId);
    assertThat(back.getStatus().arn).isEqualTo(first.arn);
    assertThat(back.getStatus().keyMaterialVersions)
        .as("the annotation, already handled, does not rotate again")
        .isEqualTo(2);
    assertThat(back.getStatus().keyState).isEqualTo("Enabled");
  }
}
