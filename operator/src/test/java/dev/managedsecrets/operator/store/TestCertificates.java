package dev.managedsecrets.operator.store;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test CA and a server certificate it signs (BouncyCastle, EC P-256), written as PEM files for a
 * TLS server; the CA's certificate is what a client verifies with.
 */
public final class TestCertificates {

  private final String caPem;
  private final Path certificate;
  private final Path key;

  private TestCertificates(String caPem, Path certificate, Path key) {
    this.caPem = caPem;
    this.certificate = certificate;
    this.key = key;
  }

  /** A new CA, and a server certificate for the IP address {@code ip}, in {@code directory}. */
  public static TestCertificates forAddress(String ip, Path directory) {
    try {
      KeyPair ca = keyPair();
      X500Name caName = new X500Name("CN=managedsecret test CA");
      X509v3CertificateBuilder caBuilder =
          builder(caName, caName, ca)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate caCert = sign(caBuilder, ca);
      KeyPair server = keyPair();
      X509v3CertificateBuilder serverBuilder =
          builder(caName, new X500Name("CN=" + ip), server)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(new GeneralName(GeneralName.iPAddress, ip)));
      X509Certificate serverCert = sign(serverBuilder, ca);
      Path certFile = directory.resolve("server.crt");
      Path keyFile = directory.resolve("server.key");
      Files.writeString(certFile, pem(serverCert));
      Files.createFile(
          keyFile,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(keyFile, pem(new JcaPKCS8Generator(server.getPrivate(), null)));
      return new TestCertificates(pem(caCert), certFile, keyFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Another CA's certificate, which signed nothing the server presents. */
  public static byte[] otherCa() {
    try {
      KeyPair ca = keyPair();
      X500Name name = new X500Name("CN=another CA");
      return pem(sign(
              builder(name, name, ca)
                  .addExtension(Extension.basicConstraints, true, new BasicConstraints(true)),
              ca))
          .getBytes(StandardCharsets.UTF_8);
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  public byte[] caPem() {
    return caPem.getBytes(StandardCharsets.UTF_8);
  }

  public Path certificate() {
    return certificate;
  }

  public Path key() {
    return key;
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair pair) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(now.toEpochMilli()).add(BigInteger.valueOf(System.nanoTime() & 0xffff)),
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(Duration.ofDays(1))),
        subject,
        pair.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
      throws GeneralSecurityException, OperatorCreationException {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
  }

  private static String pem(Object o) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o);
    }
    return out.toString();
  }
}
