package dev.managedsecrets.operator.rotation;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A test CA made with BouncyCastle, and serving certificates it signs for DNS names. */
public final class TestCertificates {

  private final KeyPair caKeys;
  private final X509Certificate ca;

  private TestCertificates(KeyPair caKeys, X509Certificate ca) {
    this.caKeys = caKeys;
    this.ca = ca;
  }

  /** A new CA. */
  public static TestCertificates newCa() {
    try {
      KeyPair keys = keyPair();
      X500Name name = new X500Name("CN=rotation test CA " + System.nanoTime());
      JcaX509v3CertificateBuilder b = builder(name, name, keys);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return new TestCertificates(keys, sign(b, keys.getPrivate()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The CA's certificate as PEM. */
  public String caPem() {
    try {
      StringWriter out = new StringWriter();
      try (JcaPEMWriter w = new JcaPEMWriter(out)) {
        w.writeObject(ca);
      }
      return out.toString();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A serving certificate with these DNS subject alternative names, signed by this CA. */
  public X509Certificate leaf(KeyPair keys, String... dnsNames) {
    try {
      JcaX509v3CertificateBuilder b =
          builder(
              new X500Name(ca.getSubjectX500Principal().getName()),
              new X500Name("CN=" + (dnsNames.length > 0 ? dnsNames[0] : "no-name")),
              keys);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      if (dnsNames.length > 0) {
        GeneralName[] san = new GeneralName[dnsNames.length];
        for (int i = 0; i < dnsNames.length; i++) {
          san[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
        }
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
      }
      return sign(b, caKeys.getPrivate());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A server's TLS context serving a certificate for these DNS names. */
  public SSLContext serverContext(String... dnsNames) {
    try {
      KeyPair keys = keyPair();
      X509Certificate leaf = leaf(keys, dnsNames);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = new char[0];
      store.setKeyEntry("leaf", keys.getPrivate(), password, new Certificate[] {leaf, ca});
      KeyManagerFactory km = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      km.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(km.getKeyManagers(), null, null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static JcaX509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(now.toEpochMilli()).add(BigInteger.valueOf(System.nanoTime())),
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(Duration.ofDays(1))),
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey issuer)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer)));
  }
}
