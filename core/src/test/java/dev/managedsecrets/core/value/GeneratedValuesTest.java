package dev.managedsecrets.core.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.CertificateSpec;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.IssuerReference;
import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.generate.GeneratedEntry;
import dev.managedsecrets.core.generate.Generators;
import dev.managedsecrets.core.generate.Issuer;
import dev.managedsecrets.core.generate.Issuers;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Generate entries of every type are made once and kept across versions made from the spec; only a
 * change of their parameters, a rotation, or a certificate's renewal makes them anew.
 */
class GeneratedValuesTest {

  /** A clock the test moves; nothing sleeps. */
  static final class SetClock extends Clock {
    Instant now = Instant.parse("2030-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final SetClock clock = new SetClock();
  private final ValueAssembler values =
      new ValueAssembler(key(), new PasswordGenerator(), new Generators(), clock);

  private static KeyedHash key() {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) 7);
    return new KeyedHash(k);
  }

  private static GenerateSpec type(String type) {
    GenerateSpec g = new GenerateSpec();
    g.type = type;
    return g;
  }

  private static GenerateSpec certificate(int validityHours, Integer renewBeforeHours) {
    GenerateSpec g = type("tlsCertificate");
    g.certificate = new CertificateSpec();
    g.certificate.dnsNames = java.util.List.of("orders.svc");
    g.certificate.validityHours = validityHours;
    g.certificate.renewBeforeHours = renewBeforeHours;
    return g;
  }

  private static SortedMap<String, GenerateSpec> all() {
    SortedMap<String, GenerateSpec> g = new TreeMap<>();
    g.put("password", new GenerateSpec());
    g.put("ssh", type("sshKeyPair"));
    g.put("jwt", type("ecKey"));
    g.put("tls", certificate(24, null));
    g.put("salt", type("randomBytes"));
    g.put("id", type("uuid"));
    return g;
  }

  private static ValueInput.KeyValues input(Map<String, String> data, Map<String, GenerateSpec> g) {
    return new ValueInput.KeyValues(new TreeMap<>(data), new TreeMap<>(g), null);
  }

  private static ObjectNode object(SecretValue v) {
    return ValueAssembler.parseObject(v);
  }

  private static Map<String, String> generatedKeysOf(ObjectNode o) {
    Map<String, String> out = new TreeMap<>();
    o.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    out.remove("user");
    return out;
  }

