package dev.managedsecrets.operator.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.secret.Arns;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.value.PasswordGenerator;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueAssembler;
import dev.managedsecrets.core.value.ValueInput;
import dev.managedsecrets.operator.kms.TestKeyrings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SecretsManagerServiceTest {

  static final SecretId ID = new SecretId("team-a", "prod/db");
  final InMemorySecretStore store = new InMemorySecretStore();
  final Kms kms = TestKeyrings.newLocalKms();
  final ValueAssembler values =
      new ValueAssembler(new KeyedHash(new byte[32]), new PasswordGenerator());
  final Clock clock = Clock.fixed(Instant.parse("2026-11-28T00:00:00Z"), ZoneOffset.UTC);
  final SecretsManagerService service =
      new SecretsManagerService(
          store, new EnvelopeCipher(kms), values, new Arns("k8s", "local", "123456789012"), clock);

  ValueInput text(String s) {
    return new ValueInput.Whole(SecretValue.text(s));
  }

  SecretsManagerService.Put put(StoredSecret s, String value, String token) {
    return service.putValue(
        s, text(value), values.inputHash(ID, text(value)), kms.resolve(null, "team-a"), token);
  }

  @Test
  void theVersionIsStoredBeforeTheRecordPointsAtItAndReadsBack() {
    StoredSecret s = service.claim(ID, "db", "uid-1").secret();
    SecretsManagerService.Put p = put(s, "hunter2", null);
    assertThat(store.versions).containsKey(ID + "/" + p.version().versionId());
    assertThat(p.secret().current().orElseThrow().versionId()).isEqualTo(p.version().versionId());
    assertThat(service.read(p.secret(), p.version()).asText()).isEqualTo("hunter2");
    // The store holds no plaintext.
    byte[] stored = store.versions.get(ID + "/" + p.version().versionId());
    assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain("hunter2");
  }

  @Test
  void aNameHeldByAnotherManagedSecretIsResourceExistsWithAwsText() {
    service.claim(ID, "db", "uid-1");
    assertThatThrownBy(() -> service.claim(ID, "other", "uid-2"))
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
    StoredSecret s = service.claim(ID, "db", "uid-1").secret();
    SecretsManagerService.Put p = put(s, "v1", null);
    service.delete(ID, "uid-1", 7, false);
    StoredSecret scheduled = store.find(ID).orElseThrow();
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
    StoredSecret s = service.claim(ID, "db", "uid-1").secret();
    SecretsManagerService.Put p = put(s, "v1", null);
    service.delete(ID, "uid-1", null, false);
    SecretsManagerService.Claimed again = service.claim(ID, "db", "uid-2");
    assertThat(again.claim()).isEqualTo(SecretsManagerService.Claim.RESTORED);
    assertThat(again.secret().arn()).isEqualTo(s.arn());
    assertThat(again.secret().deletedDate()).isNull();
    assertThat(again.secret().current().orElseThrow().versionId())
        .isEqualTo(p.version().versionId());
  }

  @Test
  void aClaimOfANewSecretCreatesTheRecordAndDecidesAsAnyClaimWhenItExists() {
    SecretsManagerService.Claimed first = service.claim(ID, "db", "uid-1", true);
    assertThat(first.claim()).isEqualTo(SecretsManagerService.Claim.CREATED);
    assertThat(store.find(ID)).contains(first.secret());
    // The same owner again, its status lost: the record it already has.
    SecretsManagerService.Claimed again = service.claim(ID, "db", "uid-1", true);
    assertThat(again.claim()).isEqualTo(SecretsManagerService.Claim.EXISTING);
    assertThat(again.secret().arn()).isEqualTo(first.secret().arn());
    // Another ManagedSecret: the name stays with the first, with AWS's text.
    assertThatThrownBy(() -> service.claim(ID, "other", "uid-2", true))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> assertThat(e.error()).isEqualTo(AwsError.RESOURCE_EXISTS_EXCEPTION));
    // In its recovery window: restored with its ARN, not replaced.
    put(first.secret(), "v1", null);
    service.delete(ID, "uid-1", null, false);
    SecretsManagerService.Claimed restored = service.claim(ID, "db", "uid-3", true);
    assertThat(restored.claim()).isEqualTo(SecretsManagerService.Claim.RESTORED);
    assertThat(restored.secret().arn()).isEqualTo(first.secret().arn());
    assertThat(restored.secret().current()).isPresent();
  }

  @Test
  void onlyTheOwnerCanScheduleTheDeletion() {
    service.claim(ID, "db", "uid-1");
    service.delete(ID, "uid-someone-else", null, true);
    assertThat(store.find(ID)).isPresent();
  }

  @Test
  void aSameTokenSameValueIsANoOpAndAnotherValueIsResourceExists() {
    String token = "0123456789abcdef0123456789abcdef";
    StoredSecret s = service.claim(ID, "db", "uid-1").secret();
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
    StoredSecret s = service.claim(ID, "db", "uid-1").secret();
    put(s, "v1", null);
    assertThatThrownBy(() -> put(s, "v2", null))
        .isInstanceOf(dev.managedsecrets.operator.store.StoreConflictException.class);
    assertThat(store.find(ID).orElseThrow().versions()).hasSize(1);
  }

  @Test
  void purgeRemovesOnlySecretsPastTheirWindow() {
    StoredSecret s = service.claim(ID, "db", "uid-1").secret();
    put(s, "v1", null);
    service.delete(ID, "uid-1", 7, false);
    assertThat(service.purgeExpired()).isZero();
    SecretsManagerService later =
        new SecretsManagerService(
            store,
            new EnvelopeCipher(kms),
            values,
            new Arns("k8s", "local", "123456789012"),
            Clock.offset(clock, Duration.ofDays(7)));
    assertThat(later.purgeExpired()).isEqualTo(1);
    assertThat(store.records).isEmpty();
    assertThat(store.versions).isEmpty();
  }
}
