package dev.managedsecrets.operator.it;

import static dev.managedsecrets.operator.it.Fixtures.awaitSynced;
import static dev.managedsecrets.operator.it.Fixtures.edit;
import static dev.managedsecrets.operator.it.Fixtures.get;
import static dev.managedsecrets.operator.it.Fixtures.managedSecret;
import static dev.managedsecrets.operator.it.Fixtures.secret;
import static dev.managedsecrets.operator.it.Fixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.secret.SpecGeneration;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.operator.command.RebindCommand;
import dev.managedsecrets.operator.kms.KeyringSecret;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Disaster recovery: the store and the keyring backed up from one cluster, restored on a new one
 * where every namespace has a new uid, and the administrator's re-binding of the old namespace
 * incarnations to the new ones (the {@code rebind} command): every ManagedSecret comes back with
 * its ARN, its versions and its generated values, every KmsKey with its key.
 */
class DisasterRecoveryIT {

  /** A ManagedSecret and what it was on the old cluster. */
  record Before(ManagedSecret ms, Map<String, String> projected) {}

  @Test
  void aRestoredBackupComesBackWholeOnANewClusterAfterTheAdministratorReBindsItsNamespaces() {
    List<HasMetadata> manifests = manifests("app");
    Map<String, Before> before = new LinkedHashMap<>();
    Map<String, String> oldUids = new LinkedHashMap<>();
    String keyId;
    List<Secret> backup = new ArrayList<>();
    try (TestCluster old = TestCluster.start()) {
      manifests.forEach(m -> old.client.resource(m).create());
      await().atMost(Fixtures.WAIT).until(() -> keyStatus(old, "team-a", "orders") != null);
      for (HasMetadata m : manifests) {
        if (m instanceof ManagedSecret ms) {
          awaitSynced(old.client, ms.getMetadata().getNamespace(), ms.getMetadata().getName());
        }
      }
      // A second version of one of them: history to come back.
      edit(old.client, "team-a", "db", s -> s.data = Map.of("username", "app2"));
      await()
          .atMost(Fixtures.WAIT)
          .until(() -> get(old.client, "team-a", "db").getStatus().versionIdsToStages.size() == 2);
      for (HasMetadata m : manifests) {
        if (m instanceof ManagedSecret ms) {
          String ns = ms.getMetadata().getNamespace();
          String name = ms.getMetadata().getName();
          before.put(
              ns + "/" + name,
              new Before(awaitSynced(old.client, ns, name), text(secret(old.client, ns, name))));
        }
      }
      keyId = keyStatus(old, "team-a", "orders").keyId;
      for (String ns : TestCluster.TEAM_NAMESPACES) {
        oldUids.put(ns, new StoreView(old.client).namespaceUid(ns));
      }
      // The backup: the store's Secrets and the keyring, without the API server's own fields.
      backup.addAll(new StoreView(old.client).objects());
      backup.add(
          old.client
              .secrets()
              .inNamespace(TestCluster.OPERATOR_NAMESPACE)
              .withName(KeyringSecret.SECRET_NAME)
              .get());
    }

    try (TestCluster rebuilt = TestCluster.withoutOperator()) {
      for (String ns : TestCluster.TEAM_NAMESPACES) {
        assertThat(new StoreView(rebuilt.client).namespaceUid(ns)).isNotEqualTo(oldUids.get(ns));
      }
      backup.forEach(s -> rebuilt.client.resource(restorable(s)).create());
      // The manifests come from Git (with the edit), with the operator not started yet.
      manifests("app2").forEach(m -> rebuilt.client.resource(m).create());

      // The administrator re-binds each namespace's old incarnation to the namespace as it is now.
      for (String ns : TestCluster.TEAM_NAMESPACES) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit =
            RebindCommand.run(
                rebuilt.client,
                TestCluster.testConfig(),
                oldUids.get(ns),
                ns,
                false,
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
      }
      rebuilt.startOperator();

      for (Map.Entry<String, Before> e : before.entrySet()) {
        String ns = e.getKey().substring(0, e.getKey().indexOf('/'));
        String name = e.getKey().substring(ns.length() + 1);
        ManagedSecret now = awaitSynced(rebuilt.client, ns, name);
        ManagedSecret was = e.getValue().ms();
        assertThat(now.getStatus().arn).as(e.getKey()).isEqualTo(was.getStatus().arn);
        assertThat(now.getStatus().versionIdsToStages)
            .as(e.getKey())
            .isEqualTo(was.getStatus().versionIdsToStages);
        assertThat(now.getStatus().kmsKeyId).as(e.getKey()).isEqualTo(was.getStatus().kmsKeyId);
        assertThat(now.getStatus().createdDate)
            .as(e.getKey())
            .isEqualTo(was.getStatus().createdDate);
        assertThat(text(secret(rebuilt.client, ns, name)))
            .as("%s, its generated password too", e.getKey())
            .isEqualTo(e.getValue().projected());
      }
      assertThat(Fixtures.awaitKeyEnabled(rebuilt.client, "team-a", "orders").getStatus().keyId)
          .isEqualTo(keyId);
      assertThat(rebuilt.client.v1().events().inNamespace("team-a").list().getItems())
          .noneMatch(
              ev -> "SecretCreated".equals(ev.getReason()) || "KeyCreated".equals(ev.getReason()));
    }
  }

