package dev.managedsecrets.operator.metrics;

import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.operator.store.SecretStore;
import dev.managedsecrets.operator.store.StoreConflictException;
import dev.managedsecrets.operator.store.StoreUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A store that times every call of the store it wraps as managedsecret_store_duration_seconds,
 * tagged with the operation and its outcome (success, conflict, unavailable, an AWS exception name,
 * or error). It sees only ciphertext, and tags carry no ids.
 */
public final class TimedSecretStore implements SecretStore {

  private final SecretStore delegate;
  private final MeterRegistry registry;
  private final Map<List<String>, Timer> timers = new ConcurrentHashMap<>();

  public TimedSecretStore(SecretStore delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
  }

  @Override
  public Optional<StoredSecret> find(SecretId id) {
    return time("find", () -> delegate.find(id));
  }

  @Override
  public List<StoredSecret> findByName(SecretId id) {
    return time("find", () -> delegate.findByName(id));
  }

  @Override
  public List<StoredSecret> findByNameToRead(SecretId id) {
    return time("find", () -> delegate.findByNameToRead(id));
  }

  @Override
  public StoredSecret create(StoredSecret secret) {
    return time("create", () -> delegate.create(secret));
  }

  @Override
  public StoredSecret update(StoredSecret secret) {
    return time("update", () -> delegate.update(secret));
  }

  @Override
  public void writeVersion(SecretId id, String versionId, byte[] envelope) {
    time("writeVersion", () -> delegate.writeVersion(id, versionId, envelope));
  }

  @Override
  public byte[] readVersion(SecretId id, String versionId) {
    return time("readVersion", () -> delegate.readVersion(id, versionId));
  }

  @Override
  public byte[] readVersion(SecretId id, dev.managedsecrets.core.secret.StoredVersion version) {
    return time("readVersion", () -> delegate.readVersion(id, version));
  }

  @Override
  public StoredSecret replaceEnvelopes(StoredSecret next, java.util.Map<String, byte[]> envelopes) {
    return time("replaceEnvelopes", () -> delegate.replaceEnvelopes(next, envelopes));
  }

  @Override
  public StoredSecret addVersion(StoredSecret next, String versionId, byte[] envelope) {
    // The delegate's own addVersion: PostgreSQL writes the envelope and the record in one
    // transaction.
    return time("addVersion", () -> delegate.addVersion(next, versionId, envelope));
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public void deleteVersions(SecretId id, List<String> versionIds) {
    time("deleteVersions", () -> delegate.deleteVersions(id, versionIds));
  }

  @Override
  public StoredSecret createWithVersion(StoredSecret next, String versionId, byte[] envelope) {
    return time("addVersion", () -> delegate.createWithVersion(next, versionId, envelope));
  }

  @Override
  public void deleteRemoved(
      SecretId id, List<dev.managedsecrets.core.secret.StoredVersion> removed) {
    time("deleteVersions", () -> delegate.deleteRemoved(id, removed));
  }

  @Override
  public void purge(StoredSecret read) {
    time("purge", () -> delegate.purge(read));
  }

  @Override
  public List<StoredSecret> list() {
    return time("list", delegate::list);
  }

  @Override
  public Usage usage(String namespace) {
    return time("usage", () -> delegate.usage(namespace));
  }

  private void time(String operation, Runnable call) {
    time(
        operation,
        () -> {
          call.run();
          return null;
        });
  }

  private <T> T time(String operation, Supplier<T> call) {
    Timer.Sample sample = Timer.start(registry);
    String outcome = "error";
    try {
      T result = call.get();
      outcome = "success";
      return result;
    } catch (StoreConflictException e) {
      outcome = "conflict";
      throw e;
    } catch (StoreUnavailableException e) {
      outcome = "unavailable";
      throw e;
    } catch (SecretsManagerException e) {
      outcome = e.error().exceptionName();
      throw e;
    } finally {
      sample.stop(timer(operation, outcome));
    }
  }

  /** The timer of an operation and outcome, registered once (a registry lookup costs a call). */
  private Timer timer(String operation, String outcome) {
    return timers.computeIfAbsent(
        List.of(operation, outcome),
        k ->
            Timer.builder(OperatorMetrics.STORE_DURATION)
                .description("Time spent in calls of the backing store")
                .tag("operation", operation)
                .tag("outcome", outcome)
                .serviceLevelObjectives(OperatorMetrics.BUCKETS)
                .register(registry));
  }
}
