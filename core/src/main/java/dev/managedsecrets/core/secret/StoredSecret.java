package dev.managedsecrets.core.secret;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The store's truth about one secret: identity, owner, dates and the metadata of its versions.
 *
 * @param id namespace and Secrets Manager name
 * @param arn the ARN, with its random suffix kept for the life of the stored secret
 * @param ownerName metadata.name of the ManagedSecret that holds the name
 * @param ownerUid metadata.uid of that ManagedSecret
 * @param namespaceUid the uid of the namespace incarnation that holds the record: the one that made
 *     it, or the one an administrator re-bound it to; null for a record made before incarnations
 *     were recorded, which the first incarnation of its namespace that claims it takes
 * @param createdDate when the stored secret was created
 * @param lastChangedDate when the last version was added
 * @param deletedDate when it was scheduled for deletion; null while it is live
 * @param purgeAfter when a scheduled deletion becomes final; null while it is live
 * @param versions the versions, oldest first
 * @param specGeneration the ManagedSecret (uid) and the generation of its spec whose reconcile last
 *     added a version, moved a label or re-encrypted versions: a writer acting on an older
 *     generation of the same ManagedSecret does not write over it (its view is behind); null for a
 *     record that no such write has touched since records carried it
 * @param revision the store's concurrency token for conditional writes (null before creation)
 * @param sequence how many times the record was written since it carried a MAC: one more at every
 *     write, authenticated by {@code mac}; 0 for a record written before records carried one
 * @param mac the record's MAC (see {@code dev.managedsecrets.core.crypto.RecordMac}), null for a
 *     record written before records carried one
 * @param kept the description and tags of the deleted ManagedSecret, kept while the secret is
 *     scheduled for deletion so that DescribeSecret shows them and RestoreSecret brings them back;
 *     null while the secret is live (its ManagedSecret holds them) and in records written before
 *     records kept them
 */
