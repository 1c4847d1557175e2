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
import static dev.managedsecrets.operator.it.Sealing.published;
import static dev.managedsecrets.operator.it.Sealing.seal;
import static dev.managedsecrets.operator.it.Sealing.sealData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.crypto.Envelope;
import dev.managedsecrets.core.sealing.PublishedSealingKeys;
import dev.managedsecrets.core.sealing.SealingBinding;
import dev.managedsecrets.core.sealing.SealingPrivateKey;
import dev.managedsecrets.core.sealing.SealingTarget;
import dev.managedsecrets.operator.kms.KeyringSecret;
import dev.managedsecrets.operator.sealing.SealingKeySecret;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sealed values through the running operator: sealed with the public key it publishes, opened in
 * memory on the way to the KMS, projected as their plaintext; every refusal of a value that does
 * not belong where it is applied; renewal, retirement, backup and restore of the sealing keys;
 * sealed-only namespaces; a quiet GitOps loop.
 */
class SealedValuesIT {

  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void sealedKeysJoinPlainKeysAndAreProjectedAsTheirPlaintext() {
    var client = cluster.client;
    String sealed = sealData(client, "team-a", "orders", "password", "p@ss w0rd");
    create(
        client,
        managedSecret(
            "team-a",
            "orders",
            s -> {
              s.data = Map.of("username", "orders");
              s.sealedData = Map.of("password", sealed);
              s.generate = Map.of("token", new GenerateSpec());
            }));
    awaitSynced(client, "team-a", "orders");
    Map<String, String> projected = text(secret(client, "team-a", "orders"));
    assertThat(projected)
        .containsEntry("username", "orders")
        .containsEntry("password", "p@ss w0rd");
    assertThat(projected.get("token")).hasSize(32);
  }

  @Test
  void sealedWholeValuesAreProjectedAsTheirPlaintext() {
    var client = cluster.client;
    var key = published(client).current();
    create(
        client,
        managedSecret(
            "team-a",
            "whole-string",
            s ->
                s.sealedSecretString =
                    seal(
                        key,
                        SealingBinding.strict(
                            "team-a", "whole-string", SealingTarget.secretString()),
                        "a whole text value")));
    byte[] bytes = {0, 1, 2, (byte) 0xff};
    create(
        client,
        managedSecret(
            "team-a",
            "whole-binary",
            s ->
                s.sealedSecretBinary =
                    dev.managedsecrets.core.sealing.Sealer.seal(
                        key,
                        SealingBinding.strict(
                            "team-a", "whole-binary", SealingTarget.secretBinary()),
                        bytes)));
    awaitSynced(client, "team-a", "whole-string");
    awaitSynced(client, "team-a", "whole-binary");
    assertThat(text(secret(client, "team-a", "whole-string")))
        .containsExactly(Map.entry("secretString", "a whole text value"));
    assertThat(
            Base64.getDecoder()
                .decode(secret(client, "team-a", "whole-binary").getData().get("secretBinary")))
        .isEqualTo(bytes);
  }

  @Test
  void aNamespaceWideValueOpensInAnyManagedSecretOfItsNamespace() {
    var client = cluster.client;
    String sealed =
        seal(
            published(client).current(),
            SealingBinding.namespaceWide("team-b", SealingTarget.data("apiKey")),
            "shared");
    for (String name : List.of("first", "second")) {
      create(
          client,
          managedSecret(
              "team-b",
              name,
              s -> {
                s.sealedScope = "namespace-wide";
                s.sealedData = Map.of("apiKey", sealed);
              }));
    }
    for (String name : List.of("first", "second")) {
      awaitSynced(client, "team-b", name);
      assertThat(text(secret(client, "team-b", name))).containsEntry("apiKey", "shared");
    }
    // Out of its namespace it does not open, under the same name and scope.
    create(
        client,
        managedSecret(
            "team-a",
            "first",
            s -> {
              s.sealedScope = "namespace-wide";
              s.sealedData = Map.of("apiKey", sealed);
            }));
    ManagedSecret refused =
        awaitReady(client, "team-a", "first", "False", "InvalidParameterException");
    assertThat(ready(refused).getMessage())
        .isEqualTo(
            "sealed key 1 of 1 (sealedData) was sealed for another namespace than team-a: a sealed"
                + " value opens only in the namespace it was sealed for. Seal it again for this"
                + " one.");
    assertThat(secret(client, "team-a", "first")).isNull();
  }