  @Test
  void everyGeneratorIsKeptWhenAnotherKeysDataChanges() {
    ValueAssembler.Assembled first =
        values.assemble(input(Map.of("user", "a"), all()), null, Map.of(), Issuers.NONE);
    clock.now = clock.now.plus(Duration.ofHours(1));

    ValueAssembler.Assembled second =
        values.assemble(
            input(Map.of("user", "b"), all()), first.value(), first.generated(), Issuers.NONE);

    assertThat(object(first.value()).fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder(
            "user",
            "password",
            "ssh-privatekey",
            "ssh-publickey",
            "jwt.key",
            "jwt.pub",
            "tls.crt",
            "tls.key",
            "salt",
            "id");
    assertThat(generatedKeysOf(object(second.value())))
        .isEqualTo(generatedKeysOf(object(first.value())));
    assertThat(object(second.value()).get("user").asText()).isEqualTo("b");
    assertThat(second.generated()).isEqualTo(first.generated());
  }

  @Test
  void aPasswordEntryRecordsTheParameterHashAsItDidBeforeTypesExistedWithOrWithoutItsType() {
    ValueAssembler.Assembled made =
        values.assemble(
            input(Map.of(), Map.of("password", new GenerateSpec())), null, Map.of(), Issuers.NONE);

    assertThat(made.generated())
        .isEqualTo(Map.of("password", values.generateHash(new GenerateSpec())));
    // Writing the default type out is the same entry: the password is kept.
    GenerateSpec typed = type("password");
    typed.passwordLength = 20;
    GenerateSpec untyped = new GenerateSpec();
    untyped.passwordLength = 20;
    assertThat(values.generateHash(typed)).isEqualTo(values.generateHash(untyped));
    assertThat(values.generateHash(typed)).isNotEqualTo(values.generateHash(new GenerateSpec()));
  }

  @Test
  void aChangeOfOneEntrysParametersMakesThatEntryAloneAnew() {
    ValueAssembler.Assembled first =
        values.assemble(input(Map.of(), all()), null, Map.of(), Issuers.NONE);
    SortedMap<String, GenerateSpec> changed = all();
    GenerateSpec rsa = type("sshKeyPair");
    rsa.algorithm = "rsa";
    rsa.bits = 2048;
    changed.put("ssh", rsa);

    ObjectNode second =
        object(
            values
                .assemble(input(Map.of(), changed), first.value(), first.generated(), Issuers.NONE)
                .value());

    ObjectNode before = object(first.value());
    assertThat(second.get("ssh-publickey").asText()).startsWith("ssh-rsa ");
    assertThat(second.get("ssh-privatekey").asText())
        .isNotEqualTo(before.get("ssh-privatekey").asText());
    for (String kept : new String[] {"password", "jwt.key", "tls.crt", "tls.key", "salt", "id"}) {
      assertThat(second.get(kept).asText()).as(kept).isEqualTo(before.get(kept).asText());
    }
  }

  @Test
  void aRotationMakesEveryEntryAnewAndKeepsTheOtherKeys() {
    ValueAssembler.Assembled first =
        values.assemble(input(Map.of("user", "a"), all()), null, Map.of(), Issuers.NONE);

    ObjectNode rotated = object(values.rotate(first.value(), all(), Map.of(), Issuers.NONE));

    ObjectNode before = object(first.value());
    assertThat(rotated.get("user").asText()).isEqualTo("a");
    before
        .fieldNames()
        .forEachRemaining(
            k -> {
              if (!k.equals("user")) {
                assertThat(rotated.get(k).asText()).as(k).isNotEqualTo(before.get(k).asText());
              }
            });
  }

  @Test
  void aCertificateIsRenewedOnceItsRenewalTimeHasComeAndNotBefore() {
    SortedMap<String, GenerateSpec> g =
        new TreeMap<>(Map.of("tls", certificate(30, 10), "id", type("uuid")));
    ValueAssembler.Assembled first =
        values.assemble(input(Map.of(), g), null, Map.of(), Issuers.NONE);
    Instant renewAt = clock.now.plus(Duration.ofHours(20));
    assertThat(GeneratedEntry.firstRenewed(first.generated()).orElseThrow().renewAt())
        .isEqualTo(renewAt);
    assertThat(GeneratedEntry.earliestNotAfter(first.generated()))
        .contains(clock.now.plus(Duration.ofHours(30)));

    clock.now = renewAt.minusSeconds(1);
    assertThat(GeneratedEntry.renewalDue(first.generated(), clock.now)).isFalse();
    ValueAssembler.Assembled early =
        values.assemble(input(Map.of(), g), first.value(), first.generated(), Issuers.NONE);
    assertThat(early.value()).isEqualTo(first.value());

    clock.now = renewAt;
    assertThat(GeneratedEntry.renewalDue(first.generated(), clock.now)).isTrue();
    ValueAssembler.Assembled renewed =
        values.assemble(input(Map.of(), g), first.value(), first.generated(), Issuers.NONE);

    assertThat(object(renewed.value()).get("tls.crt").asText())
        .isNotEqualTo(object(first.value()).get("tls.crt").asText());
    assertThat(object(renewed.value()).get("tls.key").asText())
        .isNotEqualTo(object(first.value()).get("tls.key").asText());
    assertThat(object(renewed.value()).get("id").asText())
        .isEqualTo(object(first.value()).get("id").asText());
    assertThat(GeneratedEntry.firstRenewed(renewed.generated()).orElseThrow().renewAt())
        .isEqualTo(renewAt.plus(Duration.ofHours(20)));
    assertThat(GeneratedEntry.renewalDue(renewed.generated(), clock.now)).isFalse();
  }

  @Test
  void aRotatedVersionRecordsTheNotAfterOfItsNewCertificate() {
    SortedMap<String, GenerateSpec> g = new TreeMap<>(Map.of("tls", certificate(30, null)));
    ValueAssembler.Assembled first =
        values.assemble(input(Map.of(), g), null, Map.of(), Issuers.NONE);
    clock.now = clock.now.plus(Duration.ofHours(5));

    SecretValue rotated = values.rotate(first.value(), g, Map.of(), Issuers.NONE);
    Map<String, String> recorded = values.rotatedGenerated(first.generated(), rotated);

    GeneratedEntry entry = GeneratedEntry.parse(recorded.get("tls"));
    assertThat(entry.notAfter()).isEqualTo(clock.now.plus(Duration.ofHours(30)));
    assertThat(entry.renewAt()).isEqualTo(clock.now.plus(Duration.ofHours(20)));
    assertThat(entry.parameters())
        .isEqualTo(GeneratedEntry.parse(first.generated().get("tls")).parameters());
  }

  @Test
  void aCaSignedCertificateIsSignedByTheIssuerItsSpecNamesAndAMissingIssuerIsRefused() {
    GenerateSpec ca = certificate(1000, null);
    ca.certificate.isCA = true;
    ObjectNode caValue =
        object(
            values
                .assemble(input(Map.of(), Map.of("root", ca)), null, Map.of(), Issuers.NONE)
                .value());
    Issuer issuer =
        Issuer.of(caValue.get("root.crt").asText(), caValue.get("root.key").asText(), "CA");
    GenerateSpec leaf = certificate(100, null);
    leaf.certificate.issuer = new IssuerReference("orders-ca", "root");
    Map<String, GenerateSpec> g = Map.of("tls", leaf);

    ObjectNode signed =
        object(
            values
                .assemble(
                    input(Map.of(), g),
                    null,
                    Map.of(),
                    ref -> {
                      assertThat(ref.name).isEqualTo("orders-ca");
                      return issuer;
                    })
                .value());

    assertThat(signed.get("ca.crt").asText()).isEqualTo(caValue.get("root.crt").asText());
    assertThatThrownBy(() -> values.assemble(input(Map.of(), g), null, Map.of(), Issuers.NONE))
        .isInstanceOf(SecretsManagerException.class);
  }
}
