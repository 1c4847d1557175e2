package dev.managedsecrets.core.generate;

import dev.managedsecrets.core.secret.SecretsManagerException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/**
 * A CA that signs generated certificates: its certificate and private key, as a tlsCertificate
 * entry with isCA left them in another ManagedSecret's value. Its toString shows no key.
 */
public final class Issuer {

  private final X509Certificate certificate;
  private final String certificatePem;
  private final PrivateKey key;

  private Issuer(X509Certificate certificate, String certificatePem, PrivateKey key) {
    this.certificate = certificate;
    this.certificatePem = certificatePem;
    this.key = key;
  }

  /**
   * The CA of a certificate's and a PKCS#8 private key's PEM text.
   *
   * @param what what the message of a failure calls the CA (never a key name)
   * @throws SecretsManagerException InvalidParameterException: either is missing or does not parse,
   *     or the certificate is not a CA's
   */
  public static Issuer of(String certificatePem, String keyPem, String what) {
    if (certificatePem == null || keyPem == null) {
      throw SecretsManagerException.invalidParameter(
          what + " holds no CA certificate and private key under the key that issuer.key names.");
    }
    X509Certificate certificate;
    try {
      certificate =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(
                      new ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII)));
    } catch (CertificateException | ClassCastException e) {
      throw SecretsManagerException.invalidParameter(
          what + " holds no X.509 certificate where issuer.key points.");
    }
    if (certificate.getBasicConstraints() < 0) {
      throw SecretsManagerException.invalidParameter(
          what + " holds a certificate that is not a CA's: generate it with certificate.isCA.");
    }
    PrivateKey key = Pem.readPrivateKey(keyPem, certificate.getPublicKey().getAlgorithm());
    if (key == null || !pair(certificate, key)) {
      throw SecretsManagerException.invalidParameter(
          what + " holds no PKCS#8 private key of its CA certificate.");
    }
    return new Issuer(certificate, certificatePem, key);
  }

  /** True when {@code key} signs what the certificate's public key verifies. */
  private static boolean pair(X509Certificate certificate, PrivateKey key) {
    try {
      byte[] probe = "managedsecrets.dev/issuer".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(Certificates.signatureAlgorithm(key));
      s.initSign(key);
      s.update(probe);
      byte[] signature = s.sign();
      s.initVerify(certificate.getPublicKey());
      s.update(probe);
      return s.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  X509Certificate certificate() {
    return certificate;
  }

  String certificatePem() {
    return certificatePem;
  }

  PrivateKey key() {
    return key;
  }

  @Override
  public String toString() {
    return "Issuer[" + certificate.getSubjectX500Principal().getName() + "]";
  }
}