  /**
   * A store backup restored on purpose on the cluster it was taken from, after a ManagedSecret
   * moved on: its status remembers a newer record, so the operator refuses the restored one as
   * replayed, until the administrator accepts the restored store (`rebind --accept-restored`, with
   * the operator stopped). Then the ManagedSecret takes its restored record and goes on from it.
   */
  @Test
  void aStoreRestoredOverNewerRecordsIsTakenOnceTheAdministratorAcceptsIt() {
    try (TestCluster cluster = TestCluster.start()) {
      Fixtures.create(
          cluster.client, managedSecret("team-a", "restored", s -> s.secretString = "first"));
      String first = awaitSynced(cluster.client, "team-a", "restored").getStatus().versionId;
      List<Secret> backup = new StoreView(cluster.client).objects();
      edit(cluster.client, "team-a", "restored", s -> s.secretString = "second");
      long remembered =
          awaitSynced(cluster.client, "team-a", "restored").getStatus().recordSequence;

      // The administrator restores the backup over the store (what `kubectl apply` does).
      for (Secret s : backup) {
        var object =
            cluster
                .client
                .secrets()
                .inNamespace(TestCluster.OPERATOR_NAMESPACE)
                .withName(s.getMetadata().getName());
        if (object.get() == null) {
          cluster.client.resource(restorable(s)).create();
        } else if (!Boolean.TRUE.equals(s.getImmutable())) {
          object.edit(o -> new SecretBuilder(o).withData(s.getData()).build());
        }
      }
      cluster.client.secrets().inNamespace("team-a").withName("restored").delete();
      ManagedSecret refused =
          Fixtures.awaitReady(cluster.client, "team-a", "restored", "False", "DecryptionFailure");
      assertThat(Fixtures.ready(refused).getMessage()).contains("is older than the operator");

      cluster.stopOperator();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int exit =
          RebindCommand.acceptRestored(
              cluster.client,
              TestCluster.testConfig(),
              false,
              new PrintStream(out, true, StandardCharsets.UTF_8));
      assertThat(exit).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8))
          .contains(
              "Accepted the restored record of secret team-a/restored (",
              "its ManagedSecret last saw " + remembered,
              "1 restored records accepted.");
      cluster.startOperator();

      ManagedSecret now = awaitSynced(cluster.client, "team-a", "restored");
      assertThat(now.getStatus().versionIdsToStages).containsKey(first);
      assertThat(now.getStatus().recordSequence).isGreaterThan(remembered);
      assertThat(text(secret(cluster.client, "team-a", "restored")))
          .containsExactly(Map.entry("secretString", "second"));
    }
  }

  /**
   * A cluster restored from a backup older than its store (an etcd snapshot, the store kept): a
   * ManagedSecret keeps its uid but is back at a lower generation than the one that wrote its
   * record. The operator asks the API server, finds the ManagedSecret at the very generation it
   * acts on, and writes its spec as it is now, rather than wait for a generation that may never
   * come; no failure is reported. The record keeps the higher generation.
   */
  @Test
  void aManagedSecretBackAtALowerGenerationThanWroteItsRecordWritesItsSpecAsItIsNow() {
    try (TestCluster cluster = TestCluster.start()) {
      Fixtures.create(
          cluster.client, managedSecret("team-a", "rewound", s -> s.secretString = "first"));
      String uid = awaitSynced(cluster.client, "team-a", "rewound").getMetadata().getUid();
      StoreView view = new StoreView(cluster.client);
      // The store was written by generation 5 of it, before its cluster went back to generation 1.
      StoredSecret record = view.record("team-a", "team-a/rewound").orElseThrow();
      view.store().update(record.writtenBy(new SpecGeneration(uid, 5)));

      edit(cluster.client, "team-a", "rewound", s -> s.secretString = "second");

      ManagedSecret now = awaitSynced(cluster.client, "team-a", "rewound");
      assertThat(now.getMetadata().getGeneration()).isEqualTo(2);
      assertThat(text(secret(cluster.client, "team-a", "rewound")))
          .containsExactly(Map.entry("secretString", "second"));
      StoredSecret written = view.record("team-a", "team-a/rewound").orElseThrow();
      assertThat(written.versions()).hasSize(2);
      assertThat(written.specGeneration()).isEqualTo(new SpecGeneration(uid, 5));
      assertThat(cluster.client.v1().events().inNamespace("team-a").list().getItems())
          .noneMatch(
              e ->
                  "rewound".equals(e.getInvolvedObject().getName())
                      && "Warning".equals(e.getType()));
    }
  }

  /** What Git holds: the same objects for both clusters, team-a/db with this username. */
  static List<HasMetadata> manifests(String username) {
    KmsKey key = new KmsKey();
    key.setMetadata(new ObjectMetaBuilder().withNamespace("team-a").withName("orders").build());
    key.getSpec().aliases = List.of("alias/orders");
    return List.of(
        key,
        managedSecret(
            "team-a",
            "db",
            s -> {
              s.data = Map.of("username", username);
              s.generate = Map.of("password", new GenerateSpec());
              s.kmsKeyId = "alias/orders";
            }),
        managedSecret("team-a", "plain", s -> s.secretString = "v1"),
        managedSecret(
            "team-b",
            "api",
            s -> {
              s.secretName = "team-b/ApiKey";
              s.generate = Map.of("key", new GenerateSpec());
            }));
  }

  static dev.managedsecrets.api.v1alpha1.KmsKeyStatus keyStatus(
      TestCluster cluster, String namespace, String name) {
    KmsKey k = cluster.client.resources(KmsKey.class).inNamespace(namespace).withName(name).get();
    return k == null ? null : k.getStatus();
  }

  /** A backed-up Secret as a new cluster takes it: without the old API server's fields. */
  static Secret restorable(Secret s) {
    return new SecretBuilder(s)
        .editMetadata()
        .withResourceVersion(null)
        .withUid(null)
        .withCreationTimestamp(null)
        .withManagedFields(List.of())
        .endMetadata()
        .build();
  }
}
