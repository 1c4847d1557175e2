package dev.managedsecrets.operator.store;

import dev.managedsecrets.core.crypto.RecordMac;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store whose records are authenticated: every record written gets the next sequence number and a
 * MAC ({@link RecordMac}, keyed from the keyring, which the store never holds); every record read
 * must carry its own MAC. A record altered in the store, or copied to another record's place, is
 * refused with DecryptionFailure naming the secret, and nothing is served from it. A record written
 * before records carried a MAC is passed on as it is ({@link StoredSecret#authenticated()} false):
 * whoever reads it decides whether to accept it, and its next write gives it a MAC.
 *
 * <p>Whether an authentic record is the newest the operator wrote is not the store's to tell: the
 * anchor lives outside the store (see {@code SecretsManagerService#claim}).
 */
public final class AuthenticatedSecretStore implements SecretStore {

  private static final Logger LOG = LoggerFactory.getLogger(AuthenticatedSecretStore.class);

  private final SecretStore delegate;
  private final RecordMac mac;

  public AuthenticatedSecretStore(SecretStore delegate, RecordMac mac) {
    this.delegate = delegate;
    this.mac = mac;
  }

  @Override
  public Optional<StoredSecret> find(SecretId id) {
    return delegate.find(id).map(r -> verified(r, id));
  }

  /** Every record of the name; one that fails its MAC fails the read, as one unreadable does. */
  @Override
  public List<StoredSecret> findByName(SecretId id) {
    return delegate.findByName(id).stream().map(r -> verified(r, id)).toList();
  }

  @Override
  public List<StoredSecret> findByNameToRead(SecretId id) {
    return delegate.findByNameToRead(id).stream().map(r -> verified(r, id)).toList();
  }

  /**
   * Every record whose MAC holds (or that has none yet). One that fails is left out, with a
   * warning: the purge job never purges a record on the strength of dates it can't trust, and every
   * other record is still purged on time.
   */
  @Override
  public List<StoredSecret> list() {
    List<StoredSecret> out = new ArrayList<>();
    for (StoredSecret r : delegate.list()) {
      try {
        out.add(verified(r, r.id()));
      } catch (SecretsManagerException e) {
        LOG.warn("Left out the stored record of secret {}: {}", r.id(), e.getMessage());
      }
    }
    return out;
  }

  @Override
  public StoredSecret create(StoredSecret secret) {
    return delegate.create(next(secret));
  }

  @Override
  public StoredSecret update(StoredSecret secret) {
    return delegate.update(next(secret));
  }

  @Override
  public StoredSecret addVersion(StoredSecret next, String versionId, byte[] envelope) {
    return delegate.addVersion(next(next), versionId, envelope);
  }

  @Override
  public StoredSecret replaceEnvelopes(StoredSecret next, Map<String, byte[]> envelopes) {
    return delegate.replaceEnvelopes(next(next), envelopes);
  }

  @Override
  public void writeVersion(SecretId id, String versionId, byte[] envelope) {
    delegate.writeVersion(id, versionId, envelope);
  }

  @Override
  public byte[] readVersion(SecretId id, String versionId) {
    return delegate.readVersion(id, versionId);
  }

  @Override
  public byte[] readVersion(SecretId id, StoredVersion version) {
    return delegate.readVersion(id, version);
  }

  @Override
  public void deleteVersions(SecretId id, List<String> versionIds) {
    delegate.deleteVersions(id, versionIds);
  }

  @Override
  public StoredSecret createWithVersion(StoredSecret next, String versionId, byte[] envelope) {
    return delegate.createWithVersion(next(next), versionId, envelope);
  }

  @Override
  public void deleteRemoved(SecretId id, List<StoredVersion> removed) {
    delegate.deleteRemoved(id, removed);
  }

  @Override
  public void purge(StoredSecret read) {
    delegate.purge(read);
  }

  @Override
  public Usage usage(String namespace) {
    return delegate.usage(namespace);
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** The record as written next: one sequence number on from the record it was made from. */
  private StoredSecret next(StoredSecret record) {
    return mac.seal(record, record.sequence() + 1);
  }

  /**
   * The record read for {@code asked}, if its MAC holds and it is stored where it says it is (the
   * MAC covers the id the record carries; a store may take that id from the record's own bytes).
   */
  private StoredSecret verified(StoredSecret record, SecretId asked) {
    if (!record.id().sameName(asked)) {
      throw RecordCodec.unreadable(asked, "it names another secret: it was copied from elsewhere");
    }
    if (record.authenticated() && !mac.verifies(record)) {
      throw RecordCodec.unreadable(
          record.id(),
          "its integrity check failed: it was altered in the store, or copied from another"
              + " record");
    }
    return record;
  }
}
