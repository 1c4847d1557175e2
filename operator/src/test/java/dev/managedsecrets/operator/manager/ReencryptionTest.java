package dev.managedsecrets.operator.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.crypto.Envelope;
import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SpecGeneration;
import dev.managedsecrets.core.secret.StagingLabels;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.core.secret.Versions;
import dev.managedsecrets.core.value.PasswordGenerator;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueAssembler;
import dev.managedsecrets.core.value.ValueInput;
import dev.managedsecrets.operator.kms.KeyMetadata;
import dev.managedsecrets.operator.kms.KeyState;
import dev.managedsecrets.operator.kms.Keyring;
import dev.managedsecrets.operator.kms.LocalKeyProvider;
import dev.managedsecrets.operator.kms.ProviderKms;
import dev.managedsecrets.operator.kms.TestKeyrings;
import dev.managedsecrets.operator.metrics.CountingKms;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReencryptionTest {

  static final SecretId ID = new SecretId("team-a", "prod/db");
  static final String OTHER_KEY_ID = "6b0d1c62-6f44-4a39-a4c8-0d1d2f1f0a11";

  final InMemorySecretStore store = new InMemorySecretStore();
  final Keyring keyring = TestKeyrings.newKeyring();
  final LocalKeyProvider local = new LocalKeyProvider(keyring);
  final String otherArn = keyring.arn(OTHER_KEY_ID);
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final Kms kms =
      new CountingKms(
          new ProviderKms(
              keyring.orElse(
                  ref ->
                      Optional.of(
                              new KeyMetadata(
                                  OTHER_KEY_ID,
                                  otherArn,
                                  List.of(),
                                  KeyState.ENABLED,
                                  "local",
                                  List.of(1),
                                  null))
                          .filter(k -> k.isNamedBy(ref))),
              Map.of("local", local)),
          registry);
  final ValueAssembler values =
      new ValueAssembler(new KeyedHash(new byte[32]), new PasswordGenerator());
  final SecretsManagerService service =
      new SecretsManagerService(
          store,
          InMemorySecretStore.RECORDS,
          new EnvelopeCipher(kms),
          values,
          TestKeyrings.ARNS,
          Clock.fixed(Instant.parse("2026-11-28T00:00:00Z"), ZoneOffset.UTC));

  ReencryptionTest() {
    local.createKey(OTHER_KEY_ID);
  }

  StoredSecret put(StoredSecret s, String value) {
    ValueInput input = new ValueInput.Whole(SecretValue.text(value));
    return service
        .putValue(
            s,
            input,
            values.inputHash(ID, input),
            keyring.defaultKey().arn(),
            null,
            SecretsManagerServiceTest.SPEC)
        .secret();
  }

  /**
   * v0 (no label), v1 (AWSPENDING), v2 (AWSPREVIOUS), v3 (AWSCURRENT), all under the default key.
   */
  StoredSecret fourVersions() {
    StoredSecret s =
        service.claim(ID, "db", "uid-1", SecretsManagerServiceTest.NS_UID, false).secret();
    for (String value : List.of("zero", "one", "two", "three")) {
      s = put(s, value);
    }
    String v1 = s.versions().get(1).versionId();
    return store.update(Versions.moveLabel(s, StagingLabels.AWSPENDING, v1, null, true));
  }

  double kmsCalls() {
    return registry.find(CountingKms.METRIC).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  @Test
  void aNewKeyReEncryptsAwsCurrentPendingAndPreviousWithTheSameIdsAndValues() {
    StoredSecret before = fourVersions();

    StoredSecret after = service.reencrypt(before, otherArn, SecretsManagerServiceTest.SPEC);

    assertThat(after.versions())
        .extracting(StoredVersion::versionId)
        .containsExactlyElementsOf(
            before.versions().stream().map(StoredVersion::versionId).toList());
    assertThat(after.versions())
        .extracting(StoredVersion::kmsKeyArn)
        .containsExactly(keyring.defaultKey().arn(), otherArn, otherArn, otherArn);
    for (int i = 0; i < 4; i++) {
      StoredVersion v = after.versions().get(i);
      byte[] envelope =
          store.versions.get(
              InMemorySecretStore.key(SecretsManagerServiceTest.STORED) + "/" + v.versionId());
      assertThat(Envelope.parse(envelope).keyArn())
          .as("envelope of v%d", i)
          .isEqualTo(v.kmsKeyArn());
      assertThat(service.read(after, v).asText())
          .isEqualTo(List.of("zero", "one", "two", "three").get(i));
      assertThat(v.valueHash()).isEqualTo(before.versions().get(i).valueHash());
      assertThat(v.stages()).isEqualTo(before.versions().get(i).stages());
    }
    assertThat(store.find(SecretsManagerServiceTest.STORED)).contains(after);
  }

  @Test
  void nothingToReEncryptMakesNoKmsCallAndNoWrite() {
    StoredSecret done = service.reencrypt(fourVersions(), otherArn, SecretsManagerServiceTest.SPEC);
    double calls = kmsCalls();

    assertThat(service.reencrypt(done, otherArn, SecretsManagerServiceTest.SPEC)).isSameAs(done);
    assertThat(kmsCalls()).isEqualTo(calls);
  }

  @Test
  void aVersionCreatedAfterTheChangeUsesTheNewKeyAndNothingIsLeftToReEncrypt() {
    StoredSecret s = service.reencrypt(fourVersions(), otherArn, SecretsManagerServiceTest.SPEC);
    ValueInput input = new ValueInput.Whole(SecretValue.text("four"));
    StoredSecret next =
        service
            .putValue(
                s,
                input,
                values.inputHash(ID, input),
                otherArn,
                null,
                SecretsManagerServiceTest.SPEC)
            .secret();

    assertThat(next.current().orElseThrow().kmsKeyArn()).isEqualTo(otherArn);
    assertThat(Reencryption.underAnotherKey(next, otherArn)).isEmpty();
    // The version that lost AWSPREVIOUS stays under the key it was re-encrypted with, and opens.
    StoredVersion unlabelled = next.versions().get(2);
    assertThat(unlabelled.stages()).isEmpty();
    assertThat(service.read(next, unlabelled).asText()).isEqualTo("two");
  }

  @Test
  void aVersionOfFormatOneReEncryptedUnderANewKeyIsSealedInFormatTwo() {
    StoredSecret s =
        put(
            service.claim(ID, "db", "uid-1", SecretsManagerServiceTest.NS_UID, false).secret(),
            "one");
    StoredVersion v = s.current().orElseThrow();
    String where = InMemorySecretStore.key(SecretsManagerServiceTest.STORED) + "/" + v.versionId();
    // The version as an operator before format 2 sealed it.
    store.versions.put(
        where,
        new EnvelopeCipher(kms)
            .seal(
                v.kmsKeyArn(),
                EncryptionContext.forVersion(s.arn(), v.versionId()),
                SecretValue.text("one").encode()));
    assertThat(service.read(s, v).asText()).isEqualTo("one");

    StoredSecret after = service.reencrypt(s, otherArn, SecretsManagerServiceTest.SPEC);

    Envelope envelope = Envelope.parse(store.versions.get(where));
    assertThat(envelope.format()).isEqualTo(Envelope.FORMAT_2);
    assertThat(envelope.keyArn()).isEqualTo(otherArn);
    assertThat(service.read(after, after.current().orElseThrow()).asText()).isEqualTo("one");
  }

  @Test
  void aKeyFromAnOlderGenerationOfTheSpecReEncryptsNothingAndCallsNoKms() {
    StoredSecret rekeyed =
        service.reencrypt(fourVersions(), otherArn, new SpecGeneration("uid-1", 7));
    double calls = kmsCalls();

    assertThatThrownBy(
            () ->
                service.reencrypt(
                    rekeyed, keyring.defaultKey().arn(), new SpecGeneration("uid-1", 6)))
        .isInstanceOf(StaleSpecException.class);

    assertThat(kmsCalls()).isEqualTo(calls);
    assertThat(store.find(SecretsManagerServiceTest.STORED)).contains(rekeyed);
    assertThat(rekeyed.specGeneration()).isEqualTo(new SpecGeneration("uid-1", 7));
  }
}
