package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitReady;
import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.create;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.ready;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.TargetSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/** The store is untrusted, and no secret byte leaves through logs, Events, status or metrics. */
class SecurityIT {

  static final String CANARY = "CANARY-7f3a9c-never-log-me";
  static final String AUDIT = "dev.managedsecrets.audit";

  static TestCluster cluster;
  static ListAppender<ILoggingEvent> logs = new ListAppender<>();
  static final String[] LOGGERS = {"dev.managedsecrets", "io.javaoperatorsdk", "io.fabric8"};
  static final java.util.Map<String, Level> previous = new java.util.HashMap<>();

  @BeforeAll
  static void start() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs.start();
    root.addAppender(logs);
    // The endpoint's audit records go to their own stream (not additive): capture them too.
    ((Logger) LoggerFactory.getLogger(AUDIT)).addAppender(logs);
    for (String name : LOGGERS) {
      Logger logger = (Logger) LoggerFactory.getLogger(name);
      previous.put(name, logger.getLevel());
      logger.setLevel(Level.DEBUG);
    }
    // With the Secrets Manager endpoint, whose calls carry values in and out.
    cluster = EndpointClients.start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    ((Logger) LoggerFactory.getLogger(AUDIT)).detachAppender(logs);
    for (String name : LOGGERS) {
      ((Logger) LoggerFactory.getLogger(name)).setLevel(previous.get(name));
    }
  }

  @Test
  void aCanaryValueNeverAppearsInLogsEventsStatusOrMetrics() {
    create(
        cluster.client,
        managedSecret(
            "default",
            "canary",
            s -> {
              s.data = Map.of("password", CANARY, "user", "u");
              s.target = new TargetSpec();
              s.target.template = Map.of("dsn", "user={{user}} password={{password}}");
            }));
    awaitSynced(cluster.client, "default", "canary");
    edit(
        cluster.client,
        "default",
        "canary",
        s -> s.data = Map.of("password", CANARY + "-2", "user", "u"));
    await()
        .atMost(Fixtures.WAIT)
        .until(
            () ->
                secret(cluster.client, "default", "canary")
                    .getData()
                    .get("password")
                    .equals(Fixtures.b64(CANARY + "-2")));
    // A failure path too: a template that refers to a missing key, with the canary in the value.
    edit(
        cluster.client,
        "default",
        "canary",
        s -> s.target.template = Map.of("dsn", "{{missing}} " + "{{password}}"));
    awaitReady(cluster.client, "default", "canary", "False", "InvalidParameterException");
    // Drift repair decrypts the stored version.
    create(cluster.client, managedSecret("default", "canary-string", s -> s.secretString = CANARY));
    awaitSynced(cluster.client, "default", "canary-string");
    cluster.client.secrets().inNamespace("default").withName("canary-string").delete();
    await()
        .atMost(Fixtures.WAIT)
        .until(() -> secret(cluster.client, "default", "canary-string") != null);
    create(
        cluster.client,
        managedSecret(
            "default", "canary-generated", s -> s.generate = Map.of("pw", new GenerateSpec())));
    awaitSynced(cluster.client, "default", "canary-generated");
    String generated =
        new String(
            Base64.getDecoder()
                .decode(secret(cluster.client, "default", "canary-generated").getData().get("pw")),
            java.nio.charset.StandardCharsets.UTF_8);

    assertAbsentFromLogsEventsStatusAndMetrics(true, CANARY, generated);
    // The store holds ciphertext only.
    for (Secret stored :
        cluster.client.secrets().inNamespace(TestCluster.OPERATOR_NAMESPACE).list().getItems()) {
      stored
          .getData()
          .values()
          .forEach(
              v ->
                  assertThat(
                          new String(
                              Base64.getDecoder().decode(v),
                              java.nio.charset.StandardCharsets.ISO_8859_1))
                      .doesNotContain(CANARY)
                      .doesNotContain(generated));
    }
  }

  @Test
  void valuesAndKeyNamesThroughTheEndpointNeverAppearInLogsAuditEventsStatusOrMetrics() {
    String value = CANARY + "-endpoint";
    String key = "canary-key-endpoint-9b2";
    try (SecretsManagerClient sm =
        EndpointClients.client(cluster, EndpointClients.administrator(cluster))) {
      sm.createSecret(
          r -> r.name("endpoint/canary").secretString("{\"" + key + "\":\"" + value + "\"}"));
      sm.putSecretValue(
          r -> r.secretId("endpoint/canary").secretString("{\"" + key + "\":\"" + value + "-2\"}"));
      assertThat(sm.getSecretValue(r -> r.secretId("endpoint/canary")).secretString())
          .contains(value + "-2");
      assertThat(
              sm.batchGetSecretValue(r -> r.secretIdList("endpoint/canary")).secretValues().get(0))
          .isNotNull();
      // Refusals: a value past AWS's bound, and a value for a secret that is not there.
      assertThat(
              catchThrowableOfType(
                  SecretsManagerException.class,
                  () ->
                      sm.createSecret(
                          r ->
                              r.name("endpoint/too-long").secretString(value + "x".repeat(65536)))))
          .isNotNull();
      assertThat(
              catchThrowableOfType(
                  SecretsManagerException.class,
                  () -> sm.putSecretValue(r -> r.secretId("endpoint/none").secretString(value))))
          .isNotNull();
    }

    synchronized (logs) {
      assertThat(logs.list)
          .as("the endpoint's audit records are among the lines checked")
          .anyMatch(
              e ->
                  e.getLoggerName().equals(AUDIT)
                      && e.getFormattedMessage().contains("\"eventName\":\"PutSecretValue\""));
    }
    assertAbsentFromLogsEventsStatusAndMetrics(value, key);
  }

  @Test
  void aTamperedCiphertextInTheStoreGivesDecryptionFailureNeverGarbage() {
    create(cluster.client, managedSecret("team-a", "tampered", s -> s.secretString = "original"));
    awaitSynced(cluster.client, "team-a", "tampered");
    StoredEnvelope version = onlyVersionOf("team-a", "tampered");
    byte[] envelope = version.bytes();
    envelope[envelope.length - 5] ^= 0x01;
    replaceEnvelope(version, envelope);

    cluster.client.secrets().inNamespace("team-a").withName("tampered").delete();
    ManagedSecret ms =
        awaitReady(cluster.client, "team-a", "tampered", "False", "DecryptionFailure");
    assertThat(ready(ms).getMessage()).contains("failed authentication");
    assertThat(secret(cluster.client, "team-a", "tampered")).isNull();
  }

  @Test
  void aCiphertextSwappedFromAnotherSecretFailsToOpen() {
    create(cluster.client, managedSecret("team-b", "victim", s -> s.secretString = "victim value"));
    create(
        cluster.client,
        managedSecret("team-b", "attacker", s -> s.secretString = "attacker value"));
    awaitSynced(cluster.client, "team-b", "victim");
    awaitSynced(cluster.client, "team-b", "attacker");
    StoredEnvelope victim = onlyVersionOf("team-b", "victim");
    StoredEnvelope attacker = onlyVersionOf("team-b", "attacker");
    replaceEnvelope(victim, attacker.bytes());

    cluster.client.secrets().inNamespace("team-b").withName("victim").delete();
    awaitReady(cluster.client, "team-b", "victim", "False", "DecryptionFailure");
    assertThat(secret(cluster.client, "team-b", "victim")).isNull();
  }

  @Test
  void aCorruptRecordInTheStoreIsDecryptionFailureSayingWhatToDo() {
    create(cluster.client, managedSecret("team-a", "corrupt", s -> s.secretString = "kept"));
    awaitSynced(cluster.client, "team-a", "corrupt");
    Secret record = recordOf("team-a/corrupt");
    cluster
        .client
        .secrets()
        .inNamespace(TestCluster.OPERATOR_NAMESPACE)
        .withName(record.getMetadata().getName())
        .edit(
            s ->
                new SecretBuilder(s)
                    .addToData(
                        "record.json", Base64.getEncoder().encodeToString("{not json".getBytes()))
                    .build());

    Fixtures.edit(cluster.client, "team-a", "corrupt", spec -> spec.secretString = "changed");
    ManagedSecret ms =
        awaitReady(cluster.client, "team-a", "corrupt", "False", "DecryptionFailure");
    assertThat(ready(ms).getMessage())
        .isEqualTo(
            "The stored record of secret team-a/corrupt can't be read: it is not readable JSON."
                + " Its versions stay unavailable, and nothing of it is changed, until an"
                + " administrator restores the record from a backup of the store"
                + " (docs/STORES.md).");
    assertThat(Fixtures.condition(ms, "Reconciling").getStatus()).isEqualTo("True");
    assertThat(Fixtures.text(secret(cluster.client, "team-a", "corrupt")))
        .as("the projected Secret keeps the last good version")
        .containsExactly(java.util.Map.entry("secretString", "kept"));
  }

  // ---- a writer of the store ----

  /**
   * Two namespaces use the same secret name and client request token, so their ARNs differ only in
   * the random suffix and their version ids are the same. A writer of the store gives team-b's
   * record team-a's ARN and team-b's version team-a's envelope: team-a's value is never served in
   * team-b.
   */
  @Test
  void aVersionAndArnCopiedFromAnotherNamespacesRecordOfTheSameNameAreRefused() {
    String token = "5f0c2b7e-3a41-4d2c-9e8f-0a1b2c3d4e5f";
    for (String ns : List.of("team-a", "team-b")) {
      create(
          cluster.client,
          managedSecret(
              ns,
              "swapped",
              s -> {
                s.secretName = "shared/swapped";
                s.clientRequestToken = token;
                s.secretString = ns + " value";
              }));
    }
    ManagedSecret a = awaitSynced(cluster.client, "team-a", "swapped");
    ManagedSecret b = awaitSynced(cluster.client, "team-b", "swapped");
    assertThat(b.getStatus().versionId).isEqualTo(a.getStatus().versionId).isEqualTo(token);

    editRecord(
        recordOf("shared/swapped", "team-b"), record -> record.put("arn", a.getStatus().arn));
    replaceEnvelope(onlyVersionOf("team-b", "swapped"), onlyVersionOf("team-a", "swapped").bytes());
    cluster.client.secrets().inNamespace("team-b").withName("swapped").delete();

    ManagedSecret refused =
        awaitReady(cluster.client, "team-b", "swapped", "False", "DecryptionFailure");
    assertThat(ready(refused).getMessage())
        .startsWith(
            "The stored record of secret shared/swapped can't be read: its integrity check");
    assertThat(secret(cluster.client, "team-b", "swapped")).as("never served").isNull();
    assertThat(Fixtures.text(secret(cluster.client, "team-a", "swapped")))
        .containsExactly(Map.entry("secretString", "team-a value"));
  }

  @Test
  void aRecordWhoseAwsCurrentWasMovedBackInTheStoreIsRefusedAndNothingIsServedFromIt() {
    create(cluster.client, managedSecret("team-a", "moved", s -> s.secretString = "first"));
    String first = awaitSynced(cluster.client, "team-a", "moved").getStatus().versionId;
    edit(cluster.client, "team-a", "moved", s -> s.secretString = "second");
    String second = awaitSynced(cluster.client, "team-a", "moved").getStatus().versionId;

    // The writer moves AWSCURRENT back to the first version, and AWSPREVIOUS to the second.
    editRecord(
        recordOf("team-a/moved"),
        record ->
            record
                .withArray("versions")
                .forEach(
                    v -> {
                      String label =
                          v.get("versionId").asText().equals(first) ? "AWSCURRENT" : "AWSPREVIOUS";
                      ((ObjectNode) v).putArray("stages").add(label);
                    }));
    touchProjectedSecret("team-a", "moved");

    ManagedSecret refused =
        awaitReady(cluster.client, "team-a", "moved", "False", "DecryptionFailure");
    assertThat(ready(refused).getMessage())
        .startsWith("The stored record of secret team-a/moved can't be read: its integrity check");
    assertThat(refused.getStatus().versionId).isEqualTo(second);
    assertThat(Fixtures.text(secret(cluster.client, "team-a", "moved")))
        .as("the projected Secret keeps the current version")
        .containsExactly(Map.entry("secretString", "second"));
  }

  /**
   * The record's bytes as of its first version written back over the record of its second (a store
   * rolled back to a backup, or an old copy replayed): authentic, but older than the operator last
   * wrote, which the ManagedSecret's status remembers.
   */
  @Test
  void anOlderRecordWrittenBackIntoTheStoreIsRefusedAndTheProjectedSecretIsNotRolledBack() {
    create(cluster.client, managedSecret("team-b", "replayed", s -> s.secretString = "first"));
    awaitSynced(cluster.client, "team-b", "replayed");
    Map<String, String> asOfFirst = recordOf("team-b/replayed").getData();
    edit(cluster.client, "team-b", "replayed", s -> s.secretString = "second");
    ManagedSecret synced = awaitSynced(cluster.client, "team-b", "replayed");

    Secret replayed =
        cluster
            .client
            .secrets()
            .inNamespace(TestCluster.OPERATOR_NAMESPACE)
            .withName(recordOf("team-b/replayed").getMetadata().getName())
            .edit(r -> new SecretBuilder(r).withData(asOfFirst).build());
    touchProjectedSecret("team-b", "replayed");

    ManagedSecret refused =
        awaitReady(cluster.client, "team-b", "replayed", "False", "DecryptionFailure");
    assertThat(ready(refused).getMessage())
        .startsWith(
            "The stored record of secret team-b/replayed is older than the operator last wrote it"
                + " (sequence 1; the operator last wrote sequence 2)")
        .contains("rebind --accept-restored");
    assertThat(refused.getStatus().versionId).isEqualTo(synced.getStatus().versionId);
    // Written twice: made with its first version, then given the second.
    assertThat(refused.getStatus().recordSequence).isEqualTo(2);
    assertThat(Fixtures.text(secret(cluster.client, "team-b", "replayed")))
        .as("the projected Secret is not rolled back")
        .containsExactly(Map.entry("secretString", "second"));
    assertThat(recordOf("team-b/replayed").getData())
        .as("nothing written from the replayed record")
        .isEqualTo(replayed.getData());
  }

  /** The record object of a secret name (of the namespace the name starts with, by default). */
  private Secret recordOf(String secretName) {
    return recordOf(secretName, secretName.substring(0, secretName.indexOf('/')));
  }

  private Secret recordOf(String secretName, String namespace) {
    return cluster
        .client
        .secrets()
        .inNamespace(TestCluster.OPERATOR_NAMESPACE)
        .withLabel("managedsecrets.dev/store", "record")
        .withLabel("managedsecrets.dev/namespace", namespace)
        .list()
        .getItems()
        .stream()
        .filter(
            s ->
                secretName.equals(
                    s.getMetadata().getAnnotations().get("managedsecrets.dev/secret-name")))
        .findFirst()
        .orElseThrow();
  }

  /** Edits the JSON of every record a record object holds, as a writer of the store could. */
  private void editRecord(Secret object, Consumer<ObjectNode> change) {
    Map<String, String> data = new LinkedHashMap<>(object.getData());
    data.replaceAll(
        (key, value) -> {
          if (!key.startsWith("record")) {
            return value; // an envelope the object keeps inline
          }
          try {
            ObjectNode record = (ObjectNode) JSON.readTree(Base64.getDecoder().decode(value));
            change.accept(record);
            return Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(record));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    cluster
        .client
        .secrets()
        .inNamespace(TestCluster.OPERATOR_NAMESPACE)
        .withName(object.getMetadata().getName())
        .edit(r -> new SecretBuilder(r).withData(data).build());
  }

  /** A change to the projected Secret that is none of the operator's: it reconciles again. */
  private void touchProjectedSecret(String namespace, String name) {
    cluster
        .client
        .secrets()
        .inNamespace(namespace)
        .withName(name)
        .edit(
            s ->
                new SecretBuilder(s)
                    .editMetadata()
                    .addToLabels("touched", String.valueOf(System.nanoTime()))
                    .endMetadata()
                    .build());
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** None of {@code canaries} is in the operator's log lines, Events, statuses or metric ids. */
  private static void assertAbsentFromLogsEventsStatusAndMetrics(String... canaries) {
    assertAbsentFromLogsEventsStatusAndMetrics(false, canaries);
  }

  /**
   * As above; {@code frameworkDebugToo}: also in the frameworks' DEBUG lines. Those print whole
   * objects, whose metadata.managedFields list the spec's field paths (the keys of {@code data}),
   * never values: key names are checked at the levels the operator ships (its own loggers at DEBUG,
   * java-operator-sdk and fabric8 at INFO and above), values at every level.
   */
  private static void assertAbsentFromLogsEventsStatusAndMetrics(
      boolean frameworkDebugToo, String... canaries) {
    // The operator keeps logging while the lines are checked: read them under the appender's lock.
    List<ILoggingEvent> lines;
    synchronized (logs) {
      lines = new ArrayList<>(logs.list);
    }
    assertThat(lines).as("captured log lines").isNotEmpty();
    for (ILoggingEvent e : lines) {
      if (e.getLoggerName().startsWith("io.fabric8.kubernetes.client.server.mock")
          || e.getLoggerName().startsWith("io.fabric8.mockwebserver")) {
        continue; // the in-process API server's own logs, not the operator's
      }
      if (!frameworkDebugToo
          && e.getLevel().toInt() < Level.INFO.toInt()
          && !e.getLoggerName().startsWith("dev.managedsecrets")) {
        continue;
      }
      String line =
          e.getLoggerName()
              + ": "
              + e.getFormattedMessage()
              + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage());
      assertThat(line).doesNotContain(canaries);
    }
    for (var event : cluster.client.v1().events().inAnyNamespace().list().getItems()) {
      assertThat(Serialization.asJson(event)).doesNotContain(canaries);
    }
    for (ManagedSecret ms :
        cluster.client.resources(ManagedSecret.class).inAnyNamespace().list().getItems()) {
      assertThat(Serialization.asJson(ms.getStatus())).doesNotContain(canaries);
    }
    cluster
        .registry
        .getMeters()
        .forEach(m -> assertThat(m.getId().toString()).doesNotContain(canaries));
  }

  @Test
  void aKeyNameOfAValueNeverAppearsInLogsEventsStatusOrMetrics() {
    String key = "canary-key-5e1d";
    // A template that names a key the value lacks: the refusal does not list the value's keys.
    create(
        cluster.client,
        managedSecret(
            "team-b",
            "keyed-template",
            s -> {
              s.data = Map.of(key, "v", "user", "u");
              s.target = new TargetSpec();
              s.target.template = Map.of("dsn", "{{user}} {{absent}}");
            }));
    awaitReady(cluster.client, "team-b", "keyed-template", "False", "InvalidParameterException");
    // A type whose key the value lacks: the refusal counts the value's keys.
    create(
        cluster.client,
        managedSecret(
            "team-b",
            "keyed-tls",
            s -> {
              s.data = Map.of(key, "v", "tls.crt", "c");
              s.target = new TargetSpec();
              s.target.type = "kubernetes.io/tls";
            }));
    awaitReady(cluster.client, "team-b", "keyed-tls", "False", "InvalidParameterException");
    // A source whose key is not text: the refusal counts, it does not name the key.
    cluster
        .client
        .secrets()
        .inNamespace("team-b")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("keyed-source")
                .endMetadata()
                .addToData(key, Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, 0}))
                .addToData("text", Fixtures.b64("t"))
                .build())
        .create();
    create(
        cluster.client,
        managedSecret(
            "team-b",
            "keyed-from",
            s -> {
              s.fromSecret = new dev.managedsecrets.api.v1alpha1.SecretSource();
              s.fromSecret.name = "keyed-source";
            }));
    awaitReady(cluster.client, "team-b", "keyed-from", "False", "InvalidParameterException");

    assertAbsentFromLogsEventsStatusAndMetrics(key);
  }

  @Test
  void aSealedCanaryValueAndItsKeyNameNeverAppearInLogsEventsStatusOrMetrics() {
    String value = "SEALED-CANARY-41d2-never-log-me";
    String key = "sealed-canary-key-9b0e";
    String sealed = Sealing.sealData(cluster.client, "team-a", "sealed-canary", key, value);
    createSealed("sealed-canary", key, sealed);
    awaitSynced(cluster.client, "team-a", "sealed-canary");
    // Refusals: a value sealed for another ManagedSecret, and one altered.
    createSealed("sealed-canary-copied", key, sealed);
    awaitReady(
        cluster.client, "team-a", "sealed-canary-copied", "False", "InvalidParameterException");
    char[] chars =
        Sealing.sealData(cluster.client, "team-a", "sealed-canary-altered", key, value)
            .toCharArray();
    chars[chars.length - 10] = chars[chars.length - 10] == 'A' ? 'B' : 'A';
    createSealed("sealed-canary-altered", key, new String(chars));
    awaitReady(
        cluster.client, "team-a", "sealed-canary-altered", "False", "InvalidParameterException");

    assertAbsentFromLogsEventsStatusAndMetrics(value, key);
    assertAbsentFromLogsEventsStatusAndMetrics(true, value);
  }

  private static void createSealed(String name, String key, String sealed) {
    create(cluster.client, managedSecret("team-a", name, s -> s.sealedData = Map.of(key, sealed)));
  }

  /** Where the store keeps a version's envelope: an object of its own, or its record's object. */
  private record StoredEnvelope(Secret holder, String key) {
    byte[] bytes() {
      return Base64.getDecoder().decode(holder.getData().get(key));
    }
  }

  private StoredEnvelope onlyVersionOf(String namespace, String name) {
    String versionId = Fixtures.get(cluster.client, namespace, name).getStatus().versionId;
    String suffix = "." + sha256Hex(versionId).substring(0, 16);
    for (Secret s :
        cluster
            .client
            .secrets()
            .inNamespace(TestCluster.OPERATOR_NAMESPACE)
            .withLabel("managedsecrets.dev/store")
            .list()
            .getItems()) {
      if (versionId.equals(s.getMetadata().getAnnotations().get("managedsecrets.dev/version-id"))) {
        return new StoredEnvelope(s, "envelope");
      }
      for (String key : s.getData().keySet()) {
        if (key.startsWith("envelope.") && key.endsWith(suffix)) {
          return new StoredEnvelope(s, key);
        }
      }
    }
    throw new AssertionError("no envelope of version " + versionId + " in the store");
  }

  private static String sha256Hex(String s) {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes {@code envelope} where the store keeps {@code version}'s, as a writer of the store can.
   */
  private void replaceEnvelope(StoredEnvelope version, byte[] envelope) {
    var objects = cluster.client.secrets().inNamespace(TestCluster.OPERATOR_NAMESPACE);
    String encoded = Base64.getEncoder().encodeToString(envelope);
    if (!"envelope".equals(version.key())) {
      objects
          .withName(version.holder().getMetadata().getName())
          .edit(r -> new SecretBuilder(r).addToData(version.key(), encoded).build());
      return;
    }
    // An envelope's own object is immutable: deleted and made again.
    objects.withName(version.holder().getMetadata().getName()).delete();
    objects
        .resource(
            new SecretBuilder(version.holder())
                .editMetadata()
                .withResourceVersion(null)
                .endMetadata()
                .addToData("envelope", encoded)
                .build())
        .create();
  }
}
