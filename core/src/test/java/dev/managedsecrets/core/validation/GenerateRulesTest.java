package dev.managedsecrets.core.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedsecrets.api.v1alpha1.CertificateSpec;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GenerateRulesTest {

  private static ManagedSecret ms(Map<String, GenerateSpec> generate, Map<String, String> data) {
    ManagedSecret ms = new ManagedSecret();
    ms.setMetadata(new ObjectMetaBuilder().withName("app").withNamespace("team-a").build());
    ManagedSecretSpec spec = new ManagedSecretSpec();
    spec.generate = generate;
    spec.data = data;
    ms.setSpec(spec);
    return ms;
  }

  private static GenerateSpec type(String type) {
    GenerateSpec g = new GenerateSpec();
    g.type = type;
    return g;
  }

  private static GenerateSpec certificate(String ip) {
    GenerateSpec g = type("tlsCertificate");
    g.certificate = new CertificateSpec();
    g.certificate.commonName = "a";
    g.certificate.ipAddresses = ip == null ? null : List.of(ip);
    return g;
  }

  private static SecretsManagerException refused(ManagedSecret ms) {
    SecretsManagerException e =
        catchThrowableOfType(SecretsManagerException.class, () -> SpecValidator.validate(ms));
    assertThat(e).as("refused").isNotNull();
    assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
    return e;
  }

  @Test
  void everyGeneratorTypeWithItsOwnFieldsIsAccepted() {
    GenerateSpec rsa = type("sshKeyPair");
    rsa.algorithm = "rsa";
    rsa.bits = 4096;
    GenerateSpec ec = type("ecKey");
    ec.curve = "P-384";
    GenerateSpec bytes = type("randomBytes");
    bytes.length = 64;
    bytes.encoding = "hex";
    assertThatCode(
            () ->
                SpecValidator.validate(
                    ms(
                        Map.of(
                            "ssh",
                            rsa,
                            "jwt",
                            ec,
                            "salt",
                            bytes,
                            "id",
                            type("uuid"),
                            "tls",
                            certificate("10.1.2.3"),
                            "password",
                            new GenerateSpec()),
                        Map.of("user", "a"))))
        .doesNotThrowAnyException();
  }

  @Test
  void aGeneratedKeyThatDataAlsoHasIsRefusedWithoutNamingIt() {
    SecretsManagerException e =
        refused(ms(Map.of("tls", certificate(null)), Map.of("tls.crt", "mine")));

    assertThat(e.getMessage())
        .contains("data and generate have a key in common")
        .doesNotContain("tls");
  }

  @Test
  void twoEntriesThatFillOneKeyAreRefusedWithoutNamingIt() {
    SecretsManagerException e =
        refused(ms(Map.of("ssh", type("sshKeyPair"), "ssh-publickey", type("uuid")), null));

    assertThat(e.getMessage()).contains("Two generate entries").doesNotContain("ssh");
  }

  @Test
  void fieldsOfAnotherTypeAndSizesOutOfBoundsAreRefusedCountingTheEntryNotNamingIt() {
    GenerateSpec bits = type("rsaKey");
    bits.bits = 1024;
    assertThat(refused(ms(Map.of("secretname", bits), null)).getMessage())
        .isEqualTo(
            "In generate entry 1 of 1 (in sorted order): bits is for RSA keys, and must be 2048,"
                + " 3072 or 4096.");
    GenerateSpec curve = type("ecKey");
    curve.curve = "P-521";
    assertThat(refused(ms(Map.of("k", curve), null)).getMessage()).contains("curve");
    GenerateSpec password = type("uuid");
    password.passwordLength = 10;
    assertThat(refused(ms(Map.of("k", password), null)).getMessage())
        .contains("GetRandomPassword parameters are for type password only.");
    assertThat(refused(ms(Map.of("k", type("tlsCertificate")), null)).getMessage())
        .contains("certificate is needed");
    assertThat(refused(ms(Map.of("k", certificate("10.0.0.256")), null)).getMessage())
        .contains("ipAddresses");
    GenerateSpec renew = certificate(null);
    renew.certificate.validityHours = 10;
    renew.certificate.renewBeforeHours = 10;
    assertThat(refused(ms(Map.of("k", renew), null)).getMessage()).contains("renewBeforeHours");
  }
}
