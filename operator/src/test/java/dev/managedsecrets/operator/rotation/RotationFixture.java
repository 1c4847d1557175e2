package dev.managedsecrets.operator.rotation;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.core.crypto.EnvelopeCipher;
import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.crypto.Kms;
import dev.managedsecrets.core.secret.Arns;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SpecGeneration;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.value.PasswordGenerator;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.core.value.ValueAssembler;
import dev.managedsecrets.core.value.ValueInput;
import dev.managedsecrets.operator.kms.TestKeyrings;
import dev.managedsecrets.operator.manager.InMemorySecretStore;
import dev.managedsecrets.operator.manager.SecretsManagerService;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

/** A store in memory with one secret, for the tests of the rotation's steps. */
final class RotationFixture {

  static final SecretId ID = new SecretId("team-a", "orders");
  final Kms kms = TestKeyrings.newLocalKms();
  final ValueAssembler values =
      new ValueAssembler(new KeyedHash(new byte[32]), new PasswordGenerator());
  final SecretsManagerService service =
      new SecretsManagerService(
          new InMemorySecretStore(),
          InMemorySecretStore.RECORDS,
          new EnvelopeCipher(kms),
          values,
          new Arns("k8s", "local", "123456789012"),
          Clock.fixed(Instant.parse("2026-12-06T00:00:00Z"), ZoneOffset.UTC));
  final String key = kms.resolve(null, "team-a");
  final RotationRunner rotation = new RotationRunner(service);

  /** The generate strategy for {@code generate}. */
  RotationStrategy generate(Map<String, GenerateSpec> generate) {
    return new GenerateStrategy(values, generate);
  }

  /** The secret, with {@code value} as its AWSCURRENT. */
  StoredSecret stored(String value) {
    StoredSecret s = service.claim(ID, "orders", "uid-1", () -> "ns-uid", false).secret();
    ValueInput input = new ValueInput.Whole(SecretValue.text(value));
    return service
        .putValue(s, input, values.inputHash(ID, input), key, null, new SpecGeneration("uid-1", 1))
        .secret();
  }
}