  @Test
  void thePublicKeysArePublishedAndThePrivateKeysAreStoredOnlyWrappedUnderTheKms() {
    var client = cluster.client;
    PublishedSealingKeys keys = published(client);
    assertThat(keys.currentKey()).isPresent();
    ConfigMap map = Sealing.configMap(client);
    assertThat(map.getData().get(PublishedSealingKeys.CURRENT_PEM))
        .isEqualTo(keys.current().toPem());
    assertThat(String.join("\n", map.getData().values())).doesNotContain("PRIVATE", "wrapped");

    Secret stored =
        client
            .secrets()
            .inNamespace(TestCluster.OPERATOR_NAMESPACE)
            .withName(SealingKeySecret.SECRET_NAME)
            .get();
    assertThat(stored.getType()).isEqualTo(SealingKeySecret.TYPE);
    var json =
        io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
            new String(
                Base64.getDecoder().decode(stored.getData().get("keys.json")),
                StandardCharsets.UTF_8),
            List.class);
    for (Object entry : json) {
      String wrapped = (String) ((Map<?, ?>) entry).get("wrappedPrivateKey");
      // An envelope of the KMS's default key: the private key is never at rest in plain text.
      Envelope envelope = Envelope.parse(Base64.getDecoder().decode(wrapped));
      assertThat(envelope.keyArn()).startsWith("arn:k8s:kms:");
    }
  }

  @Test
  void everyValueThatDoesNotBelongHereIsRefusedSayingWhyAndNothingStoredIsTouched() {
    var client = cluster.client;
    var key = published(client).current();
    String cut = sealData(client, "team-a", "refused", "password", "new").substring(0, 40);
    String valid = sealData(client, "team-a", "refused", "password", "new");
    char[] chars = valid.toCharArray();
    int middle = chars.length - 20;
    chars[middle] = chars[middle] == 'A' ? 'B' : 'A';
    String altered = new String(chars);
    Map<String, Function<String, String>> badUserValues = new LinkedHashMap<>();
    badUserValues.put(
        "was sealed for another namespace than team-a",
        name -> seal(key, SealingBinding.strict("team-b", name, SealingTarget.data("user")), "x"));
    badUserValues.put(
        "was sealed for another ManagedSecret than",
        name ->
            seal(key, SealingBinding.strict("team-a", "billing", SealingTarget.data("user")), "x"));
    badUserValues.put(
        "was sealed for another value key or field",
        name -> seal(key, SealingBinding.strict("team-a", name, SealingTarget.data("login")), "x"));
    badUserValues.put(
        "which this operator does not hold",
        name ->
            seal(
                SealingPrivateKey.generate().publicKey(),
                SealingBinding.strict("team-a", name, SealingTarget.data("user")),
                "x"));
    badUserValues.put(
        "was sealed with scope namespace-wide, but spec.sealedScope is strict",
        name -> seal(key, SealingBinding.namespaceWide("team-a", SealingTarget.data("user")), "x"));
    int n = 0;
    List<String> names = new ArrayList<>();
    for (var bad : badUserValues.entrySet()) {
      String name = "refused-" + n++;
      names.add(name);
      create(
          client,
          managedSecret(
              "team-a",
              name,
              s ->
                  s.sealedData =
                      Map.of(
                          "password", sealData(client, "team-a", name, "password", "old"),
                          "user", sealData(client, "team-a", name, "user", "app"))));
      awaitSynced(client, "team-a", name);
      String version = get(client, "team-a", name).getStatus().versionId;
      // A new password and a user that does not belong: neither is stored.
      edit(
          client,
          "team-a",
          name,
          s ->
              s.sealedData =
                  Map.of(
                      "password",
                      sealData(client, "team-a", name, "password", "new"),
                      "user",
                      bad.getValue().apply(name)));
      ManagedSecret refused =
          awaitReady(client, "team-a", name, "False", "InvalidParameterException");
      assertThat(ready(refused).getMessage())
          .startsWith("sealed key 2 of 2 (sealedData) ")
          .contains(bad.getKey())
          .doesNotContain("user", "password");
      assertThat(refused.getStatus().versionId).isEqualTo(version);
      assertThat(refused.getStatus().versionIdsToStages).hasSize(1);
      assertThat(text(secret(client, "team-a", name)))
          .containsEntry("password", "old")
          .containsEntry("user", "app");
    }
    // Truncated and altered: the whole sealed value of one key.
    Map<String, String> damaged =
        Map.of("is truncated", cut, "does not open: it was altered", altered);
    for (var bad : damaged.entrySet()) {
      String name = "refused";
      ManagedSecret before = get(client, "team-a", name);
      if (before == null) {
        create(
            client,
            managedSecret(
                "team-a",
                name,
                s ->
                    s.sealedData =
                        Map.of("password", sealData(client, "team-a", name, "password", "old"))));
        awaitSynced(client, "team-a", name);
      }
      String version = get(client, "team-a", name).getStatus().versionId;
      edit(client, "team-a", name, s -> s.sealedData = Map.of("password", bad.getValue()));
      ManagedSecret refused =
          awaitReady(client, "team-a", name, "False", "InvalidParameterException");
      assertThat(ready(refused).getMessage())
          .startsWith("sealed key 1 of 1 (sealedData) ")
          .contains(bad.getKey());
      assertThat(refused.getStatus().versionId).isEqualTo(version);
      assertThat(text(secret(client, "team-a", name))).containsEntry("password", "old");
    }
  }

  @Test
  void anIdleReApplyMakesNoWriteAndNoKmsCallAndSealingAgainMakesNoNewVersion() {
    try (TestCluster own = TestCluster.start()) {
      quietLoop(own);
    }
  }

  private static void quietLoop(TestCluster cluster) {
    var client = cluster.client;
    create(
        client,
        managedSecret(
            "team-a",
            "quiet",
            s ->
                s.sealedData =
                    Map.of("password", sealData(client, "team-a", "quiet", "password", "same"))));
    String version = awaitSynced(client, "team-a", "quiet").getStatus().versionId;
    assertIdleAfterAColdStart(cluster);

    // The same plaintext sealed again: a new ciphertext, no new version.
    edit(
        client,
        "team-a",
        "quiet",
        s ->
            s.sealedData =
                Map.of("password", sealData(client, "team-a", "quiet", "password", "same")));
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> {
              ManagedSecret ms = get(client, "team-a", "quiet");
              return ms.getStatus().observedGeneration.equals(ms.getMetadata().getGeneration());
            });
    ManagedSecret resealed = awaitSynced(client, "team-a", "quiet");
    assertThat(resealed.getStatus().versionId).isEqualTo(version);
    assertThat(resealed.getStatus().versionIdsToStages).hasSize(1);
    // The new ciphertext's hash is recorded: the next cold start opens nothing again.
    assertIdleAfterAColdStart(cluster);

    // Moving the value from data to sealedData (the same plaintext) makes no new version either.
    create(client, managedSecret("team-a", "moved", s -> s.data = Map.of("password", "plain")));
    String plainVersion = awaitSynced(client, "team-a", "moved").getStatus().versionId;
    edit(
        client,
        "team-a",
        "moved",
        s -> {
          s.data = null;
          s.sealedData =
              Map.of("password", sealData(client, "team-a", "moved", "password", "plain"));
        });
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () -> {
              ManagedSecret ms = get(client, "team-a", "moved");
              return ms.getStatus().observedGeneration.equals(ms.getMetadata().getGeneration());
            });
    assertThat(awaitSynced(client, "team-a", "moved").getStatus().versionId)
        .isEqualTo(plainVersion);

    // A renewal of the sealing key changes nothing for what exists: the values sealed for the old
    // key keep opening, and the next cold start writes nothing, asks no KMS, makes no version.
    String oldKeyId = published(client).currentKeyId();
    cluster.clock.advance(Duration.ofDays(31));
    assertThat(cluster.runtime().maintainSealingKeys()).isNotEqualTo(oldKeyId);
    assertIdleAfterAColdStart(cluster);
    ManagedSecret afterRenewal = awaitSynced(client, "team-a", "quiet");
    assertThat(afterRenewal.getStatus().versionId).isEqualTo(version);
    assertThat(afterRenewal.getStatus().versionIdsToStages).hasSize(1);
    assertThat(text(secret(client, "team-a", "quiet"))).containsEntry("password", "same");
  }

  /** A cold start of the operator reconciles everything and writes nothing, asks no KMS. */
  private static void assertIdleAfterAColdStart(TestCluster cluster) {
    cluster.stopOperator();
    cluster.drainRequests();
    cluster.startOperator();
    long resources =
        cluster.client.resources(ManagedSecret.class).inAnyNamespace().list().getItems().size();
    await().atMost(Fixtures.WAIT).until(() -> cluster.reconciles() >= resources);
    // An event that changes nothing of ours triggers one more pass over a sealed ManagedSecret.
    double before = cluster.reconciles();
    cluster
        .client
        .secrets()
        .inNamespace("team-a")
        .withName("quiet")
        .edit(
            s ->
                new SecretBuilder(s)
                    .editMetadata()
                    .addToLabels("unrelated", java.util.UUID.randomUUID().toString())
                    .endMetadata()
                    .build());
    await().atMost(Fixtures.WAIT).until(() -> cluster.reconciles() > before);
    List<String> writes =
        cluster.drainWrites().stream().filter(w -> !w.contains("/secrets/quiet")).toList();
    assertThat(writes).as("writes of the operator after a cold start").isEmpty();
    assertThat(cluster.kmsCalls()).as("KMS calls").isZero();
  }

  @Test
  void afterARenewalOldAndNewSealedValuesBothOpenAndExistingResourcesStayAsTheyWere() {
    var client = cluster.client;
    var oldKey = published(client).current();
    create(
        client,
        managedSecret(
            "team-b",
            "before-renewal",
            s ->
                s.sealedData =
                    Map.of("k", sealData(client, "team-b", "before-renewal", "k", "old"))));
    String version = awaitSynced(client, "team-b", "before-renewal").getStatus().versionId;

    cluster.clock.advance(Duration.ofDays(31));
    String newKeyId = cluster.runtime().maintainSealingKeys();
    assertThat(newKeyId).isNotEqualTo(oldKey.keyId());
    PublishedSealingKeys keys = published(client);
    assertThat(keys.currentKeyId()).isEqualTo(newKeyId);
    assertThat(keys.key(oldKey.keyId())).isPresent();

    create(
        client,
        managedSecret(
            "team-b",
            "after-renewal",
            s ->
                s.sealedData =
                    Map.of(
                        "new",
                        sealData(client, "team-b", "after-renewal", "new", "sealed-new"),
                        "old",
                        seal(
                            oldKey,
                            SealingBinding.strict(
                                "team-b", "after-renewal", SealingTarget.data("old")),
                            "sealed-old"))));
    awaitSynced(client, "team-b", "after-renewal");
    assertThat(text(secret(client, "team-b", "after-renewal")))
        .containsEntry("new", "sealed-new")
        .containsEntry("old", "sealed-old");
    assertThat(get(client, "team-b", "before-renewal").getStatus().versionId).isEqualTo(version);
    assertThat(ready(get(client, "team-b", "before-renewal")).getReason()).isEqualTo("Synced");
  }

  @Test
  void aValueSealedForARetiredKeyIsRefusedUntilItIsSealedAgainForTheNewKey() {
    try (TestCluster own = TestCluster.start()) {
      var client = own.client;
      var compromised = published(client).current();
      create(
          client,
          managedSecret(
              "team-a",
              "exposed",
              s -> s.sealedData = Map.of("k", sealData(client, "team-a", "exposed", "k", "v1"))));
      String version = awaitSynced(client, "team-a", "exposed").getStatus().versionId;

      own.stopOperator();
      own.configure = Map.of("MANAGEDSECRET_SEALING_RETIRED_KEYS", compromised.keyId());
      own.startOperator();
      PublishedSealingKeys keys = published(client);
      assertThat(keys.currentKeyId()).isNotEqualTo(compromised.keyId());
      assertThat(keys.key(compromised.keyId()).orElseThrow().retiredDate()).isNotNull();

      ManagedSecret refused =
          awaitReady(client, "team-a", "exposed", "False", "InvalidRequestException");
      assertThat(ready(refused).getMessage())
          .contains("sealing key " + compromised.keyId() + ", which was retired on")
          .contains("seal the value again");
      assertThat(refused.getStatus().versionId).isEqualTo(version);
      assertThat(text(secret(client, "team-a", "exposed"))).containsEntry("k", "v1");

      // The re-seal path: seal again (and change the value) with the current key.
      edit(
          client,
          "team-a",
          "exposed",
          s -> s.sealedData = Map.of("k", sealData(client, "team-a", "exposed", "k", "v2")));
      awaitSynced(client, "team-a", "exposed");
      assertThat(text(secret(client, "team-a", "exposed"))).containsEntry("k", "v2");
    }
  }

  @Test
  void sealingKeysRestoredIntoARebuiltClusterOpenValuesSealedBefore() {
    List<Secret> backup = new ArrayList<>();
    String sealed;
    String oldKeyId;
    try (TestCluster old = TestCluster.start()) {
      oldKeyId = published(old.client).currentKeyId();
      sealed = sealData(old.client, "team-a", "restored", "password", "from-git");
      for (String name : List.of(KeyringSecret.SECRET_NAME, SealingKeySecret.SECRET_NAME)) {
        backup.add(
            old.client.secrets().inNamespace(TestCluster.OPERATOR_NAMESPACE).withName(name).get());
      }
    }
    try (TestCluster rebuilt = TestCluster.withoutOperator()) {
      var client = rebuilt.client;
      // Started without the backup: the value names a key this operator does not hold.
      rebuilt.startOperator();
      create(
          client,
          managedSecret("team-a", "restored", s -> s.sealedData = Map.of("password", sealed)));
      ManagedSecret refused =
          awaitReady(client, "team-a", "restored", "False", "InvalidParameterException");
      assertThat(ready(refused).getMessage())
          .contains("restore the sealing keys from their backup");

      // The documented restore: stop, delete what the operator made, create the backup, start.
      rebuilt.stopOperator();
      for (String name : List.of(KeyringSecret.SECRET_NAME, SealingKeySecret.SECRET_NAME)) {
        client.secrets().inNamespace(TestCluster.OPERATOR_NAMESPACE).withName(name).delete();
      }
      await()
          .atMost(Fixtures.WAIT)
          .until(
              () ->
                  client
                          .secrets()
                          .inNamespace(TestCluster.OPERATOR_NAMESPACE)
                          .withName(SealingKeySecret.SECRET_NAME)
                          .get()
                      == null);
      backup.forEach(s -> client.resource(DisasterRecoveryIT.restorable(s)).create());
      rebuilt.startOperator();
      edit(client, "team-a", "restored", s -> s.description = "after the restore");
      awaitSynced(client, "team-a", "restored");
      assertThat(text(secret(client, "team-a", "restored"))).containsEntry("password", "from-git");
      assertThat(published(client).key(oldKeyId)).isPresent();
    }
  }

  @Test
  void aSealedOnlyNamespaceRefusesPlainValuesAndTakesSealedOnes() {
    try (TestCluster own = TestCluster.withoutOperator()) {
      var client = own.client;
      client
          .namespaces()
          .withName("team-b")
          .edit(
              ns ->
                  new io.fabric8.kubernetes.api.model.NamespaceBuilder(ns)
                      .editMetadata()
                      .addToLabels("managedsecrets.dev/sealed-only", "true")
                      .endMetadata()
                      .build());
      own.configure =
          Map.of(
              "MANAGEDSECRET_SEALING_SEALED_ONLY_NAMESPACE_SELECTOR",
              "managedsecrets.dev/sealed-only=true");
      own.startOperator();
      create(client, managedSecret("team-b", "plain-data", s -> s.data = Map.of("k", "v")));
      create(client, managedSecret("team-b", "plain-string", s -> s.secretString = "v"));
      create(
          client,
          managedSecret(
              "team-b",
              "plain-binary",
              s -> s.secretBinary = Base64.getEncoder().encodeToString(new byte[] {1})));
      create(
          client,
          managedSecret(
              "team-b",
              "sealed",
              s -> {
                s.sealedData = Map.of("k", sealData(client, "team-b", "sealed", "k", "v"));
                s.generate = Map.of("pw", new GenerateSpec());
              }));
      create(client, managedSecret("team-a", "plain-elsewhere", s -> s.data = Map.of("k", "v")));

      for (String name : List.of("plain-data", "plain-string", "plain-binary")) {
        ManagedSecret refused = awaitReady(client, "team-b", name, "False", "ValidationException");
        assertThat(ready(refused).getMessage())
            .contains("Namespace team-b accepts only sealed values")
            .contains("kubectl managedsecret seal");
        assertThat(secret(client, "team-b", name)).isNull();
      }
      awaitSynced(client, "team-b", "sealed");
      awaitSynced(client, "team-a", "plain-elsewhere");
    }
  }
}
