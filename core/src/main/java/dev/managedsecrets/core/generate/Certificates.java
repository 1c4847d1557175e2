package dev.managedsecrets.core.generate;

import dev.managedsecrets.api.v1alpha1.CertificateSpec;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * Issues X.509 certificates through BouncyCastle: self-signed, or signed by an {@link Issuer}; with
 * the subjectAltName's DNS names and IP addresses, basic constraints (CA or not), key usages, and
 * key identifiers. A certificate never outlives its issuer's.
 */
final class Certificates {

  private final SecureRandom random;

  Certificates(SecureRandom random) {
    this.random = random;
  }

  /** How long a certificate of {@code spec} is valid. */
  static Duration validity(CertificateSpec spec) {
    return Duration.ofHours(
        spec.validityHours == null ? CertificateSpec.DEFAULT_VALIDITY_HOURS : spec.validityHours);
  }

  /** How long before its notAfter a certificate of {@code spec} is renewed: default a third. */
  static Duration renewBefore(CertificateSpec spec) {
    return spec.renewBeforeHours != null
        ? Duration.ofHours(spec.renewBeforeHours)
        : validity(spec).dividedBy(3);
  }

  /**
   * A certificate of {@code subject}'s public key, valid from {@code now}.
   *
   * @param issuer the CA that signs it, or null: self-signed with {@code subject}'s private key
   */
  X509Certificate issue(CertificateSpec spec, KeyPair subject, Issuer issuer, Instant now) {
    Instant notBefore = now.truncatedTo(ChronoUnit.SECONDS);
    Instant notAfter = notBefore.plus(validity(spec));
    if (issuer != null && notAfter.isAfter(issuer.certificate().getNotAfter().toInstant())) {
      notAfter = issuer.certificate().getNotAfter().toInstant();
    }
    X500Name name = subjectName(spec);
    PrivateKey signer = issuer == null ? subject.getPrivate() : issuer.key();
    PublicKey signerPublic =
        issuer == null ? subject.getPublic() : issuer.certificate().getPublicKey();
    boolean ca = Boolean.TRUE.equals(spec.isCA);
    try {
      JcaX509ExtensionUtils ids = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b =
          issuer == null
              ? new JcaX509v3CertificateBuilder(
                  name,
                  serial(),
                  Date.from(notBefore),
                  Date.from(notAfter),
                  name,
                  subject.getPublic())
              : new JcaX509v3CertificateBuilder(
                  issuer.certificate(),
                  serial(),
                  Date.from(notBefore),
                  Date.from(notAfter),
                  name,
                  subject.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      b.addExtension(Extension.keyUsage, true, keyUsage(ca, subject.getPublic()));
      if (!ca) {
        b.addExtension(
            Extension.extendedKeyUsage,
            false,
            new ExtendedKeyUsage(
                new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      }
      GeneralNames sans = alternativeNames(spec);
      if (sans != null) {
        b.addExtension(Extension.subjectAlternativeName, false, sans);
      }
      b.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          ids.createSubjectKeyIdentifier(subject.getPublic()));
      b.addExtension(
          Extension.authorityKeyIdentifier, false, ids.createAuthorityKeyIdentifier(signerPublic));
      return new JcaX509CertificateConverter()
          .getCertificate(
              b.build(new JcaContentSignerBuilder(signatureAlgorithm(signer)).build(signer)));
    } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
      throw new IllegalStateException("the certificate could not be made", e);
    }
  }

  private BigInteger serial() {
    return new BigInteger(127, random).add(BigInteger.ONE);
  }

  private static KeyUsage keyUsage(boolean ca, PublicKey key) {
    if (ca) {
      return new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature);
    }
    return new KeyUsage(
        key.getAlgorithm().equals("RSA")
            ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment
            : KeyUsage.digitalSignature);
  }

  private static X500Name subjectName(CertificateSpec spec) {
    String cn =
        spec.commonName != null
            ? spec.commonName
            : spec.dnsNames != null && !spec.dnsNames.isEmpty()
                ? spec.dnsNames.get(0)
                : spec.ipAddresses.get(0);
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, cn).build();
  }

  private static GeneralNames alternativeNames(CertificateSpec spec) {
    List<GeneralName> names = new ArrayList<>();
    if (spec.dnsNames != null) {
      spec.dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
    }
    if (spec.ipAddresses != null) {
      for (String ip : spec.ipAddresses) {
        if (!IPAddress.isValid(ip)) {
          throw new IllegalArgumentException("not an IP address");
        }
        names.add(new GeneralName(GeneralName.iPAddress, ip));
      }
    }
    return names.isEmpty() ? null : new GeneralNames(names.toArray(GeneralName[]::new));
  }

  static String signatureAlgorithm(PrivateKey key) {
    if (key instanceof ECKey ec) {
      return ec.getParams().getOrder().bitLength() > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
    }
    return switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new IllegalArgumentException("no signature algorithm for this key");
    };
  }
}
