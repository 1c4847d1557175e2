package dev.managedsecrets.operator.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.secret.Arns;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.SpecGeneration;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.Versions;
import dev.managedsecrets.core.value.PasswordGenerator;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueAssembler;
import dev.managedsecrets.core.value.ValueInput;
import dev.managedsecrets.operator.MovingClock;
import dev.managedsecrets.operator.kms.TestKeyrings;
import dev.managedsecrets.operator.store.SecretStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * What the secrets of one namespace keep in the store together is bounded, in versions and in
 * bytes; a new version past the bound is refused with LimitExceededException naming the namespace's
 * use, and nothing of it is stored.
 */
class NamespaceQuotaTest {

  final InMemorySecretStore store = new InMemorySecretStore();
  final Kms kms = TestKeyrings.newLocalKms();
  final ValueAssembler values =
      new ValueAssembler(new KeyedHash(new byte[32]), new PasswordGenerator());
  static final Instant T0 = Instant.parse("2026-11-28T00:00:00Z");

  SecretsManagerService service(long versions, long bytes) {
    return service(versions, bytes, T0);
  }

  /** The service with this bound, at this time. */
  SecretsManagerService service(long versions, long bytes, Instant at) {
    Clock clock = Clock.fixed(at, ZoneOffset.UTC);
    return service(new NamespaceQuota(versions, bytes, clock), clock);
  }

  StoredSecret put(SecretsManagerService service, String namespace, String name, String value) {
    SecretId id = new SecretId(namespace, name);
    // The namespace's only incarnation; a claim finds the record again once it exists.
    StoredSecret s =
        service.claim(id, name, "uid-" + name, () -> "uid-" + namespace, false).secret();
    ValueInput input = new ValueInput.Whole(SecretValue.text(value));
    return service
        .putValue(
            s,
            input,
            values.inputHash(id, input),
            kms.resolve(null, namespace),
            null,
            new SpecGeneration("uid-" + name, 1))
        .secret();
  }

  /** The id of a record the namespace's only incarnation made. */
  static SecretId stored(String namespace, String name) {
    return new SecretId(namespace, name).in("uid-" + namespace);
  }

  SecretsManagerException refused(Runnable write) {
    SecretsManagerException e = catchThrowableOfType(SecretsManagerException.class, write::run);
    assertThat(e).as("the write must be refused").isNotNull();
    assertThat(e.error()).isEqualTo(AwsError.LIMIT_EXCEEDED_EXCEPTION);
    return e;
  }

  @Test
  void aVersionPastTheNamespacesVersionBoundIsRefusedNamingTheNamespacesUse() {
    SecretsManagerService service = service(3, Long.MAX_VALUE);
    put(service, "team-a", "one", "v1");
    put(service, "team-a", "one", "v2");
    put(service, "team-a", "two", "v1");

    SecretsManagerException e = refused(() -> put(service, "team-a", "three", "v1"));

    assertThat(e.getMessage())
        .isEqualTo(
            "You can't create a version of secret three: namespace team-a holds 3 versions of 3"
                + " allowed (quota.versionsPerNamespace). Delete secrets or versions of the"
                + " namespace (a secret in its recovery window counts until it is purged;"
                + " forceDeleteWithoutRecovery frees it at once), or ask the operator's"
                + " administrator to raise the quota.");
    assertThat(store.find(stored("team-a", "three")).orElseThrow().versions()).isEmpty();
    assertThat(store.versions.keySet()).noneMatch(k -> k.contains("three"));
    assertThat(store.usage("team-a").versions()).isEqualTo(3);
    // Another namespace has a bound of its own.
    put(service, "team-b", "one", "v1");
    assertThat(store.usage("team-b").versions()).isEqualTo(1);
  }

  @Test
  void aVersionPastTheNamespacesByteBoundIsRefusedNamingTheBytesHeldAndNeeded() {
    put(service(100, Long.MAX_VALUE), "team-a", "probe", "x".repeat(100));
    long size = store.usage("team-a").bytes();
    store.purge(store.find(stored("team-a", "probe")).orElseThrow());
    SecretsManagerService service = service(100, 2 * size + size / 2);
    put(service, "team-a", "one", "x".repeat(100));
    put(service, "team-a", "two", "y".repeat(100));

    SecretsManagerException e = refused(() -> put(service, "team-a", "three", "z".repeat(100)));

    assertThat(e.getMessage())
        .startsWith(
            "You can't create a version of secret three: namespace team-a holds "
                + 2 * size
                + " bytes of "
                + (2 * size + size / 2)
                + " allowed, and the new version needs "
                + size
                + " more (quota.bytesPerNamespace).")
        .doesNotContain("zzz");
    assertThat(store.usage("team-a")).isEqualTo(new SecretStore.Usage(2, 2 * size));
  }

  @Test
  void aVersionThatRetentionBalancesIsWrittenAtTheBound() {
    int kept = Versions.RETAINED_VERSIONS;
    Instant at = T0;
    for (int i = 0; i < kept; i++) {
      put(service(kept, Long.MAX_VALUE, at), "team-a", "busy", String.format("value-%04d", i));
      at = at.plus(Duration.ofHours(1));
    }
    assertThat(store.usage("team-a").versions()).isEqualTo(kept);
    SecretsManagerService service = service(kept, Long.MAX_VALUE, at);

    // The oldest version leaves as the new one comes: the namespace keeps as many as before.
    StoredSecret written = put(service, "team-a", "busy", "value-next");

    assertThat(written.current().orElseThrow().versionId()).isNotNull();
    assertThat(store.usage("team-a").versions()).isEqualTo(kept);
    refused(() -> put(service, "team-a", "another", "v1"));
  }

  @Test
  void aNamespacesCountIsReadOnceAMinuteNotOnceAVersion() {
    MovingClock clock = new MovingClock(T0);
    NamespaceQuota quota = new NamespaceQuota(100, Long.MAX_VALUE, clock);
    SecretsManagerService service = service(quota, clock);
    for (int i = 0; i < 10; i++) {
      put(service, "team-a", "secret-" + i, "v");
    }
    assertThat(store.usageCounts).isEqualTo(1);

    clock.advance(NamespaceQuota.RECOUNT.plusSeconds(1));
    put(service, "team-a", "secret-10", "v");

    assertThat(store.usageCounts).isEqualTo(2);
  }

  @Test
  void roomFreedSinceTheLastCountIsSeenBeforeAVersionIsRefused() {
    MovingClock clock = new MovingClock(T0);
    SecretsManagerService service = service(new NamespaceQuota(2, Long.MAX_VALUE, clock), clock);
    put(service, "team-a", "one", "v");
    put(service, "team-a", "two", "v");
    store.purge(store.find(stored("team-a", "two")).orElseThrow()); // by the purge job, say

    put(service, "team-a", "three", "v");

    assertThat(store.usage("team-a").versions()).isEqualTo(2);
    refused(() -> put(service, "team-a", "four", "v"));
  }

  SecretsManagerService service(NamespaceQuota quota, Clock clock) {
    return new SecretsManagerService(
        store,
        InMemorySecretStore.RECORDS,
        new EnvelopeCipher(kms),
        values,
        new Arns("k8s", "local", "123456789012"),
        clock,
        quota,
        EnvelopeCache.NONE);
  }
}
