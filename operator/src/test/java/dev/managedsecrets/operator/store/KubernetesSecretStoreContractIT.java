package dev.managedsecrets.operator.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.apiserver.EmbeddedApiServer;
import dev.managedsecrets.apiserver.RequestCounts;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SpecGeneration;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The store contract against the Kubernetes store on the embedded API server. */
class KubernetesSecretStoreContractIT extends SecretStoreContract {

  private static final String NAMESPACE = "managedsecret-system";

  private EmbeddedApiServer api;
  private KubernetesClient client;

  @Override
  protected SecretStore openStore() {
    api = EmbeddedApiServer.start(0);
    client = api.client();
    assertThat(EmbeddedApiServer.NAMESPACES).contains(NAMESPACE); // made by the server
    return new KubernetesSecretStore(client, NAMESPACE);
  }

  @Test
  void reEncryptionNeverReplacesAnObjectAndLeavesNoEnvelopeBehind() {
    SecretId id = newId("rekeyed-objects");
    SecretStore store = store();
    StoredSecret s = store.create(newRecord(id));
    // Larger than an envelope kept inline: the version has an object of its own.
    s = store.addVersion(added(s, "v1", s.createdDate()), "v1", bytes(LARGE));
    String original = KubernetesSecretStore.versionName(id, "v1");
    // An object left by a failed attempt holds the name of the next revision.
    store.writeVersion(id, "left-over", bytes(1));
    Secret leftOver =
        client
            .secrets()
            .inNamespace(NAMESPACE)
            .resource(
                new SecretBuilder(object(KubernetesSecretStore.versionName(id, "left-over")))
                    .editMetadata()
                    .withName(KubernetesSecretStore.versionName(id, "v1", 1))
                    .addToLabels(
                        KubernetesSecretStore.LABEL_VERSION_OF,
                        KubernetesSecretStore.versionHash("v1"))
                    .withResourceVersion(null)
                    .withUid(null)
                    .endMetadata()
                    .build())
            .create();

    StoredSecret rekeyed =
        store.replaceEnvelopes(
            s.withVersions(
                s.versions().stream()
                    .map(v -> v.withKmsKeyArn("arn:k8s:kms:local:123456789012:key/1111"))
                    .toList(),
                s.lastChangedDate()),
            Map.of("v1", bytes(LARGE)));

    assertThat(rekeyed.version("v1").orElseThrow().envelopeRevision()).isEqualTo(2);
    assertThat(object(original)).as("the old envelope's object is removed").isNull();
    assertThat(object(KubernetesSecretStore.versionName(id, "v1", 1)).getData())
        .as("the left-over object is not replaced")
        .isEqualTo(leftOver.getData());

    // Retention drops v1: every object of its envelopes goes.
    StoredSecret dropped = store.update(rekeyed.withVersions(List.of(), rekeyed.lastChangedDate()));
    store.deleteVersions(id, List.of("v1", "left-over"));
    assertThat(
            client
                .secrets()
                .inNamespace(NAMESPACE)
                .withLabel(KubernetesSecretStore.LABEL_STORE_ID, KubernetesSecretStore.storeId(id))
                .list()
                .getItems())
        .extracting(o -> o.getMetadata().getName())
        .containsExactly(KubernetesSecretStore.recordName(id));
    assertThat(store.find(id)).contains(dropped);
  }

  /** An envelope larger than {@link Inline#MAX_ENVELOPE}. */
  private static final int LARGE = Inline.MAX_ENVELOPE + 1;

  @Test
  void aNewSecretWithItsFirstVersionAndEachSmallVersionAfterIsOneWriteOfTheRecordObject() {
    SecretId id = newId("inline");
    SecretStore store = store();
    StoredSecret record = newRecord(id);
    byte[] first = bytes(300);
    byte[] second = bytes(300);

    RequestCounts.Mark mark = api.requests().mark();
    StoredSecret created =
        store.createWithVersion(added(record, "v1", record.createdDate()), "v1", first);
    assertThat(api.requests().writesSince(mark)).as("writes to create with v1").isEqualTo(1);
    mark = api.requests().mark();
    StoredSecret next = store.addVersion(added(created, "v2", created.createdDate()), "v2", second);
    assertThat(api.requests().writesSince(mark)).as("writes to add v2").isEqualTo(1);

    assertThat(next.version("v2").orElseThrow().envelopeRevision()).isEqualTo(Inline.FIRST);
    assertThat(next.version("v2").orElseThrow().envelopeSize()).isEqualTo(300);
    assertThat(store.readVersion(id, "v1")).isEqualTo(first);
    assertThat(store.readVersion(id, next.version("v2").orElseThrow())).isEqualTo(second);
    assertThat(storeObjects(id)).containsExactly(KubernetesSecretStore.recordName(id));
    assertThat(store.find(id)).contains(next);
  }

