package dev.managedsecrets.operator.manager;

import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.crypto.RecordMac;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.Incarnations;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.operator.store.SecretStore;
import dev.managedsecrets.operator.store.StoreConflictException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A store in a map, with the same conditional-write rules, for unit tests of the service. */
public final class InMemorySecretStore implements SecretStore {

  /** The MAC of the tests' records, under the tests' all-zero hash key. */
  public static final RecordMac RECORDS = new RecordMac(new KeyedHash(new byte[32]));

  public final Map<SecretId, StoredSecret> records = new HashMap<>();
  final Map<String, byte[]> versions = new HashMap<>();
  int usageCounts;
  private int revision;

  @Override
  public synchronized Optional<StoredSecret> find(SecretId id) {
    return Optional.ofNullable(records.get(id));
  }

  @Override
  public synchronized List<StoredSecret> findByName(SecretId id) {
    return records.values().stream().filter(r -> r.id().sameName(id)).toList();
  }

  @Override
  public synchronized StoredSecret create(StoredSecret secret) {
    String holder = String.valueOf(secret.namespaceUid());
    if (records.containsKey(secret.id())
        || findByName(secret.id()).stream().anyMatch(r -> !Incarnations.heldByAnother(r, holder))) {
      throw new StoreConflictException("exists");
    }
    StoredSecret written = secret.withRevision(String.valueOf(++revision));
    records.put(secret.id(), written);
    return written;
  }

  @Override
  public synchronized StoredSecret update(StoredSecret secret) {
    StoredSecret current = records.get(secret.id());
    if (current == null || !current.revision().equals(secret.revision())) {
      throw new StoreConflictException("stale");
    }
    StoredSecret written = secret.withRevision(String.valueOf(++revision));
    records.put(secret.id(), written);
    return written;
  }

  @Override
  public synchronized void writeVersion(SecretId id, String versionId, byte[] envelope) {
    versions.put(key(id) + "/" + versionId, envelope.clone());
  }

  @Override
  public synchronized byte[] readVersion(SecretId id, String versionId) {
    byte[] b = versions.get(key(id) + "/" + versionId);
    if (b == null) {
      throw new SecretsManagerException(
          AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
          "Secrets Manager can't find the specified secret value for VersionId: " + versionId);
    }
    return b.clone();
  }

  @Override
  public synchronized StoredSecret replaceEnvelopes(
      StoredSecret next, Map<String, byte[]> envelopes) {
    Map<String, Integer> sizes = new HashMap<>();
    envelopes.forEach((v, envelope) -> sizes.put(v, envelope.length));
    StoredSecret written = update(next.withEnvelopeSizes(sizes));
    envelopes.forEach((v, envelope) -> versions.put(key(next.id()) + "/" + v, envelope.clone()));
    return written;
  }

  @Override
  public synchronized void deleteVersions(SecretId id, List<String> versionIds) {
    versionIds.forEach(v -> versions.remove(key(id) + "/" + v));
  }

  @Override
  public synchronized void purge(StoredSecret read) {
    SecretId id = read.id();
    StoredSecret current = records.get(id);
    if (current != null && !current.revision().equals(read.revision())) {
      throw new StoreConflictException("changed since it was read");
    }
    records.remove(id);
    versions.keySet().removeIf(k -> k.startsWith(key(id) + "/"));
  }

  /** How the versions of a record are keyed: its namespace, name and incarnation. */
  public static String key(SecretId id) {
    return id.incarnation().isEmpty() ? id.toString() : id + "@" + id.incarnation();
  }

  /** Runs after each {@link #list()}: what another writer does before the lister acts on it. */
  public Runnable afterList = () -> {};

  @Override
  public List<StoredSecret> list() {
    List<StoredSecret> listed;
    synchronized (this) {
      listed = new ArrayList<>(records.values());
    }
    afterList.run();
    return listed;
  }

  @Override
  public synchronized Usage usage(String namespace) {
    usageCounts++;
    List<StoredSecret> kept =
        records.values().stream().filter(r -> r.id().namespace().equals(namespace)).toList();
    return new Usage(
        kept.stream().mapToLong(r -> r.versions().size()).sum(),
        kept.stream().mapToLong(StoredSecret::envelopeBytes).sum());
  }
}
