package dev.managedsecrets.apiserver;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Client certificates, as the API server's x509 authenticator reads them: a certificate issued by
 * its client CA authenticates the user named by its subject's CN, in the groups its O values name,
 * and in system:authenticated. The CA is made afresh for each server (EC P-256), its key never
 * leaves the process, and it issues certificates (RSA keys) for a kubeconfig ({@link
 * EmbeddedApiServer#writeClientCertificateKubeconfig}).
 */
final class ClientCertificates {

  private final KeyPair ca;
  private final X509Certificate caCertificate;
  private final String caPem;

  private ClientCertificates(KeyPair ca, X509Certificate caCertificate) {
    this.ca = ca;
    this.caCertificate = caCertificate;
    try {
      this.caPem = LoopbackCertificate.pem("CERTIFICATE", caCertificate.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A certificate and its private key, both PEM (the key PKCS#8). */
  record Issued(String certificatePem, String privateKeyPem) {}

  static ClientCertificates generate() {
    try {
      KeyPair keys = ecKeys();
      X500Name name = new X500Name("CN=managedsecret-embedded-client-ca");
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              name,
              serial(),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(365))),
              name,
              keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return new ClientCertificates(keys, sign(builder, keys));
    } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
      throw new IllegalStateException("cannot make the client CA: " + e, e);
    }
  }

  /** The CA's certificate (PEM): what the server trusts client certificates with. */
  String caPem() {
    return caPem;
  }

  /** A client certificate for {@code user} (CN) in {@code groups} (O), valid a day. */
  Issued issue(String user, List<String> groups) {
    try {
      // RSA: the key type every client reads from a kubeconfig's client-key-data.
      KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
      rsa.initialize(2048);
      KeyPair keys = rsa.generateKeyPair();
      X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
      for (String group : groups) {
        subject.addRDN(BCStyle.O, group);
      }
      subject.addRDN(BCStyle.CN, user);
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              caCertificate,
              serial(),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(Duration.ofDays(1))),
              subject.build(),
              keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
      X509Certificate certificate = sign(builder, ca);
      return new Issued(
          LoopbackCertificate.pem("CERTIFICATE", certificate.getEncoded()),
          LoopbackCertificate.pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
      throw new IllegalStateException("cannot issue a client certificate: " + e, e);
    }
  }

  /**
   * The user a verified client certificate authenticates: CN the name, each O a group, and
   * system:authenticated; null when the subject has no CN.
   */
  static UserInfo user(X500Principal subject) {
    X500Name name = X500Name.getInstance(subject.getEncoded());
    var cn = name.getRDNs(BCStyle.CN);
    if (cn.length == 0) {
      return null;
    }
    List<String> groups = new ArrayList<>();
    for (var o : name.getRDNs(BCStyle.O)) {
      groups.add(o.getFirst().getValue().toString());
    }
    groups.add(UserInfo.AUTHENTICATED);
    return new UserInfo(cn[0].getFirst().getValue().toString(), "", groups, java.util.Map.of());
  }

  private static KeyPair ecKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, new SecureRandom());
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair signer)
      throws GeneralSecurityException, OperatorCreationException {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }
}