  @Test
  void recordsAreReadAgainFromTheWatchOnceItRunsAndNothingWrittenBeforeItStartsIsKept() {
    SecretId id = newId("read-again");
    KubernetesSecretStore store = (KubernetesSecretStore) store();
    StoredSecret record = newRecord(id);
    StoredSecret created =
        store.createWithVersion(added(record, "v1", record.createdDate()), "v1", bytes(300));

    // Written before the watch ran: not kept, so the first read goes to the API server.
    assertThat(store.findByNameToRead(id)).containsExactly(created);
    assertThat(store.readsFromServer()).isEqualTo(1);
    assertThat(store.findByNameToRead(id)).containsExactly(created);
    assertThat(store.readsFromWatch()).isEqualTo(1);

    // Written while it runs: kept at once, so the read after it sees the write.
    StoredSecret next =
        store.addVersion(added(created, "v2", created.createdDate()), "v2", bytes(300));
    assertThat(store.findByNameToRead(id)).containsExactly(next);
    assertThat(store.readsFromServer()).isEqualTo(1);
    assertThat(store.readsFromWatch()).isEqualTo(2);
  }

  @Test
  void whatTheReadCacheKeepsOfARecordObjectIsItsRecordsWithoutEnvelopesLabelsOrManagedFields() {
    SecretId id = newId("kept");
    SecretStore store = store();
    StoredSecret record = newRecord(id);
    store.createWithVersion(added(record, "v1", record.createdDate()), "v1", bytes(300));
    Secret live = object(KubernetesSecretStore.recordName(id));
    assertThat(live.getMetadata().getManagedFields()).isNotEmpty();
    assertThat(live.getData().keySet()).anyMatch(k -> k.startsWith(Inline.PREFIX));

    Secret kept = Inline.recordsOnly(live);

    assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(kept.getMetadata().getLabels()).isNullOrEmpty();
    assertThat(kept.getData().keySet()).noneMatch(k -> k.startsWith(Inline.PREFIX)).isNotEmpty();
    assertThat(kept.getMetadata().getName()).isEqualTo(live.getMetadata().getName());
    assertThat(kept.getMetadata().getResourceVersion())
        .isEqualTo(live.getMetadata().getResourceVersion());
    assertThat(KubernetesSecretStore.decode(kept)).isEqualTo(KubernetesSecretStore.decode(live));
  }

  @Test
  void aVersionWrittenBeforeEnvelopesWereKeptInlineStaysInItsObjectBesideNewOnes() {
    SecretId id = newId("upgraded");
    SecretStore store = store();
    StoredSecret s = store.create(newRecord(id));
    // As an earlier release added a version: its own object, then the record.
    byte[] old = bytes(200);
    store.writeVersion(id, "v-old", old);
    s = store.update(added(s, "v-old", s.createdDate()).withEnvelopeSizes(Map.of("v-old", 200)));
    byte[] fresh = bytes(200);

    StoredSecret upgraded = store.addVersion(added(s, "v-new", s.createdDate()), "v-new", fresh);

    assertThat(upgraded.version("v-old").orElseThrow().envelopeRevision()).isZero();
    assertThat(store.readVersion(id, upgraded.version("v-old").orElseThrow())).isEqualTo(old);
    assertThat(store.readVersion(id, upgraded.version("v-new").orElseThrow())).isEqualTo(fresh);
    assertThat(storeObjects(id))
        .containsExactlyInAnyOrder(
            KubernetesSecretStore.recordName(id), KubernetesSecretStore.versionName(id, "v-old"));

    // Retention drops both, one after the other: each goes from where it was kept.
    StoredSecret withoutOld =
        store.update(
            upgraded.withVersions(
                List.of(upgraded.version("v-new").orElseThrow()), upgraded.lastChangedDate()));
    store.deleteRemoved(id, List.of(upgraded.version("v-old").orElseThrow()));
    assertThat(storeObjects(id)).containsExactly(KubernetesSecretStore.recordName(id));
    assertThat(store.readVersion(id, withoutOld.version("v-new").orElseThrow())).isEqualTo(fresh);
    StoredSecret empty =
        store.update(withoutOld.withVersions(List.of(), withoutOld.lastChangedDate()));
    store.deleteRemoved(id, List.of(withoutOld.version("v-new").orElseThrow()));
    assertThat(object(KubernetesSecretStore.recordName(id)).getData().keySet())
        .as("no envelope is left in the record object")
        .noneMatch(k -> k.startsWith(Inline.PREFIX));
    assertThat(store.find(id).orElseThrow().withRevision(null)).isEqualTo(empty.withRevision(null));
  }

