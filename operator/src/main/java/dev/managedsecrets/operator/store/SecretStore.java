package dev.managedsecrets.operator.store;

import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The backing store: the truth about secrets and their versions. Versions are written before
 * anything points at them; the record (labels, owner, dates) changes only by conditional writes, so
 * two writers never both succeed from the same revision.
 *
 * <p>Every implementation passes the contract test suite {@code SecretStoreContract}. Calls fail
 * with {@link StoreUnavailableException} when the store cannot be reached, and with {@link
 * StoreConflictException} when another writer got there first; messages carry ids and counts, never
 * a secret byte.
 */
public interface SecretStore extends AutoCloseable {

  /**
   * What the secrets of one namespace keep in the store: the versions their records list (those of
   * secrets in their recovery window too) and the bytes of those versions' envelopes.
   */
  record Usage(long versions, long bytes) {}

  /** The record stored under {@code id}: its namespace, name and the incarnation that made it. */
  Optional<StoredSecret> find(SecretId id);

  /**
   * Every record stored under the namespace and name of {@code id}, whatever namespace incarnation
   * made or holds it (see {@link dev.managedsecrets.core.secret.Incarnations}): one read.
   */
  List<StoredSecret> findByName(SecretId id);

  /**
   * The records of the name as {@link #findByName} gives them, for reads of values that may be
   * served from what the store's watch has seen (never older than this replica's own writes;
   * another replica's write counts once its watch event arrived). Writers and the reconciler use
   * {@link #findByName}. A store without such a cache reads as {@link #findByName}.
   */
  default List<StoredSecret> findByNameToRead(SecretId id) {
    return findByName(id);
  }

  /**
   * Creates the record of a new secret, beside the records of the name that other namespace
   * incarnations hold.
   *
   * @throws StoreConflictException when a record with this id already exists, or a record of the
   *     name that the new record's incarnation could claim: one it holds, or one that no
   *     incarnation holds yet
   */
  StoredSecret create(StoredSecret secret);

  /**
   * Replaces the record stored under {@code secret.id()} (which may now name another holding
   * incarnation), only if it is still at {@code secret.revision()}. A record's revision may also
   * move when another record of the same name is written (the Kubernetes store keeps a name's
   * records in one object): the writer reads again, as after any conflict.
   *
   * @throws StoreConflictException when another writer changed it first
   */
  StoredSecret update(StoredSecret secret);

  /** Writes one version's envelope. Durable when this returns. */
  void writeVersion(SecretId id, String versionId, byte[] envelope);

  /**
   * Reads one version's envelope.
   *
   * @throws dev.managedsecrets.core.secret.SecretsManagerException ResourceNotFoundException when
   *     it is not there
   */
  byte[] readVersion(SecretId id, String versionId);

  /**
   * Reads the envelope a version of a record points at (after a re-encryption, the newest one).
   * Stores that keep one envelope per version id read it by id alone.
   */
  default byte[] readVersion(SecretId id, StoredVersion version) {
    return readVersion(id, version.versionId());
  }

  /**
   * Re-encryption: replaces the envelopes of versions that the record lists by envelopes of the
   * same values under another KMS key, and the record with {@code next} (which lists those versions
   * with their new key ARN), only if the record is still at {@code next.revision()}. Every new
   * envelope is durable before the record points at it; until then readers get the old envelope,
   * which still opens. On failure the record is as it was. A store that keeps each envelope in its
   * own object sets the versions' {@link StoredVersion#envelopeRevision}. The record lists the new
   * envelopes' sizes.
   *
   * @param envelopes the new envelope of each re-encrypted version, by version id
   * @throws StoreConflictException when another writer changed the record first
   */
  StoredSecret replaceEnvelopes(StoredSecret next, Map<String, byte[]> envelopes);

  /**
   * Adds a version: stores its envelope and replaces the record with {@code next}, which lists the
   * version, only if the record is still at {@code next.revision()}. The version and the labels
   * that move to it become visible together or not at all: on success both are durable; on failure
   * the record is as it was and nothing points at the version.
   *
   * <p>The record lists the version with its envelope's size ({@link StoredVersion#envelopeSize}).
   * This default writes the envelope first and then updates the record, so a refused update can
   * leave an envelope that nothing points at (removed by {@link #purge}), never a record that
   * points at a missing envelope. Stores with transactions do both in one.
   *
   * @throws StoreConflictException when another writer changed the record first
   */
  default StoredSecret addVersion(StoredSecret next, String versionId, byte[] envelope) {
    if (next.version(versionId).isEmpty()) {
      throw new IllegalArgumentException(
          "the record of " + next.id() + " does not list version " + versionId);
    }
    writeVersion(next.id(), versionId, envelope);
    return update(next.withEnvelopeSizes(Map.of(versionId, envelope.length)));
  }

  /**
   * Creates the record of a new secret with its first version, which {@code next} lists: the
   * version's envelope and the record become durable together, as {@link #addVersion} does for a
   * record that exists. Refused as {@link #create} is. This default writes the envelope and then
   * creates the record (a refused create leaves an envelope that nothing points at, removed by
   * {@link #purge}).
   */
  default StoredSecret createWithVersion(StoredSecret next, String versionId, byte[] envelope) {
    if (next.version(versionId).isEmpty()) {
      throw new IllegalArgumentException(
          "the record of " + next.id() + " does not list version " + versionId);
    }
    writeVersion(next.id(), versionId, envelope);
    return create(next.withEnvelopeSizes(Map.of(versionId, envelope.length)));
  }

  /**
   * Removes the ciphertext of the versions retention dropped, as the record listed them before: a
   * store that keeps envelopes in more than one place removes each where it is. By default, {@link
   * #deleteVersions} of their ids.
   */
  default void deleteRemoved(SecretId id, List<StoredVersion> removed) {
    deleteVersions(id, removed.stream().map(StoredVersion::versionId).toList());
  }

  /**
   * Removes the ciphertext of versions that retention dropped. A version that the record still
   * lists is kept: the record never points at a version whose ciphertext is gone.
   */
  void deleteVersions(SecretId id, List<String> versionIds);

  /**
   * Removes the secret and every version it has, if its record is still as {@code read} (its
   * revision): a record changed since it was read (restored, say) is kept whole, and the purge
   * fails with {@link StoreConflictException}. The record goes first, so a version is never gone
   * while a record still lists it.
   */
  void purge(StoredSecret read);

  /** Every stored secret, of every incarnation, for the purge job. */
  List<StoredSecret> list();

  /**
   * What the secrets of one namespace keep, counted from their records (never from envelopes), for
   * the namespace's quota.
   */
  Usage usage(String namespace);

  /** Releases the store's connections, if it has any. */
  @Override
  default void close() {}
}