public record StoredSecret(
    SecretId id,
    String arn,
    String ownerName,
    String ownerUid,
    String namespaceUid,
    Instant createdDate,
    Instant lastChangedDate,
    Instant deletedDate,
    Instant purgeAfter,
    List<StoredVersion> versions,
    SpecGeneration specGeneration,
    String revision,
    long sequence,
    String mac,
    KeptMetadata kept) {

  public StoredSecret {
    versions = List.copyOf(versions);
  }

  /** A record that keeps no metadata (a live secret's). */
  public StoredSecret(
      SecretId id,
      String arn,
      String ownerName,
      String ownerUid,
      String namespaceUid,
      Instant createdDate,
      Instant lastChangedDate,
      Instant deletedDate,
      Instant purgeAfter,
      List<StoredVersion> versions,
      SpecGeneration specGeneration,
      String revision,
      long sequence,
      String mac) {
    this(
        id,
        arn,
        ownerName,
        ownerUid,
        namespaceUid,
        createdDate,
        lastChangedDate,
        deletedDate,
        purgeAfter,
        versions,
        specGeneration,
        revision,
        sequence,
        mac,
        null);
  }

  /** A record as written before records carried a MAC. */
  public StoredSecret(
      SecretId id,
      String arn,
      String ownerName,
      String ownerUid,
      String namespaceUid,
      Instant createdDate,
      Instant lastChangedDate,
      Instant deletedDate,
      Instant purgeAfter,
      List<StoredVersion> versions,
      String revision) {
    this(
        id,
        arn,
        ownerName,
        ownerUid,
        namespaceUid,
        createdDate,
        lastChangedDate,
        deletedDate,
        purgeAfter,
        versions,
        null,
        revision,
        0,
        null);
  }

  /** A record that no namespace incarnation holds yet (as records made before them). */
  public StoredSecret(
      SecretId id,
      String arn,
      String ownerName,
      String ownerUid,
      Instant createdDate,
      Instant lastChangedDate,
      Instant deletedDate,
      Instant purgeAfter,
      List<StoredVersion> versions,
      String revision) {
    this(
        id,
        arn,
        ownerName,
        ownerUid,
        null,
        createdDate,
        lastChangedDate,
        deletedDate,
        purgeAfter,
        versions,
        revision);
  }

  /**
   * The record of a new secret, held by the namespace incarnation {@code id.incarnation()} that
   * makes it (none for an id of no incarnation).
   */
  public static StoredSecret create(
      SecretId id, String arn, String ownerName, String ownerUid, Instant now) {
    return new StoredSecret(
        id,
        arn,
        ownerName,
        ownerUid,
        id.incarnation().isEmpty() ? null : id.incarnation(),
        now,
        null,
        null,
        null,
        List.of(),
        null);
  }

  /** True when the namespace incarnation {@code namespaceUid} holds this record. */
  public boolean heldBy(String namespaceUid) {
    return namespaceUid.equals(this.namespaceUid);
  }

  public boolean scheduledForDeletion() {
    return deletedDate != null;
  }

  public Optional<StoredVersion> versionWithStage(String stage) {
    return versions.stream().filter(v -> v.hasStage(stage)).findFirst();
  }

  public Optional<StoredVersion> current() {
    return versionWithStage(StagingLabels.AWSCURRENT);
  }

  public Optional<StoredVersion> version(String versionId) {
    return versions.stream().filter(v -> v.versionId().equals(versionId)).findFirst();
  }

  /** Labelled versions and their labels, as status.versionIdsToStages shows them. */
  public Map<String, List<String>> versionIdsToStages() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (StoredVersion v : versions) {
      if (!v.stages().isEmpty()) {
        out.put(v.versionId(), v.stages());
      }
    }
    return out;
  }

  public StoredSecret withOwner(String name, String uid) {
    return new StoredSecret(
        id,
        arn,
        name,
        uid,
        namespaceUid,
        createdDate,
        lastChangedDate,
        deletedDate,
        purgeAfter,
        versions,
        specGeneration,
        revision,
        sequence,
        mac,
        kept);
  }

  /**
   * The same record held by the namespace incarnation {@code uid}: one that took a record made
   * before incarnations were recorded, or that an administrator re-bound it to. Its id (where it is
   * stored) does not change.
   */
  public StoredSecret withNamespaceUid(String uid) {
    return new StoredSecret(
        id,
        arn,
        ownerName,
        ownerUid,
        uid,
        createdDate,
        lastChangedDate,
        deletedDate,
        purgeAfter,
        versions,
        specGeneration,
        revision,
        sequence,
        mac,
        kept);
  }

  /**
   * The same record under another ARN: a replica's, whose ARN is its primary's in this region. Its
   * versions' envelopes are bound to the ARN (their encryption context), so it changes only while
   * it lists none.
   */
  public StoredSecret withArn(String newArn) {
    if (!versions.isEmpty() && !newArn.equals(arn)) {
      throw new IllegalStateException("the ARN of a record changes only while it lists no version");
    }
    return new StoredSecret(
        id,
        newArn,
        ownerName,
        ownerUid,
        namespaceUid,
        createdDate,
        lastChangedDate,
        deletedDate,
        purgeAfter,
        versions,
        specGeneration,
        revision,
        sequence,
        mac,
        kept);
  }

  public StoredSecret withVersions(List<StoredVersion> newVersions, Instant changed) {
    return new StoredSecret(
        id,
        arn,
        ownerName,
        ownerUid,
        namespaceUid,
        createdDate,
        changed,
        deletedDate,
        purgeAfter,
        newVersions,
        specGeneration,
        revision,
        sequence,
        mac,
        kept);
  }

  /** The same record, the versions named in {@code sizes} with those envelope sizes in bytes. */
  public StoredSecret withEnvelopeSizes(Map<String, Integer> sizes) {
    return withVersions(
        versions.stream()
            .map(
                v ->
                    sizes.containsKey(v.versionId())
                        ? v.withEnvelopeSize(sizes.get(v.versionId()))
                        : v)
            .toList(),
        lastChangedDate);
  }

  /** The bytes of the envelopes of its versions, as recorded. */
  public long envelopeBytes() {
    return versions.stream().mapToLong(StoredVersion::envelopeSize).sum();
  }

  public StoredSecret scheduledForDeletion(Instant deleted, Instant purge) {
    return new StoredSecret(
        id,
        arn,
        ownerName,
        ownerUid,
        namespaceUid,
        createdDate,
        lastChangedDate,
        deleted,
        purge,
        versions,
        specGeneration,
        revision,
        sequence,
        mac,
        kept);
  }

  /**
   * Scheduled for deletion at {@code deleted}, final at {@code purge}, keeping {@code metadata}
   * (the deleted ManagedSecret's description and tags; null keeps what the record keeps).
   */
  public StoredSecret scheduledForDeletion(Instant deleted, Instant purge, KeptMetadata metadata) {
    return scheduledForDeletion(deleted, purge).keeping(metadata == null ? kept : metadata);
  }

  /** Live again: no deletion date, and no metadata kept (the restored ManagedSecret holds it). */
  public StoredSecret restored() {
    return scheduledForDeletion(null, null).keeping(null);
  }

  /** The same record keeping {@code metadata}. */
  public StoredSecret keeping(KeptMetadata metadata) {
    return new StoredSecret(
        id,
        arn,
        ownerName,
        ownerUid,
        namespaceUid,
        createdDate,
        lastChangedDate,
        deletedDate,
        purgeAfter,
        versions,
        specGeneration,
        revision,
        sequence,
        mac,
        metadata);
  }

  public StoredSecret withRevision(String newRevision) {
    return new StoredSecret(
        id,
        arn,
        ownerName,
        ownerUid,
        namespaceUid,
        createdDate,
        lastChangedDate,
        deletedDate,
        purgeAfter,
        versions,
        specGeneration,
        newRevision,
        sequence,
        mac,
        kept);
  }

  /**
   * The same record, as written by a reconcile of {@code spec}; as it is when {@code spec} is null
   * (a write whose spec generation is not known).
   */
  public StoredSecret writtenBy(SpecGeneration spec) {
    if (spec == null) {
      return this;
    }
    return new StoredSecret(
        id,
        arn,
        ownerName,
        ownerUid,
        namespaceUid,
        createdDate,
        lastChangedDate,
        deletedDate,
        purgeAfter,
        versions,
        spec,
        revision,
        sequence,
        mac,
        kept);
  }

  /**
   * True when a later generation of the ManagedSecret of {@code spec} wrote this record than {@code
   * spec}: a writer acting on {@code spec} has a view that is behind.
   */
  public boolean writtenAfter(SpecGeneration spec) {
    return specGeneration != null && specGeneration.newerThan(spec);
  }

  /** True when the record carries a MAC (every record written since records carried one). */
  public boolean authenticated() {
    return mac != null;
  }

  /** The same record at {@code newSequence}, authenticated by {@code newMac}. */
  public StoredSecret withSeal(long newSequence, String newMac) {
    return new StoredSecret(
        id,
        arn,
        ownerName,
        ownerUid,
        namespaceUid,
        createdDate,
        lastChangedDate,
        deletedDate,
        purgeAfter,
        versions,
        specGeneration,
        revision,
        newSequence,
        newMac,
        kept);
  }
}