  @Test
  void reEncryptingAVersionKeptInlineRewritesItInTheRecordsOneWrite() {
    SecretId id = newId("rekeyed-inline");
    SecretStore store = store();
    StoredSecret s = store.create(newRecord(id));
    s = store.addVersion(added(s, "v1", s.createdDate()), "v1", bytes(100));
    byte[] rewritten = bytes(120);

    RequestCounts.Mark mark = api.requests().mark();
    StoredSecret rekeyed =
        store.replaceEnvelopes(
            s.withVersions(
                s.versions().stream()
                    .map(v -> v.withKmsKeyArn("arn:k8s:kms:local:123456789012:key/1111"))
                    .toList(),
                s.lastChangedDate()),
            Map.of("v1", rewritten));

    assertThat(api.requests().writesSince(mark)).isEqualTo(1);
    StoredVersion v1 = rekeyed.version("v1").orElseThrow();
    assertThat(v1.envelopeRevision()).as("a new revision, kept inline").isEqualTo(-2);
    assertThat(v1.envelopeSize()).isEqualTo(120);
    assertThat(store.readVersion(id, v1)).isEqualTo(rewritten);
    assertThat(storeObjects(id)).containsExactly(KubernetesSecretStore.recordName(id));
  }

  @Test
  void versionsPastARecordsInlineBudgetGetObjectsOfTheirOwnAndPurgeRemovesBoth() {
    SecretId id = newId("budget");
    SecretStore store = store();
    StoredSecret s = store.create(newRecord(id));
    int size = Inline.MAX_ENVELOPE;
    int inline = Inline.MAX_PER_RECORD / size;
    for (int i = 0; i < inline + 2; i++) {
      s = store.addVersion(added(s, "v" + i, s.createdDate()), "v" + i, bytes(size));
    }

    long kept = s.versions().stream().filter(v -> Inline.is(v.envelopeRevision())).count();
    assertThat(kept).isEqualTo(inline);
    assertThat(storeObjects(id)).hasSize(1 + 2);
    assertThat(object(KubernetesSecretStore.recordName(id)).getData().keySet())
        .filteredOn(k -> k.startsWith(Inline.PREFIX))
        .hasSize(inline);
    for (StoredVersion v : s.versions()) {
      assertThat(store.readVersion(id, v)).hasSize(size);
    }

    store.purge(store.find(id).orElseThrow());
    assertThat(storeObjects(id)).isEmpty();
    assertThat(object(KubernetesSecretStore.recordName(id))).isNull();
  }

  /** A new record of {@code id}, not stored yet. */
  private static StoredSecret newRecord(SecretId id) {
    return StoredSecret.create(id, arn(id), "r", "uid", Instant.parse("2026-03-04T05:06:07Z"));
  }

  /** The names of the store's objects of {@code id}: its record object and version objects. */
  private List<String> storeObjects(SecretId id) {
    List<String> out = new java.util.ArrayList<>();
    Secret record = object(KubernetesSecretStore.recordName(id));
    if (record != null) {
      out.add(record.getMetadata().getName());
    }
    client
        .secrets()
        .inNamespace(NAMESPACE)
        .withLabel(KubernetesSecretStore.LABEL_STORE, "version")
        .withLabel(KubernetesSecretStore.LABEL_STORE_ID, KubernetesSecretStore.storeId(id))
        .list()
        .getItems()
        .forEach(o -> out.add(o.getMetadata().getName()));
    return out;
  }

