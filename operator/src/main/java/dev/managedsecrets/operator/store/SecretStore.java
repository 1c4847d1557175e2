package dev.managedsecrets.operator.store;

import dev.managedsecrets.operator.secret.SecretId;
import dev.managedsecrets.operator.secret.StoredSecret;
import java.util.List;
import java.util.Optional;

/**
 * The backing store: the truth about secrets and their versions. Versions are written before
 * anything points at them; the record (labels, owner, dates) changes only by conditional writes, so
 * two writers never both succeed from the same revision.
 */
public interface SecretStore {

  Optional<StoredSecret> find(SecretId id);

  /**
   * Creates the record of a new secret.
   *
   * @throws StoreConflictException when a record with this id already exists
   */
  StoredSecret create(StoredSecret secret);

  /**
   * Replaces the record, only if it is still at {@code secret.revision()}.
   *
   * @throws StoreConflictException when another writer changed it first
   */
  StoredSecret update(StoredSecret secret);

  /** Writes one version's envelope. Durable when this returns. */
  void writeVersion(SecretId id, String versionId, byte[] envelope);

  /**
   * Reads one version's envelope.
   *
   * @throws dev.managedsecrets.operator.secret.SecretsManagerException ResourceNotFoundException
   *     when it is not there
   */
  byte[] readVersion(SecretId id, String versionId);

  /** Removes the ciphertext of versions that retention dropped. */
  void deleteVersions(SecretId id, List<String> versionIds);

  /** Removes the secret and every version it has. */
  void purge(SecretId id);

  /** Every stored secret, for the purge job. */
  List<StoredSecret> list();
}
