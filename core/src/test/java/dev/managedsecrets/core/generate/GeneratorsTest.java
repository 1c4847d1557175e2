package dev.managedsecrets.core.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.api.v1alpha1.CertificateSpec;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.IssuerReference;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.util.OpenSSHPrivateKeyUtil;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.util.io.pem.PemReader;
import org.junit.jupiter.api.Test;

class GeneratorsTest {

  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  private final Generators generators = new Generators();

  static GenerateSpec spec(String type) {
    GenerateSpec g = new GenerateSpec();
    g.type = type;
    return g;
  }

  static GenerateSpec certificate(
      String commonName, Integer validityHours, IssuerReference issuer) {
    GenerateSpec g = spec("tlsCertificate");
    g.certificate = new CertificateSpec();
    g.certificate.commonName = commonName;
    g.certificate.validityHours = validityHours;
    g.certificate.issuer = issuer;
    return g;
  }

  private Map<String, String> make(String name, GenerateSpec spec) {
    return generators.make(name, spec, "h", Issuers.NONE, NOW).values();
  }

  @Test
  void anEd25519SshKeyPairIsReadByAnSshLibraryAndItsPublicKeyLineIsThePrivateKeysPublicKey()
      throws Exception {
    Map<String, String> made = make("ssh", spec("sshKeyPair"));

    assertThat(made).containsOnlyKeys("ssh-privatekey", "ssh-publickey");
    assertThat(made.get("ssh-privatekey")).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n");
    assertThat(made.get("ssh-publickey")).startsWith("ssh-ed25519 ");
    KeyPair parsed = sshPrivateKey(made.get("ssh-privatekey"));
    PublicKey line = sshPublicKey(made.get("ssh-publickey"));
    assertThat(KeyUtils.compareKeys(parsed.getPublic(), line)).isTrue();
    assertThat(KeyUtils.getKeyType(parsed)).isEqualTo("ssh-ed25519");
  }

  @Test
  void anRsaSshKeyPairIsOpenSshFormatThatAnSshLibraryAndBouncyCastleRead() throws Exception {
    GenerateSpec g = spec("sshKeyPair");
    g.algorithm = "rsa";
    g.bits = 2048;
    Map<String, String> made = make("deploy", g);

    assertThat(made).containsOnlyKeys("deploy-privatekey", "deploy-publickey");
    assertThat(made.get("deploy-privatekey"))
        .startsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n")
        .endsWith("-----END OPENSSH PRIVATE KEY-----\n");
    KeyPair parsed = sshPrivateKey(made.get("deploy-privatekey"));
    assertThat(((RSAPublicKey) parsed.getPublic()).getModulus().bitLength()).isEqualTo(2048);
    assertThat(KeyUtils.compareKeys(parsed.getPublic(), sshPublicKey(made.get("deploy-publickey"))))
        .isTrue();
    byte[] blob =
        new PemReader(new java.io.StringReader(made.get("deploy-privatekey")))
            .readPemObject()
            .getContent();
    RSAPrivateCrtKeyParameters bc =
        (RSAPrivateCrtKeyParameters) OpenSSHPrivateKeyUtil.parsePrivateKeyBlob(blob);
    RSAPrivateCrtKey jdk = (RSAPrivateCrtKey) parsed.getPrivate();
    assertThat(bc.getModulus()).isEqualTo(jdk.getModulus());
    assertThat(bc.getExponent()).isEqualTo(jdk.getPrivateExponent());
    assertThat(bc.getQInv()).isEqualTo(jdk.getCrtCoefficient());
    // The private key signs what its public key verifies: the numbers are a key pair.
    java.security.Signature s = java.security.Signature.getInstance("SHA256withRSA");
    s.initSign(parsed.getPrivate());
    s.update(new byte[] {1, 2, 3});
    byte[] signature = s.sign();
    s.initVerify(sshPublicKey(made.get("deploy-publickey")));
    s.update(new byte[] {1, 2, 3});
    assertThat(s.verify(signature)).isTrue();
  }