  @Test
  void recordsOfAnEarlierReleaseAreLabelledWithTheirNamespaceOnceAndThenCounted() {
    SecretId id = newId("unlabelled");
    StoredSecret s =
        store()
            .create(
                StoredSecret.create(
                    id, arn(id), "u", "uid", Instant.parse("2026-03-04T05:06:07Z")));
    StoredSecret listed = store().addVersion(added(s, "v1", s.createdDate()), "v1", bytes(40));
    // As an earlier release wrote it: without the namespace label.
    client
        .secrets()
        .inNamespace(NAMESPACE)
        .withName(KubernetesSecretStore.recordName(id))
        .edit(
            o ->
                new SecretBuilder(o)
                    .editMetadata()
                    .removeFromLabels(KubernetesSecretStore.LABEL_NAMESPACE)
                    .endMetadata()
                    .build());
    assertThat(store().usage(id.namespace())).isEqualTo(new SecretStore.Usage(0, 0));

    assertThat(((KubernetesSecretStore) store()).labelRecordsByNamespace()).isEqualTo(1);

    assertThat(store().usage(id.namespace())).isEqualTo(new SecretStore.Usage(1, 40));
    assertThat(store().find(id).orElseThrow().withRevision(null))
        .isEqualTo(listed.withRevision(null));
    assertThat(((KubernetesSecretStore) store()).labelRecordsByNamespace()).isZero();
  }

  @Test
  void anUnreadableRecordLeavesTheCountOfItsNamespaceToTheOthers() {
    String namespace = newNamespace();
    Instant at = Instant.parse("2026-03-04T05:06:07Z");
    for (String name : List.of("readable", "corrupt")) {
      SecretId id = new SecretId(namespace, name);
      StoredSecret s = store().create(StoredSecret.create(id, arn(id), name, "uid", at));
      store().addVersion(added(s, "v1", at), "v1", bytes(40));
    }
    client
        .secrets()
        .inNamespace(NAMESPACE)
        .withName(KubernetesSecretStore.recordName(new SecretId(namespace, "corrupt")))
        .edit(o -> new SecretBuilder(o).addToData("record.json", "bm90IGpzb24=").build());

    assertThat(store().usage(namespace)).isEqualTo(new SecretStore.Usage(1, 40));
  }

  /**
   * The record object of one name holds the bytes of another name's record (with its MAC, which
   * holds for that record): the record says which secret it is, and it is not the one asked for.
   */
  @Test
  void aRecordCopiedIntoTheObjectOfAnotherNameIsRefused() {
    String namespace = newNamespace();
    Instant at = Instant.parse("2026-03-04T05:06:07Z");
    SecretId victim = new SecretId(namespace, "victim").in("uid-1");
    SecretId source = new SecretId(namespace, "source").in("uid-1");
    for (SecretId id : List.of(victim, source)) {
      StoredSecret s = authenticated().create(StoredSecret.create(id, arn(id), "o", "uid", at));
      authenticated().addVersion(added(s, "v1", at), "v1", bytes(10));
    }
    String key = KubernetesSecretStore.recordKey(victim);
    String copied = object(KubernetesSecretStore.recordName(source)).getData().get(key);
    client
        .secrets()
        .inNamespace(NAMESPACE)
        .withName(KubernetesSecretStore.recordName(victim))
        .edit(o -> new SecretBuilder(o).addToData(key, copied).build());

    assertThat(decryptionFailure(() -> authenticated().findByName(victim)))
        .startsWith("The stored record of secret victim can't be read: it names another secret");
  }

  /**
   * A record is written in format 4 only once it carries the spec generation that wrote it; until
   * then in the format it had, as the release before wrote it.
   */
  @Test
  void aRecordIsWrittenInFormatFourOnceItCarriesASpecGeneration() {
    SecretId id = newId("formats").in("uid-1");
    Instant at = Instant.parse("2026-03-04T05:06:07Z");
    StoredSecret r = authenticated().create(StoredSecret.create(id, arn(id), "f", "uid", at));
    assertThat(recordJson(id)).contains("\"format\":3").doesNotContain("spec");

    authenticated()
        .addVersion(added(r, "v1", at).writtenBy(new SpecGeneration("uid", 2)), "v1", bytes(10));

    assertThat(recordJson(id))
        .contains("\"format\":4", "\"specUid\":\"uid\"", "\"specGeneration\":2");
    assertThat(authenticated().find(id).orElseThrow().specGeneration())
        .isEqualTo(new SpecGeneration("uid", 2));
  }

  private String recordJson(SecretId id) {
    String data =
        object(KubernetesSecretStore.recordName(id))
            .getData()
            .get(KubernetesSecretStore.recordKey(id));
    return new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8);
  }

  private Secret object(String name) {
    return client.secrets().inNamespace(NAMESPACE).withName(name).get();
  }

  @Override
  protected void closeStore() {
    api.close(); // closes the client too
  }
}
