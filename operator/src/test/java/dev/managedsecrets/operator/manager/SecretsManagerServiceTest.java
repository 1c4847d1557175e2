package dev.managedsecrets.operator.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.core.crypto.Envelope;
import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.secret.Arns;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.KeptMetadata;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretTag;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.SpecGeneration;
import dev.managedsecrets.core.secret.StagingLabels;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.Versions;
import dev.managedsecrets.core.value.PasswordGenerator;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueAssembler;
import dev.managedsecrets.core.value.ValueInput;
import dev.managedsecrets.operator.kms.TestKeyrings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class SecretsManagerServiceTest {

  static final SecretId ID = new SecretId("team-a", "prod/db");

  /** The namespace incarnation of the tests' ManagedSecrets. */
  static final java.util.function.Supplier<String> NS_UID = () -> "uid-team-a";

  /** Where the record of ID that incarnation makes is stored. */
  static final SecretId STORED = ID.in("uid-team-a");

  /** The spec the tests' writes come from: the first generation of ManagedSecret uid-1. */
  static final SpecGeneration SPEC = new SpecGeneration("uid-1", 1);

  final InMemorySecretStore store = new InMemorySecretStore();
  final Kms kms = TestKeyrings.newLocalKms();
  final ValueAssembler values =
      new ValueAssembler(new KeyedHash(new byte[32]), new PasswordGenerator());
  final Clock clock = Clock.fixed(Instant.parse("2026-11-28T00:00:00Z"), ZoneOffset.UTC);
  final SecretsManagerService service =
      new SecretsManagerService(
          store,
          InMemorySecretStore.RECORDS,
          new EnvelopeCipher(kms),
          values,
          new Arns("k8s", "local", "123456789012"),
          clock);

  /** The service as it runs a week from now, past a 7-day recovery window. */
  SecretsManagerService weekLater() {
    return new SecretsManagerService(
        store,
        InMemorySecretStore.RECORDS,
        new EnvelopeCipher(kms),
        values,
        new Arns("k8s", "local", "123456789012"),
        Clock.offset(clock, Duration.ofDays(7)));
  }

  ValueInput text(String s) {
    return new ValueInput.Whole(SecretValue.text(s));
  }

  SecretsManagerService.Put put(StoredSecret s, String value, String token) {
    return service.putValue(
        s,
        text(value),
        values.inputHash(ID, text(value)),
        kms.resolve(null, "team-a"),
        token,
        SPEC);
  }

  @Test
  void theVersionIsStoredBeforeTheRecordPointsAtItAndReadsBack() {
    StoredSecret s = service.claim(ID, "db", "uid-1", NS_UID, false).secret();
    SecretsManagerService.Put p = put(s, "hunter2", null);
    assertThat(store.versions)
        .containsKey(InMemorySecretStore.key(STORED) + "/" + p.version().versionId());
    assertThat(p.secret().current().orElseThrow().versionId()).isEqualTo(p.version().versionId());
    assertThat(service.read(p.secret(), p.version()).asText()).isEqualTo("hunter2");
    // The store holds no plaintext.
    byte[] stored =
        store.versions.get(InMemorySecretStore.key(STORED) + "/" + p.version().versionId());
    assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain("hunter2");
  }

  @Test
  void aNameHeldByAnotherManagedSecretIsResourceExistsWithAwsText() {
    service.claim(ID, "db", "uid-1", NS_UID, false);
    assertThatThrownBy(() -> service.claim(ID, "other", "uid-2", NS_UID, false))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> {
              assertThat(e.error()).isEqualTo(AwsError.RESOURCE_EXISTS_EXCEPTION);
              assertThat(e.getMessage())
                  .startsWith("The operation failed because the secret prod/db already exists.");
            });
  }

  @Test
  void whileScheduledForDeletionTheValueCanNeitherBeChangedNorRead() {
    StoredSecret s = service.claim(ID, "db", "uid-1", NS_UID, false).secret();
    SecretsManagerService.Put p = put(s, "v1", null);
    service.delete(ID, "uid-1", 7, false);
    StoredSecret scheduled = store.find(STORED).orElseThrow();
    assertThat(scheduled.deletedDate()).isEqualTo(clock.instant());
    assertThat(scheduled.purgeAfter()).isEqualTo(clock.instant().plus(Duration.ofDays(7)));
    String marked =
        "You can't perform this operation on the secret because it was marked for deletion.";
    assertThatThrownBy(() -> put(scheduled, "v2", null))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> {
              assertThat(e.error()).isEqualTo(AwsError.INVALID_REQUEST_EXCEPTION);
              assertThat(e.getMessage()).isEqualTo(marked);
            });
    assertThatThrownBy(() -> service.read(scheduled, p.version()))
        .isInstanceOfSatisfying(
            SecretsManagerException.class, e -> assertThat(e.getMessage()).isEqualTo(marked));
  }

  @Test
  void reClaimingAScheduledSecretRestoresItWithItsArnAndVersions() {
    StoredSecret s = service.claim(ID, "db", "uid-1", NS_UID, false).secret();
    SecretsManagerService.Put p = put(s, "v1", null);
    service.delete(ID, "uid-1", null, false);
    SecretsManagerService.Claimed again = service.claim(ID, "db", "uid-2", NS_UID, false);
    assertThat(again.claim()).isEqualTo(SecretsManagerService.Claim.RESTORED);
    assertThat(again.secret().arn()).isEqualTo(s.arn());
    assertThat(again.secret().deletedDate()).isNull();
    assertThat(again.secret().current().orElseThrow().versionId())
        .isEqualTo(p.version().versionId());
  }

  @Test
  void aClaimOfANewSecretCreatesTheRecordAndDecidesAsAnyClaimWhenItExists() {
    SecretsManagerService.Claimed first = service.claim(ID, "db", "uid-1", NS_UID, true);
    assertThat(first.claim()).isEqualTo(SecretsManagerService.Claim.CREATED);
    assertThat(store.find(STORED)).contains(first.secret());
    // The same owner again, its status lost: the record it already has.
    SecretsManagerService.Claimed again = service.claim(ID, "db", "uid-1", NS_UID, true);
    assertThat(again.claim()).isEqualTo(SecretsManagerService.Claim.EXISTING);
    assertThat(again.secret().arn()).isEqualTo(first.secret().arn());
    // Another ManagedSecret: the name stays with the first, with AWS's text.
    assertThatThrownBy(() -> service.claim(ID, "other", "uid-2", NS_UID, true))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> assertThat(e.error()).isEqualTo(AwsError.RESOURCE_EXISTS_EXCEPTION));
    // In its recovery window: restored with its ARN, not replaced.
    put(first.secret(), "v1", null);
    service.delete(ID, "uid-1", null, false);
    SecretsManagerService.Claimed restored = service.claim(ID, "db", "uid-3", NS_UID, true);
    assertThat(restored.claim()).isEqualTo(SecretsManagerService.Claim.RESTORED);
    assertThat(restored.secret().arn()).isEqualTo(first.secret().arn());
    assertThat(restored.secret().current()).isPresent();
  }

  @Test
  void aWithdrawnClaimPurgesTheRecordItCreatedUnlessAValueWasStoredSince() {
    SecretsManagerService.Claimed made = service.claim(ID, "db", "uid-1", NS_UID, true);
    service.withdraw(made);
    assertThat(store.find(STORED)).isEmpty();

    SecretsManagerService.Claimed again = service.claim(ID, "db", "uid-2", NS_UID, true);
    put(again.secret(), "v1", null);
    service.withdraw(again);
    assertThat(store.find(STORED).orElseThrow().current()).isPresent();
  }

  @Test
  void aWithdrawnRestoreSchedulesTheSecretAgainAsItWas() {
    StoredSecret s = service.claim(ID, "db", "uid-1", NS_UID, false).secret();
    put(s, "v1", null);
    KeptMetadata kept = new KeptMetadata("orders", null, List.of(new SecretTag("team", "orders")));
    service.deleteAsAsked(ID, "uid-1", 7, false, kept);
    StoredSecret scheduled = store.find(STORED).orElseThrow();
    SecretsManagerService.Claimed restored = service.claim(ID, "db", "uid-1", NS_UID, true);
    assertThat(restored.claim()).isEqualTo(SecretsManagerService.Claim.RESTORED);

    service.withdraw(restored);

    StoredSecret after = store.find(STORED).orElseThrow();
    assertThat(after.deletedDate()).isEqualTo(scheduled.deletedDate());
    assertThat(after.purgeAfter()).isEqualTo(scheduled.purgeAfter());
    assertThat(after.ownerUid()).isEqualTo("uid-1");
    assertThat(after.kept()).isEqualTo(kept);
  }

  @Test
  void aScheduledDeletionKeepsWhatTheDeletedObjectSaidAndARestoreDropsIt() {
    service.claim(ID, "db", "uid-1", NS_UID, false);
    KeptMetadata kept =
        new KeptMetadata("orders", "alias/orders", List.of(new SecretTag("team", "")));

    service.delete(ID, "uid-1", null, false, kept);
    assertThat(store.find(STORED).orElseThrow().kept()).isEqualTo(kept);
    // DeleteSecret after the finalizer: the window asked for, the same fields.
    service.deleteAsAsked(ID, "uid-1", 7, false, null);
    assertThat(store.find(STORED).orElseThrow().kept()).isEqualTo(kept);

    SecretsManagerService.Claimed restored = service.claim(ID, "db", "uid-2", NS_UID, true);
    assertThat(restored.claim()).isEqualTo(SecretsManagerService.Claim.RESTORED);
    assertThat(store.find(STORED).orElseThrow().kept()).isNull();
  }

  @Test
  void deleteSecretReplacesTheScheduleAFinalizerSetMeanwhileButTheFinalizerKeepsOne() {
    service.claim(ID, "db", "uid-1", NS_UID, false);
    service.delete(ID, "uid-1", null, false);
    service.delete(ID, "uid-1", 7, false);
    StoredSecret kept = store.find(STORED).orElseThrow();
    assertThat(java.time.Duration.between(kept.deletedDate(), kept.purgeAfter()))
        .isEqualTo(java.time.Duration.ofDays(30));

    service.deleteAsAsked(ID, "uid-1", 7, false, null);
    StoredSecret asked = store.find(STORED).orElseThrow();
    assertThat(java.time.Duration.between(asked.deletedDate(), asked.purgeAfter()))
        .isEqualTo(java.time.Duration.ofDays(7));
  }

  @Test
  void onlyTheOwnerCanScheduleTheDeletion() {
    service.claim(ID, "db", "uid-1", NS_UID, false);
    service.delete(ID, "uid-someone-else", null, true);
    assertThat(store.find(STORED)).isPresent();
  }

  @Test
  void aSameTokenSameValueIsANoOpAndAnotherValueIsResourceExists() {
    String token = "0123456789abcdef0123456789abcdef";
    StoredSecret s = service.claim(ID, "db", "uid-1", NS_UID, false).secret();
    SecretsManagerService.Put first = put(s, "v1", token);
    assertThat(first.version().versionId()).isEqualTo(token);
    SecretsManagerService.Put again = put(first.secret(), "v1", token);
    assertThat(again.secret().versions()).hasSize(1);
    assertThatThrownBy(() -> put(first.secret(), "v2", token))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> {
              assertThat(e.error()).isEqualTo(AwsError.RESOURCE_EXISTS_EXCEPTION);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "You can't use ClientRequestToken "
                          + token
                          + " because that value is already in use for a version of secret "
                          + s.arn()
                          + ".");
            });
  }

  @Test
  void aStaleRecordNeverOverwritesANewerOne() {
    StoredSecret s = service.claim(ID, "db", "uid-1", NS_UID, false).secret();
    put(s, "v1", null);
    assertThatThrownBy(() -> put(s, "v2", null))
        .isInstanceOf(dev.managedsecrets.operator.store.StoreConflictException.class);
    assertThat(store.find(STORED).orElseThrow().versions()).hasSize(1);
  }

  /** A new AWSCURRENT version of ID from generation {@code generation} of ManagedSecret uid-1. */
  SecretsManagerService.Put put(StoredSecret s, String value, long generation) {
    return putFrom(s, value, new SpecGeneration("uid-1", generation));
  }

  /** A new AWSCURRENT version of ID from the spec {@code spec} (null: not known). */
  SecretsManagerService.Put putFrom(StoredSecret s, String value, SpecGeneration spec) {
    return putOn(service, s, value, spec);
  }

  SecretsManagerService.Put putOn(
      SecretsManagerService on, StoredSecret s, String value, SpecGeneration spec) {
    return on.putValue(
        s, text(value), values.inputHash(ID, text(value)), kms.resolve(null, "team-a"), null, spec);
  }

  /**
   * Two operators without leader election: A acts on generation 6 and writes its value; B, its
   * informer a change behind, still acts on generation 5 and reads the record after A's write (so
   * its conditional write would succeed). B writes nothing: no version, no envelope, AWSCURRENT
   * stays A's.
   */
  @Test
  void aWriterActingOnAnOlderGenerationOfTheSpecWritesNoVersionAfterANewerOneWrote() {
    StoredSecret s = service.claim(ID, "db", "uid-1", NS_UID, false).secret();
    StoredSecret five = put(s, "five", 5).secret();
    StoredSecret six = put(five, "six", 6).secret();
    int envelopes = store.versions.size();

    assertThatThrownBy(() -> put(six, "five again", 5))
        .isInstanceOfSatisfying(
            StaleSpecException.class,
            e -> {
              assertThat(e.recorded()).isEqualTo(new SpecGeneration("uid-1", 6));
              assertThat(e.getMessage())
                  .isEqualTo(
                      "The record of secret prod/db was written from generation 6 of its"
                          + " ManagedSecret; this write acts on generation 5 and is not made");
            });

    StoredSecret stored = store.find(STORED).orElseThrow();
    assertThat(stored).isEqualTo(six);
    assertThat(stored.versions()).hasSize(2);
    assertThat(service.read(stored, stored.current().orElseThrow()).asText()).isEqualTo("six");
    assertThat(stored.specGeneration()).isEqualTo(new SpecGeneration("uid-1", 6));
    assertThat(store.versions).hasSize(envelopes);
  }

  @Test
  void theSameGenerationAndLaterOnesWriteAndTheRecordRemembersTheLatest() {
    StoredSecret s = service.claim(ID, "db", "uid-1", NS_UID, false).secret();
    assertThat(s.specGeneration()).isNull();

    StoredSecret six = put(s, "six", 6).secret();
    StoredSecret again = put(six, "six, from a spec of the same generation", 6).secret();
    StoredSecret seven = put(again, "seven", 7).secret();

    assertThat(List.of(six, again, seven))
        .extracting(StoredSecret::specGeneration)
        .containsExactly(
            new SpecGeneration("uid-1", 6),
            new SpecGeneration("uid-1", 6),
            new SpecGeneration("uid-1", 7));
    assertThat(seven.versions()).hasSize(3);
    assertThat(InMemorySecretStore.RECORDS.verifies(store.find(STORED).orElseThrow())).isTrue();
  }

  @Test
  void labelsPlacedFromAnOlderGenerationOfTheSpecAreNotWrittenOverANewerOnes() {
    StoredSecret s = service.claim(ID, "db", "uid-1", NS_UID, false).secret();
    StoredSecret one = put(s, "one", 1).secret();
    String first = one.current().orElseThrow().versionId();
    StoredSecret two = put(one, "two", 2).secret();
    // Generation 3 pins AWSCURRENT back to the first version.
    StoredSecret pinned =
        service.applyStages(
            two, Map.of(StagingLabels.AWSCURRENT, first), new SpecGeneration("uid-1", 3));
    assertThat(pinned.current().orElseThrow().versionId()).isEqualTo(first);

    // A view of generation 2 with a label of its own: nothing is written.
    assertThatThrownBy(
            () ->
                service.applyStages(pinned, Map.of("blue", first), new SpecGeneration("uid-1", 2)))
        .isInstanceOf(StaleSpecException.class);
    assertThat(store.find(STORED).orElseThrow()).isEqualTo(pinned);
    // Nothing to move: nothing refused, nothing written.
    assertThat(service.applyStages(pinned, Map.of(), new SpecGeneration("uid-1", 2)))
        .isSameAs(pinned);
  }

  /**
   * A ManagedSecret deleted and applied again in its recovery window has a new uid and starts again
   * at generation 1: it restores the record and writes, whatever generation of the old one wrote
   * it.
   */
  @Test
  void aManagedSecretMadeAgainUnderTheSameNameRestoresAndWritesFromItsFirstGeneration() {
    StoredSecret s = service.claim(ID, "db", "uid-1", NS_UID, false).secret();
    put(s, "from the old ManagedSecret", 9);
    service.delete(ID, "uid-1", 7, false);

    StoredSecret restored = service.claim(ID, "db", "uid-2", NS_UID, false).secret();
    assertThat(restored.specGeneration()).isEqualTo(new SpecGeneration("uid-1", 9));
    StoredSecret written =
        putFrom(restored, "from the new one", new SpecGeneration("uid-2", 1)).secret();

    assertThat(written.versions()).hasSize(2);
    assertThat(written.specGeneration()).isEqualTo(new SpecGeneration("uid-2", 1));
    assertThat(service.read(written, written.current().orElseThrow()).asText())
        .isEqualTo("from the new one");
  }

  /**
   * A record written before records carried a spec generation is written by any generation, and
   * remembers it; a write whose generation is not known compares nothing and keeps what is there.
   */
  @Test
  void aRecordWithoutASpecGenerationTakesItsFirstWritersAndAWriteOfNoKnownGenerationKeepsIt() {
    StoredSecret s = service.claim(ID, "db", "uid-1", NS_UID, false).secret();
    StoredSecret written = put(s, "v1", 4).secret();
    StoredSecret unknown = putFrom(written, "v2", null).secret();

    assertThat(written.specGeneration()).isEqualTo(new SpecGeneration("uid-1", 4));
    assertThat(unknown.specGeneration()).isEqualTo(new SpecGeneration("uid-1", 4));
    assertThat(unknown.versions()).hasSize(2);
  }

  /**
   * A value the store owns (spec.valueSource Store): the endpoint's PutSecretValue (with
   * VersionStages) and UpdateSecretVersionStage write with no spec generation, so the record keeps
   * the one its last spec-driven write gave it, and a reconcile of the spec's generation after them
   * is not behind.
   */
  @Test
  void writesThatNoSpecDrivesKeepTheRecordsGenerationAndLeaveTheSpecsReconcileCurrent() {
    StoredSecret s = service.claim(ID, "db", "uid-1", NS_UID, false).secret();
    StoredSecret fromSpec = put(s, "v1", 3).secret();
    String first = fromSpec.current().orElseThrow().versionId();
    StoredSecret putByEndpoint =
        service
            .putValue(
                fromSpec,
                text("v2"),
                "store",
                kms.resolve(null, "team-a"),
                null,
                List.of("AWSCURRENT", "blue"),
                null)
            .secret();
    StoredSecret movedByEndpoint = service.updateStage(putByEndpoint, "green", first, null);

    assertThat(List.of(putByEndpoint, movedByEndpoint))
        .extracting(StoredSecret::specGeneration)
        .containsOnly(new SpecGeneration("uid-1", 3));
    assertThat(movedByEndpoint.versionIdsToStages().get(first))
        .containsExactlyInAnyOrder("AWSPREVIOUS", "green");
    assertThat(InMemorySecretStore.RECORDS.verifies(store.find(STORED).orElseThrow())).isTrue();
    // A write from the spec's generation 3 after them is not refused as stale.
    assertThat(put(movedByEndpoint, "v3", 3).secret().specGeneration())
        .isEqualTo(new SpecGeneration("uid-1", 3));
  }

  /** The service keeping the envelopes it reads, on the same store. */
  final EnvelopeCache envelopes = new EnvelopeCache(100, 1 << 20);

  final SecretsManagerService caching = caching(clock);

  SecretsManagerService caching(Clock at) {
    return new SecretsManagerService(
        store,
        InMemorySecretStore.RECORDS,
        new EnvelopeCipher(kms),
        values,
        new Arns("k8s", "local", "123456789012"),
        at,
        NamespaceQuota.NONE,
        envelopes);
  }

  SecretsManagerService.Put put(SecretsManagerService on, StoredSecret s, String value) {
    return putOn(on, s, value, SPEC);
  }

  @Test
  void aVersionReadAgainIsOpenedFromTheKeptEnvelopeWithoutAStoreRead() {
    StoredSecret s = caching.claim(ID, "db", "uid-1", NS_UID, false).secret();
    SecretsManagerService.Put p = put(s, "hunter2", null);
    assertThat(caching.read(p.secret(), p.version()).asText()).isEqualTo("hunter2");
    assertThat(envelopes.size()).isEqualTo(1);
    store.versions.clear();
    assertThat(caching.read(p.secret(), p.version()).asText()).isEqualTo("hunter2");
  }

  @Test
  void anEnvelopeThatDoesNotOpenIsNeitherKeptNorServedAgain() {
    StoredSecret s = caching.claim(ID, "db", "uid-1", NS_UID, false).secret();
    SecretsManagerService.Put p = put(s, "hunter2", null);
    String stored = InMemorySecretStore.key(STORED) + "/" + p.version().versionId();
    byte[] good = store.versions.get(stored);
    byte[] altered = good.clone();
    altered[altered.length - 1] ^= 1;
    store.versions.put(stored, altered);
    assertThat(decryptionFailure(() -> caching.read(p.secret(), p.version()))).isNotEmpty();
    assertThat(envelopes.size()).isZero();
    store.versions.put(stored, good);
    assertThat(caching.read(p.secret(), p.version()).asText()).isEqualTo("hunter2");
  }

  @Test
  void aPurgedSecretsEnvelopesAreDroppedAndItsNameMadeAgainServesOnlyItsOwnValue() {
    String token = "0123456789abcdef0123456789abcdef";
    StoredSecret s = caching.claim(ID, "db", "uid-1", NS_UID, false).secret();
    SecretsManagerService.Put first = put(s, "first", token);
    caching.read(first.secret(), first.version()).clear();
    caching.delete(ID, "uid-1", null, true);
    assertThat(envelopes.size()).isZero();
    // Made again under the same name, with the same client request token: another ARN.
    StoredSecret again = caching.claim(ID, "db", "uid-2", NS_UID, false).secret();
    SecretsManagerService.Put second = put(again, "second", token);
    assertThat(caching.read(second.secret(), second.version()).asText()).isEqualTo("second");
  }

  @Test
  void versionsThatRetentionRemovesAreDroppedFromTheKeptEnvelopes() {
    // A day passes between writes, so no version stays young and retention removes the oldest.
    dev.managedsecrets.operator.MovingClock daily =
        new dev.managedsecrets.operator.MovingClock(clock.instant());
    SecretsManagerService aging = caching(daily);
    StoredSecret s = aging.claim(ID, "db", "uid-1", NS_UID, false).secret();
    SecretsManagerService.Put p = put(aging, s, "v0");
    aging.read(p.secret(), p.version()).clear();
    assertThat(envelopes.size()).isEqualTo(1);
    StoredSecret current = p.secret();
    for (int i = 1; i <= Versions.RETAINED_VERSIONS + 2; i++) {
      daily.advance(Duration.ofDays(1));
      current = put(aging, current, "v" + i).secret();
    }
    assertThat(current.version(p.version().versionId())).isEmpty();
    assertThat(envelopes.size()).isZero();
  }

  @Test
  void purgeRemovesOnlySecretsPastTheirWindow() {
    StoredSecret s = service.claim(ID, "db", "uid-1", NS_UID, false).secret();
    put(s, "v1", null);
    service.delete(ID, "uid-1", 7, false);
    assertThat(service.purgeExpired()).isZero();
    SecretsManagerService later = weekLater();
    assertThat(later.purgeExpired()).isEqualTo(1);
    assertThat(store.records).isEmpty();
    assertThat(store.versions).isEmpty();
  }

  @Test
  void aRestoreBetweenThePurgeJobsListAndItsPurgeKeepsTheSecretWhole() {
    StoredSecret s = service.claim(ID, "db", "uid-1", NS_UID, false).secret();
    put(s, "v1", null);
    service.delete(ID, "uid-1", 7, false);
    SecretsManagerService later = weekLater();
    // The ManagedSecret is applied again after the purge job listed the expired record.
    store.afterList =
        () -> {
          store.afterList = () -> {};
          assertThat(later.claim(ID, "db", "uid-1", NS_UID, true).claim())
              .isEqualTo(SecretsManagerService.Claim.RESTORED);
        };

    assertThat(later.purgeExpired()).isZero();

    StoredSecret kept = store.find(STORED).orElseThrow();
    assertThat(kept.scheduledForDeletion()).isFalse();
    assertThat(kept.versions()).hasSize(1);
    assertThat(store.versions).hasSize(1);
  }

  // ---- namespace incarnations ----

  @Test
  void aNamespaceMadeAgainUnderTheSameNameGetsANewSecretAndNeverTheOldOnesValueOrHistory() {
    StoredSecret old = service.claim(ID, "db", "uid-1", NS_UID, false).secret();
    put(old, "the old tenant's value", null);
    service.delete(ID, "uid-1", 7, false);
    StoredSecret scheduled = store.find(STORED).orElseThrow();

    // team-a deleted and made again: a new uid, a new ManagedSecret of the same name.
    SecretsManagerService.Claimed fresh =
        service.claim(ID, "db", "uid-2", () -> "uid-team-a-2", true);

    assertThat(fresh.claim()).isEqualTo(SecretsManagerService.Claim.CREATED);
    assertThat(fresh.secret().arn()).isNotEqualTo(old.arn());
    assertThat(fresh.secret().versions()).isEmpty();
    assertThat(fresh.secret().namespaceUid()).isEqualTo("uid-team-a-2");
    // The old record stays exactly as it was, scheduled for deletion.
    assertThat(store.find(STORED)).contains(scheduled);
    // Reconciled again (its status lost), the new ManagedSecret keeps its own record.
    assertThat(service.claim(ID, "db", "uid-2", () -> "uid-team-a-2", true).secret().arn())
        .isEqualTo(fresh.secret().arn());
  }

  @Test
  void theOldIncarnationsRecordPurgesWhenItsWindowEndsAndTheNewOneStays() {
    put(service.claim(ID, "db", "uid-1", NS_UID, false).secret(), "old", null);
    service.delete(ID, "uid-1", 7, false);
    StoredSecret fresh = service.claim(ID, "db", "uid-2", () -> "uid-team-a-2", false).secret();
    put(fresh, "new", null);

    assertThat(weekLater().purgeExpired()).isEqualTo(1);

    assertThat(store.find(STORED)).isEmpty();
    assertThat(store.findByName(ID)).extracting(StoredSecret::arn).containsExactly(fresh.arn());
    assertThat(store.versions.keySet())
        .allMatch(k -> k.startsWith(InMemorySecretStore.key(fresh.id()) + "/"))
        .hasSize(1);
  }

  @Test
  void deletingAManagedSecretSchedulesItsOwnRecordAndNoOtherIncarnations() {
    service.claim(ID, "db", "uid-1", NS_UID, false);
    service.delete(ID, "uid-1", 7, false);
    StoredSecret fresh = service.claim(ID, "db", "uid-2", () -> "uid-team-a-2", false).secret();

    service.delete(ID, "uid-2", 30, false);

    assertThat(store.find(fresh.id()).orElseThrow().purgeAfter())
        .isEqualTo(clock.instant().plus(Duration.ofDays(30)));
    assertThat(store.find(STORED).orElseThrow().purgeAfter())
        .isEqualTo(clock.instant().plus(Duration.ofDays(7)));
  }

  @Test
  void aRecordWrittenBeforeIncarnationsIsTakenByTheFirstIncarnationThatClaimsIt() {
    StoredSecret legacy =
        store.create(StoredSecret.create(ID, "arn:legacy-AbCdEf", "db", "uid-1", clock.instant()));
    assertThat(legacy.namespaceUid()).isNull();

    // The same ManagedSecret after the upgrade: its record, now recorded as its incarnation's.
    SecretsManagerService.Claimed taken = service.claim(ID, "db", "uid-1", NS_UID, false);
    assertThat(taken.claim()).isEqualTo(SecretsManagerService.Claim.EXISTING);
    assertThat(taken.secret().arn()).isEqualTo("arn:legacy-AbCdEf");
    assertThat(taken.secret().id()).isEqualTo(ID);
    assertThat(store.find(ID).orElseThrow().namespaceUid()).isEqualTo("uid-team-a");
    // Another incarnation of the namespace gets a secret of its own.
    SecretsManagerService.Claimed other = service.claim(ID, "db", "uid-9", () -> "uid-other", true);
    assertThat(other.claim()).isEqualTo(SecretsManagerService.Claim.CREATED);
    assertThat(other.secret().arn()).isNotEqualTo("arn:legacy-AbCdEf");
  }

  @Test
  void aScheduledRecordWrittenBeforeIncarnationsIsRestoredByTheFirstIncarnationThatClaimsIt() {
    StoredSecret legacy =
        store.create(StoredSecret.create(ID, "arn:legacy-AbCdEf", "db", "uid-1", clock.instant()));
    store.update(legacy.scheduledForDeletion(clock.instant(), clock.instant().plusSeconds(60)));

    // Re-applied after the upgrade, its status empty: restored whole, and taken.
    SecretsManagerService.Claimed restored = service.claim(ID, "db", "uid-2", NS_UID, true);

    assertThat(restored.claim()).isEqualTo(SecretsManagerService.Claim.RESTORED);
    assertThat(restored.secret().arn()).isEqualTo("arn:legacy-AbCdEf");
    assertThat(restored.secret().namespaceUid()).isEqualTo("uid-team-a");
    assertThat(store.findByName(ID)).hasSize(1);
  }

  // ---- the store is untrusted: its records and versions ----

  /** What a writer of the store does to a record: changes it, keeping the MAC it carries. */
  void tamper(SecretId stored, UnaryOperator<StoredSecret> change) {
    store.records.put(stored, change.apply(store.records.get(stored)));
  }

  /** The message of the DecryptionFailure that {@code call} fails with. */
  static String decryptionFailure(Runnable call) {
    SecretsManagerException e =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            SecretsManagerException.class, call::run);
    assertThat(e).as("DecryptionFailure").isNotNull();
    assertThat(e.error()).isEqualTo(AwsError.DECRYPTION_FAILURE);
    return e.getMessage();
  }

  /** A new AWSCURRENT version of the secret {@code id}, under the default key. */
  SecretsManagerService.Put put(StoredSecret s, SecretId id, String value, String token) {
    return service.putValue(
        s,
        text(value),
        values.inputHash(id, text(value)),
        kms.resolve(null, id.namespace()),
        token,
        SPEC);
  }

  @Test
  void newVersionsAreSealedInFormatTwoBoundToTheirRecord() {
    StoredSecret s = service.claim(ID, "db", "uid-1", NS_UID, false).secret();
    SecretsManagerService.Put p = put(s, "v1", null);

    byte[] stored =
        store.versions.get(InMemorySecretStore.key(STORED) + "/" + p.version().versionId());
    assertThat(Envelope.parse(stored).format()).isEqualTo(Envelope.FORMAT_2);
  }

  /**
   * Two namespaces with the same secret name and client request token, and a writer of the store
   * who gave team-b's record team-a's ARN: the ARN and version id match, and team-a's envelope
   * copied into team-b's version still does not open there.
   */
  @Test
  void aVersionCopiedIntoAnotherNamespacesRecordWithTheSameArnAndVersionIdFailsToOpen() {
    String token = "0123456789abcdef0123456789abcdef";
    SecretId a = new SecretId("team-a", "shared/db");
    SecretId b = new SecretId("team-b", "shared/db");
    StoredSecret ra = service.claim(a, "db", "uid-a", () -> "uid-team-a", false).secret();
    SecretsManagerService.Put pa = put(ra, a, "team-a's value", token);
    // team-b's record, as written before records carried a MAC (accepted once), with team-a's ARN.
    store.create(StoredSecret.create(b.in("uid-team-b"), ra.arn(), "db", "uid-b", clock.instant()));
    StoredSecret rb = service.claim(b, "db", "uid-b", () -> "uid-team-b", false).secret();
    SecretsManagerService.Put pb = put(rb, b, "team-b's value", token);
    assertThat(pb.secret().arn()).isEqualTo(pa.secret().arn());
    assertThat(pb.version().versionId()).isEqualTo(pa.version().versionId());

    store.versions.put(
        InMemorySecretStore.key(b.in("uid-team-b")) + "/" + token,
        store.versions.get(InMemorySecretStore.key(a.in("uid-team-a")) + "/" + token));

    assertThat(decryptionFailure(() -> service.read(pb.secret(), pb.version())))
        .contains("failed authentication");
  }

  @Test
  void aRecordWhoseAwsCurrentWasMovedBackInTheStoreIsRefusedNamingTheSecret() {
    StoredSecret s = service.claim(ID, "db", "uid-1", NS_UID, false).secret();
    SecretsManagerService.Put v1 = put(s, "v1", null);
    put(v1.secret(), "v2", null);

    tamper(
        STORED,
        r -> Versions.moveLabel(r, StagingLabels.AWSCURRENT, v1.version().versionId(), null, true));

    assertThat(decryptionFailure(() -> service.claim(ID, "db", "uid-1", NS_UID, false)))
        .isEqualTo(
            "The stored record of secret prod/db can't be read: its integrity check failed: it was"
                + " altered in the store, or copied from another record. Its versions stay"
                + " unavailable, and nothing of it is changed, until an administrator restores the"
                + " record from a backup of the store (docs/STORES.md).");
    assertThat(store.records.get(STORED).current().orElseThrow().versionId())
        .as("nothing written from it")
        .isEqualTo(v1.version().versionId());
  }

  @Test
  void anOlderAuthenticRecordWrittenBackIsRefusedAsOlderThanTheOperatorLastWrote() {
    StoredSecret s = service.claim(ID, "db", "uid-1", NS_UID, false).secret();
    SecretsManagerService.Put v1 = put(s, "v1", null);
    StoredSecret asOfV1 = store.records.get(STORED);
    SecretsManagerService.Put v2 = put(v1.secret(), "v2", null);
    SecretsManagerService.Anchor anchor =
        new SecretsManagerService.Anchor(v2.secret().arn(), v2.secret().sequence());
    assertThat(asOfV1.sequence()).isEqualTo(2);
    assertThat(anchor.sequence()).isEqualTo(3);
    // At or past the anchor, the record is taken.
    assertThat(service.claim(ID, "db", "uid-1", NS_UID, false, anchor).secret())
        .isEqualTo(v2.secret());

    store.records.put(STORED, asOfV1);

    assertThat(decryptionFailure(() -> service.claim(ID, "db", "uid-1", NS_UID, false, anchor)))
        .isEqualTo(
            "The stored record of secret prod/db is older than the operator last wrote it (sequence"
                + " 2; the operator last wrote sequence 3): the store was rolled back, or an old copy"
                + " of the record was written back. Nothing of it is served or changed. If an"
                + " administrator restored the store from a backup on purpose, accept the restored"
                + " records with the operator's command `rebind --accept-restored`"
                + " (docs/STORES.md#restoring-a-backup-over-newer-records).");
    assertThat(store.records.get(STORED)).isEqualTo(asOfV1);
    // The anchor of another ARN (another record of the name) says nothing of this one.
    assertThat(
            service
                .claim(
                    ID,
                    "db",
                    "uid-1",
                    NS_UID,
                    false,
                    new SecretsManagerService.Anchor("arn:another", 9))
                .secret()
                .current()
                .orElseThrow()
                .versionId())
        .isEqualTo(v1.version().versionId());
  }

  @Test
  void aRecordStrippedOfItsMacIsRefusedOnceTheAnchorSaysItHadOne() {
    StoredSecret s =
        put(service.claim(ID, "db", "uid-1", NS_UID, false).secret(), "v1", null).secret();

    tamper(STORED, r -> r.withSeal(0, null));

    SecretsManagerService.Anchor anchor = new SecretsManagerService.Anchor(s.arn(), s.sequence());

    assertThat(decryptionFailure(() -> service.claim(ID, "db", "uid-1", NS_UID, false, anchor)))
        .startsWith(
            "The stored record of secret prod/db carries no integrity check, though the"
                + " operator gave it one (sequence 2)");
  }

  @Test
  void aRecordWrittenBeforeRecordsCarriedAMacIsAcceptedOnceAndGivenItsMacAtOnce() {
    StoredSecret legacy =
        store.create(
            StoredSecret.create(STORED, "arn:legacy-AbCdEf", "db", "uid-1", clock.instant()));
    assertThat(legacy.authenticated()).isFalse();

    SecretsManagerService.Claimed taken = service.claim(ID, "db", "uid-1", NS_UID, false);

    assertThat(taken.claim()).isEqualTo(SecretsManagerService.Claim.EXISTING);
    StoredSecret stored = store.find(STORED).orElseThrow();
    assertThat(stored.sequence()).isEqualTo(1);
    assertThat(InMemorySecretStore.RECORDS.verifies(stored)).isTrue();
    assertThat(taken.secret()).isEqualTo(stored);
    // Reconciled again: nothing left to write.
    String revision = stored.revision();
    SecretsManagerService.Anchor anchor =
        new SecretsManagerService.Anchor(stored.arn(), stored.sequence());
    service.claim(ID, "db", "uid-1", NS_UID, false, anchor);
    assertThat(store.find(STORED).orElseThrow().revision()).isEqualTo(revision);
  }

  @Test
  void everyWriteOfARecordMovesItsSequenceByOneUnderItsMac() {
    StoredSecret created = service.claim(ID, "db", "uid-1", NS_UID, true).secret();
    StoredSecret v1 = put(created, "v1", null).secret();
    StoredSecret staged =
        service.applyStages(v1, Map.of("blue", v1.versions().get(0).versionId()), SPEC);
    service.delete(ID, "uid-1", 7, false);

    assertThat(List.of(created.sequence(), v1.sequence(), staged.sequence()))
        .containsExactly(1L, 2L, 3L);
    StoredSecret scheduled = store.find(STORED).orElseThrow();
    assertThat(scheduled.sequence()).isEqualTo(4);
    assertThat(InMemorySecretStore.RECORDS.verifies(scheduled)).isTrue();
  }

  @Test
  void aRecordAlteredInTheStoreIsNeverPurgedAndTheOthersAreOnTime() {
    SecretId other = new SecretId("team-a", "prod/other");
    put(service.claim(ID, "db", "uid-1", NS_UID, false).secret(), "v1", null);
    put(service.claim(other, "other", "uid-2", NS_UID, false).secret(), "v1", null);
    service.delete(ID, "uid-1", 30, false);
    service.delete(other, "uid-2", 7, false);
    // A writer of the store moves the first one's purge forward.
    tamper(STORED, r -> r.scheduledForDeletion(r.deletedDate(), clock.instant()));

    int purged = weekLater().purgeExpired();

    assertThat(purged).isEqualTo(1);
    assertThat(store.find(STORED)).isPresent();
    assertThat(store.find(other.in("uid-team-a"))).isEmpty();
  }
}