  @Test
  void anRsaKeyIsPkcs8PemThatTheJdkAndBouncyCastleReadWithItsPublicKeyBesideIt() throws Exception {
    GenerateSpec g = spec("rsaKey");
    g.bits = 2048;
    Map<String, String> made = make("signing", g);

    assertThat(made).containsOnlyKeys("signing.key", "signing.pub");
    assertThat(made.get("signing.key")).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(made.get("signing.pub")).startsWith("-----BEGIN PUBLIC KEY-----\n");
    KeyFactory rsa = KeyFactory.getInstance("RSA");
    RSAPrivateCrtKey key =
        (RSAPrivateCrtKey)
            rsa.generatePrivate(new PKCS8EncodedKeySpec(der(made.get("signing.key"))));
    RSAPublicKey pub =
        (RSAPublicKey) rsa.generatePublic(new X509EncodedKeySpec(der(made.get("signing.pub"))));
    assertThat(key.getModulus()).isEqualTo(pub.getModulus());
    assertThat(pub.getModulus().bitLength()).isEqualTo(2048);
    assertThat(new PEMParser(new java.io.StringReader(made.get("signing.key"))).readObject())
        .isInstanceOf(org.bouncycastle.asn1.pkcs.PrivateKeyInfo.class);
  }

  @Test
  void anEcKeyIsOnTheCurveItNamesWithItsPublicKeyBesideIt() throws Exception {
    GenerateSpec g = spec("ecKey");
    g.curve = "P-384";
    Map<String, String> made = make("jwt", g);

    KeyFactory ec = KeyFactory.getInstance("EC");
    ec.generatePrivate(new PKCS8EncodedKeySpec(der(made.get("jwt.key"))));
    ECPublicKey pub =
        (ECPublicKey) ec.generatePublic(new X509EncodedKeySpec(der(made.get("jwt.pub"))));
    assertThat(pub.getParams().getOrder().bitLength()).isEqualTo(384);
    assertThat(make("jwt", spec("ecKey")).get("jwt.pub")).startsWith("-----BEGIN PUBLIC KEY-----");
  }

  @Test
  void aSelfSignedCertificateCarriesItsNamesAndValidityAndVerifiesWithItsOwnKey() throws Exception {
    GenerateSpec g = certificate(null, 48, null);
    g.certificate.dnsNames = List.of("orders.example.com", "*.orders.example.com");
    g.certificate.ipAddresses = List.of("10.0.0.7", "2001:db8::1");
    Generators.Made made = generators.make("tls", g, "h", Issuers.NONE, NOW);

    assertThat(made.values()).containsOnlyKeys("tls.crt", "tls.key");
    X509Certificate c = certificate(made.values().get("tls.crt"));
    c.verify(c.getPublicKey());
    assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=orders.example.com");
    assertThat(c.getNotBefore().toInstant()).isEqualTo(NOW);
    assertThat(c.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofHours(48)));
    assertThat(c.getBasicConstraints()).isEqualTo(-1);
    assertThat(sans(c))
        .containsExactlyInAnyOrder(
            "2:orders.example.com",
            "2:*.orders.example.com",
            "7:10.0.0.7",
            "7:2001:db8:0:0:0:0:0:1");
    assertThat(c.getPublicKey().getAlgorithm()).isEqualTo("EC");
    KeyFactory.getInstance("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(der(made.values().get("tls.key"))));
    // Renewed a third of its validity before its notAfter, by default.
    assertThat(made.entry().notAfter()).isEqualTo(NOW.plus(Duration.ofHours(48)));
    assertThat(made.entry().renewAt()).isEqualTo(NOW.plus(Duration.ofHours(32)));
  }

  @Test
  void aCertificateSignedByAGeneratedCaValidatesUpToItWithPkixAndCarriesItsCaCertificate()
      throws Exception {
    GenerateSpec ca = certificate("Orders CA", 24 * 365, null);
    ca.certificate.isCA = true;
    ca.algorithm = "rsa";
    ca.bits = 2048;
    Map<String, String> caValue = make("ca", ca);
    Issuer issuer = Issuer.of(caValue.get("ca.crt"), caValue.get("ca.key"), "The issuer");
    GenerateSpec leaf = certificate("orders", 24 * 30, new IssuerReference("orders-ca", "ca"));
    leaf.certificate.dnsNames = List.of("orders.svc");
    Map<String, String> made =
        generators.make("tls", leaf, "h", ref -> issuer, NOW.plusSeconds(60)).values();

    assertThat(made).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
    X509Certificate root = certificate(made.get("ca.crt"));
    X509Certificate c = certificate(made.get("tls.crt"));
    assertThat(root.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    c.verify(root.getPublicKey());
    assertThat(c.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    params.setRevocationEnabled(false);
    params.setDate(Date.from(NOW.plus(Duration.ofDays(1))));
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(c)), params);
    assertThat(sans(c)).containsExactly("2:orders.svc");
    // Any other name keeps the CA's certificate under <name>.ca.crt.
    assertThat(generators.make("client", leaf, "h", ref -> issuer, NOW).values())
        .containsOnlyKeys("client.crt", "client.key", "client.ca.crt");
  }

