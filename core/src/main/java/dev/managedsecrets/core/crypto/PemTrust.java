package dev.managedsecrets.core.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** TLS that trusts the certificates of a PEM file and nothing else (e.g. the endpoint's CA). */
public final class PemTrust {

  private PemTrust() {}

  /**
   * A TLS context trusting each certificate of the PEM file {@code file}.
   *
   * @throws IllegalArgumentException when the file holds no certificate
   * @throws IOException when it cannot be read
   * @throws GeneralSecurityException when it is not PEM certificates
   */
  public static SSLContext context(Path file) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      return context(in, file.toString());
    }
  }

  /**
   * A TLS context trusting each certificate of {@code pem}.
   *
   * @throws IllegalArgumentException when it holds no certificate
   * @throws GeneralSecurityException when it is not PEM certificates
   */
  public static SSLContext context(byte[] pem) throws GeneralSecurityException {
    try {
      return context(new java.io.ByteArrayInputStream(pem), "the CA certificates");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static SSLContext context(InputStream in, String what)
      throws IOException, GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    int i = 0;
    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
      trust.setCertificateEntry("ca-" + i++, c);
    }
    if (i == 0) {
      throw new IllegalArgumentException(what + " holds no PEM certificate");
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }
}
