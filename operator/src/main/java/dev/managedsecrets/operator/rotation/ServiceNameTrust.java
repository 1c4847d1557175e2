package dev.managedsecrets.operator.rotation;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trust in a rotation function's serving certificate: the JDK's PKIX validation of its chain
 * against the CA bundle of the ManagedSecret (and no other CA), then an exact match of one of its
 * DNS subject alternative names with the Service's DNS name ({@code <name>.<namespace>.svc}). The
 * operator connects to the Service's cluster IP, so the name is checked here rather than against
 * the address; no wildcard, no common name, no IP address counts.
 */
final class ServiceNameTrust extends X509ExtendedTrustManager {

  /** The type of a DNS name in {@link X509Certificate#getSubjectAlternativeNames()}. */
  private static final int DNS_NAME = 2;

  private final X509ExtendedTrustManager chain;
  private final String dnsName;

  private ServiceNameTrust(X509ExtendedTrustManager chain, String dnsName) {
    this.chain = chain;
    this.dnsName = dnsName;
  }

  /**
   * Trust in certificates that {@code caBundle} (PEM) issued to {@code dnsName}.
   *
   * @throws IllegalArgumentException the bundle holds no certificate, or one that can't be read
   */
  static ServiceNameTrust of(String caBundle, String dnsName) {
    try {
      Collection<? extends java.security.cert.Certificate> cas =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(caBundle.getBytes(StandardCharsets.US_ASCII)));
      if (cas.isEmpty()) {
        throw new IllegalArgumentException("the CA bundle holds no PEM certificate");
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int i = 0;
      for (java.security.cert.Certificate ca : cas) {
        store.setCertificateEntry("ca-" + i++, ca);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(store);
      for (TrustManager tm : factory.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager x) {
          return new ServiceNameTrust(x, dnsName);
        }
      }
      throw new IllegalStateException("the JDK has no PKIX trust manager");
    } catch (CertificateException e) {
      throw new IllegalArgumentException("the CA bundle is not PEM certificates", e);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("the CA bundle could not be loaded", e);
    }
  }

  /** True when one of {@code certificate}'s DNS subject alternative names is {@code dnsName}. */
  static boolean names(X509Certificate certificate, String dnsName) {
    Collection<List<?>> alternatives;
    try {
      alternatives = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return false;
    }
    if (alternatives == null) {
      return false;
    }
    String wanted = dnsName.toLowerCase(Locale.ROOT);
    for (List<?> alternative : alternatives) {
      if (alternative.size() == 2
          && Integer.valueOf(DNS_NAME).equals(alternative.get(0))
          && alternative.get(1) instanceof String name
          && wanted.equals(name.toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }

  String dnsName() {
    return dnsName;
  }

  private void requireName(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0 || !names(chain[0], dnsName)) {
      throw new CertificateException(
          "the function's certificate does not name "
              + dnsName
              + " in its subject alternative names");
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certs, String authType, Socket socket)
      throws CertificateException {
    chain.checkServerTrusted(certs, authType, socket);
    requireName(certs);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
      throws CertificateException {
    chain.checkServerTrusted(certs, authType, engine);
    requireName(certs);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] certs, String authType)
      throws CertificateException {
    chain.checkServerTrusted(certs, authType);
    requireName(certs);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certs, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("a rotation function's client is never trusted");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certs, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("a rotation function's client is never trusted");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] certs, String authType)
      throws CertificateException {
    throw new CertificateException("a rotation function's client is never trusted");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return chain.getAcceptedIssuers();
  }
}