  @Test
  void aSignedCertificateNeverOutlivesItsIssuer() throws Exception {
    GenerateSpec ca = certificate("Short CA", 10, null);
    ca.certificate.isCA = true;
    Map<String, String> caValue = make("ca", ca);
    Issuer issuer = Issuer.of(caValue.get("ca.crt"), caValue.get("ca.key"), "The issuer");
    Generators.Made made =
        generators.make(
            "tls", certificate("x", 100, new IssuerReference("a", "ca")), "h", r -> issuer, NOW);

    assertThat(certificate(made.values().get("tls.crt")).getNotAfter().toInstant())
        .isEqualTo(NOW.plus(Duration.ofHours(10)));
    assertThat(made.entry().renewAt()).isBefore(made.entry().notAfter()).isAfter(NOW);
  }

  @Test
  void aCertificateThatIsNotACasIsRefusedAsAnIssuerWithAMessageThatNamesNoKey() {
    Map<String, String> leaf = make("mykey", certificate("leaf", 10, null));

    assertThatThrownBy(() -> Issuer.of(leaf.get("mykey.crt"), leaf.get("mykey.key"), "The issuer"))
        .isInstanceOf(SecretsManagerException.class)
        .hasMessageContaining("not a CA")
        .hasMessageNotContaining("mykey");
    assertThatThrownBy(() -> Issuer.of(null, null, "The issuer"))
        .isInstanceOf(SecretsManagerException.class);
  }

  @Test
  void randomBytesHaveTheLengthAndEncodingAskedForAndUuidsParse() {
    GenerateSpec hex = spec("randomBytes");
    hex.length = 16;
    hex.encoding = "hex";
    GenerateSpec base64 = spec("randomBytes");

    assertThat(HexFormat.of().parseHex(make("k", hex).get("k"))).hasSize(16);
    assertThat(Base64.getDecoder().decode(make("k", base64).get("k"))).hasSize(32);
    assertThat(make("k", base64).get("k")).isNotEqualTo(make("k", base64).get("k"));
    String uuid = make("id", spec("uuid")).get("id");
    assertThat(UUID.fromString(uuid).toString()).isEqualTo(uuid);
  }

  @Test
  void keyNamesFollowTheEntrysKeySoThatTlsAndSshGiveTheKeysOfTheirSecretTypes() {
    assertThat(GeneratedKeyNames.of("tls", certificate("a", null, null)))
        .containsExactly("tls.crt", "tls.key");
    assertThat(GeneratedKeyNames.of("tls", certificate("a", null, new IssuerReference("c", "ca"))))
        .containsExactly("tls.crt", "tls.key", "ca.crt");
    assertThat(GeneratedKeyNames.of("ssh", spec("sshKeyPair")))
        .containsExactly("ssh-privatekey", "ssh-publickey");
    assertThat(GeneratedKeyNames.of("password", null)).containsExactly("password");
    assertThat(GeneratedKeyNames.of("password", new GenerateSpec())).containsExactly("password");
  }

  static X509Certificate certificate(String pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  private static List<String> sans(X509Certificate c) throws Exception {
    List<String> out = new ArrayList<>();
    for (List<?> n : c.getSubjectAlternativeNames()) {
      out.add(n.get(0) + ":" + n.get(1));
    }
    return out;
  }

  private static byte[] der(String pem) throws Exception {
    return new PemReader(new java.io.StringReader(pem)).readPemObject().getContent();
  }

  private static KeyPair sshPrivateKey(String text) throws Exception {
    Iterable<KeyPair> pairs =
        SecurityUtils.loadKeyPairIdentities(
            null, null, new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)), null);
    return pairs.iterator().next();
  }

  private static PublicKey sshPublicKey(String line) throws Exception {
    return AuthorizedKeyEntry.parseAuthorizedKeyEntry(line.trim())
        .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
  }
}
