package dev.managedsecrets.core.generate;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/** PEM text of keys and certificates, written and read by BouncyCastle. */
final class Pem {

  private Pem() {}

  /** An unencrypted PKCS#8 private key: {@code -----BEGIN PRIVATE KEY-----}. */
  static String privateKey(PrivateKey key) {
    try {
      return write(new JcaPKCS8Generator(key, null).generate());
    } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
      throw new IllegalStateException("the private key has no PKCS#8 encoding", e);
    }
  }

  /** A SubjectPublicKeyInfo public key: {@code -----BEGIN PUBLIC KEY-----}. */
  static String publicKey(PublicKey key) {
    return jca(key);
  }

  /** An X.509 certificate: {@code -----BEGIN CERTIFICATE-----}. */
  static String certificate(X509Certificate certificate) {
    try {
      return write(new PemObject("CERTIFICATE", certificate.getEncoded()));
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("the certificate has no encoding", e);
    }
  }

  /** A PEM block of {@code type} around {@code der}. */
  static String write(PemObject object) {
    StringWriter out = new StringWriter();
    try (PemWriter w = new PemWriter(out)) {
      w.writeObject(object);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  private static String jca(Object o) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  /** The PKCS#8 private key of {@code text} for {@code algorithm}, or null when it holds none. */
  static PrivateKey readPrivateKey(String text, String algorithm) {
    try (PemReader r = new PemReader(new StringReader(text))) {
      PemObject o = r.readPemObject();
      if (o == null || !o.getType().equals("PRIVATE KEY")) {
        return null;
      }
      return KeyFactory.getInstance(algorithm)
          .generatePrivate(new PKCS8EncodedKeySpec(o.getContent()));
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      return null;
    }
  }
}
