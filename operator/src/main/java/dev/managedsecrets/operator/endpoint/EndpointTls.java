package dev.managedsecrets.operator.endpoint;

import dev.managedsecrets.operator.config.EndpointConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The endpoint's TLS: a certificate from a kubernetes.io/tls Secret (mode {@code secret}), or one
 * made at start (mode {@code generate}) and issued by a CA that the operator keeps in a Secret of
 * its namespace (made once, shared by every replica: each replica's certificate is trusted by the
 * same CA) and publishes, its certificate only, in a ConfigMap for clients to trust.
 */
final class EndpointTls {

  static final String CA_CERT = "ca.crt";
  static final String CA_KEY = "ca.key";
  static final Duration CA_VALIDITY = Duration.ofDays(3650);
  static final Duration LEAF_VALIDITY = Duration.ofDays(365);

  private static final SecureRandom RANDOM = new SecureRandom();

  private EndpointTls() {}

  /** The SSLContext the endpoint serves with, or null for plain HTTP (mode none). */
  static SSLContext context(
      KubernetesClient client, String namespace, EndpointConfig config, Clock clock) {
    EndpointConfig.TlsSettings tls = config.tls();
    try {
      return switch (tls.mode()) {
        case "none" -> null;
        case "secret" -> fromSecret(client, namespace, tls.secretName());
        default -> generated(client, namespace, tls, clock);
      };
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(
          "Could not set up TLS of the Secrets Manager endpoint (endpoint.tls.mode "
              + tls.mode()
              + "): "
              + e.getMessage(),
          e);
    }
  }

  private static SSLContext fromSecret(KubernetesClient client, String namespace, String name)
      throws GeneralSecurityException, IOException {
    Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
    if (secret == null || secret.getData() == null) {
      throw new IllegalStateException(
          "Secret " + namespace + "/" + name + " (endpoint.tls.secretName) was not found");
    }
    String cert = decode(secret.getData().get("tls.crt"));
    String key = decode(secret.getData().get("tls.key"));
    if (cert == null || key == null) {
      throw new IllegalStateException(
          "Secret " + namespace + "/" + name + " needs the keys tls.crt and tls.key");
    }
    return context(readKey(key), readCertificates(cert));
  }

  private static SSLContext generated(
      KubernetesClient client, String namespace, EndpointConfig.TlsSettings tls, Clock clock)
      throws GeneralSecurityException, IOException {
    Secret ca = loadOrCreateCa(client, namespace, tls.caSecretName(), clock);
    String caPem = decode(ca.getData().get(CA_CERT));
    X509Certificate caCert = readCertificates(caPem).get(0);
    PrivateKey caKey = readKey(decode(ca.getData().get(CA_KEY)));
    publish(client, namespace, tls.caConfigMap(), caPem);
    List<String> names = new ArrayList<>();
    String service = tls.serviceName();
    names.add(service);
    names.add(service + "." + namespace);
    names.add(service + "." + namespace + ".svc");
    names.add(service + "." + namespace + ".svc.cluster.local");
    names.add("localhost");
    KeyPair leaf = keyPair();
    Instant now = clock.instant();
    GeneralName[] san = new GeneralName[names.size() + 1];
    for (int i = 0; i < names.size(); i++) {
      san[i] = new GeneralName(GeneralName.dNSName, names.get(i));
    }
    san[names.size()] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            caCert,
            new BigInteger(128, RANDOM),
            Date.from(now.minus(Duration.ofMinutes(5))),
            Date.from(now.plus(LEAF_VALIDITY)),
            new X500Name("CN=" + service + "." + namespace + ".svc"),
            leaf.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    builder.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
    return context(leaf.getPrivate(), List.of(sign(builder, caKey), caCert));
  }

  /** The CA Secret: read, or made once (a concurrent replica's wins; it is read then). */
  private static Secret loadOrCreateCa(
      KubernetesClient client, String namespace, String name, Clock clock)
      throws GeneralSecurityException, IOException {
    Secret found = client.secrets().inNamespace(namespace).withName(name).get();
    if (found != null) {
      return found;
    }
    KeyPair ca = keyPair();
    Instant now = clock.instant();
    X500Name subject = new X500Name("CN=managedsecret-endpoint-ca");
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            subject,
            new BigInteger(128, RANDOM),
            Date.from(now.minus(Duration.ofMinutes(5))),
            Date.from(now.plus(CA_VALIDITY)),
            subject,
            ca.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    builder.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    X509Certificate cert = sign(builder, ca.getPrivate());
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .addToLabels("app.kubernetes.io/managed-by", "managedsecret-operator")
            .endMetadata()
            .withType("Opaque")
            .withData(
                Map.of(
                    CA_CERT, encode(pem(cert)),
                    CA_KEY, encode(pkcs8(ca.getPrivate()))))
            .build();
    try {
      return client.resource(secret).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return client.secrets().inNamespace(namespace).withName(name).get();
      }
      throw e;
    }
  }

  /**
   * Publishes the CA certificate (public) in the ConfigMap, key ca.crt; written only if changed.
   */
  private static void publish(
      KubernetesClient client, String namespace, String name, String caPem) {
    ConfigMap current = client.configMaps().inNamespace(namespace).withName(name).get();
    if (current != null
        && current.getData() != null
        && caPem.equals(current.getData().get(CA_CERT))) {
      return;
    }
    ConfigMap wanted =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .addToLabels("app.kubernetes.io/managed-by", "managedsecret-operator")
            .endMetadata()
            .withData(Map.of(CA_CERT, caPem))
            .build();
    if (current == null) {
      try {
        client.resource(wanted).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    } else {
      client.resource(wanted).update();
    }
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey issuer)
      throws GeneralSecurityException, IOException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }

  private static SSLContext context(PrivateKey key, List<X509Certificate> chain)
      throws GeneralSecurityException, IOException {
    char[] password = new char[0];
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("endpoint", key, password, chain.toArray(new Certificate[0]));
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, password);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, RANDOM);
    return context;
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  static List<X509Certificate> readCertificates(String pem)
      throws IOException, GeneralSecurityException {
    List<X509Certificate> out = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof X509CertificateHolder holder) {
          out.add(new JcaX509CertificateConverter().getCertificate(holder));
        }
      }
    }
    if (out.isEmpty()) {
      throw new GeneralSecurityException("no certificate in the PEM text");
    }
    return out;
  }

  private static PrivateKey readKey(String pem) throws IOException, GeneralSecurityException {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (o instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
    }
    throw new GeneralSecurityException("no private key in the PEM text");
  }

  private static String pem(Object o) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(o);
    }
    return out.toString();
  }

  /** A private key as PEM "PRIVATE KEY" (PKCS#8, as the JDK encodes it). */
  private static String pkcs8(PrivateKey key) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  private static String decode(String base64) {
    return base64 == null
        ? null
        : new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  private static String encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
