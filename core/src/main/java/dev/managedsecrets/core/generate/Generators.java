package dev.managedsecrets.core.generate;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes the keys of a generate entry of any type but password (which {@code PasswordGenerator}
 * makes): SSH key pairs, RSA and EC keys, TLS certificates, random bytes and UUIDs, under the names
 * {@link GeneratedKeyNames} gives. All randomness comes from one {@link SecureRandom}; all
 * cryptography from the JDK and BouncyCastle.
 */
public final class Generators {

  /** The default number of random bytes. */
  public static final int DEFAULT_RANDOM_BYTES = 32;

  private final SecureRandom random;
  private final KeyPairs keys;
  private final SshKeys ssh;
  private final Certificates certificates;

  public Generators() {
    this(new SecureRandom());
  }

  Generators(SecureRandom random) {
    this.random = random;
    this.keys = new KeyPairs(random);
    this.ssh = new SshKeys(random);
    this.certificates = new Certificates(random);
  }

  /**
   * What one entry made: its keys' values, and for a certificate its notAfter and renewal time. Its
   * toString shows no value.
   */
  public record Made(Map<String, String> values, GeneratedEntry entry) {
    @Override
    public String toString() {
      return "Made[" + values.size() + " keys]";
    }
  }

  /**
   * The values of the entry {@code name}.
   *
   * @param parameters the hash of the entry's parameters, recorded in {@link Made#entry()}
   * @param issuers where a certificate's issuer is found
   * @param now when a certificate's validity starts
   * @throws dev.managedsecrets.core.secret.SecretsManagerException InvalidParameterException: the
   *     issuer is not a CA that can be read
   */
  public Made make(
      String name, GenerateSpec spec, String parameters, Issuers issuers, Instant now) {
    Map<String, String> out = new LinkedHashMap<>();
    GeneratorType type = GeneratorType.of(spec);
    switch (type) {
      case PASSWORD -> throw new IllegalArgumentException("passwords are made elsewhere");
      case UUID -> out.put(name, java.util.UUID.randomUUID().toString());
      case RANDOM_BYTES -> out.put(name, randomBytes(spec));
      case SSH_KEY_PAIR -> {
        KeyPair pair = "rsa".equals(spec.algorithm) ? keys.rsa(spec.bits) : keys.ed25519();
        out.put(GeneratedKeyNames.privateKey(name, spec), ssh.privateKey(pair));
        out.put(GeneratedKeyNames.publicKey(name, spec), SshKeys.authorizedKey(pair));
      }
      case RSA_KEY, EC_KEY -> {
        KeyPair pair = type == GeneratorType.RSA_KEY ? keys.rsa(spec.bits) : keys.ec(spec.curve);
        out.put(GeneratedKeyNames.privateKey(name, spec), Pem.privateKey(pair.getPrivate()));
        out.put(GeneratedKeyNames.publicKey(name, spec), Pem.publicKey(pair.getPublic()));
      }
      case TLS_CERTIFICATE -> {
        return certificate(name, spec, parameters, issuers, now);
      }
    }
    return new Made(out, GeneratedEntry.of(parameters));
  }

  private Made certificate(
      String name, GenerateSpec spec, String parameters, Issuers issuers, Instant now) {
    Issuer issuer = spec.certificate.issuer == null ? null : issuers.find(spec.certificate.issuer);
    KeyPair pair = "rsa".equals(spec.algorithm) ? keys.rsa(spec.bits) : keys.ec(spec.curve);
    X509Certificate certificate = certificates.issue(spec.certificate, pair, issuer, now);
    Map<String, String> out = new LinkedHashMap<>();
    out.put(GeneratedKeyNames.certificate(name), Pem.certificate(certificate));
    out.put(GeneratedKeyNames.privateKey(name, spec), Pem.privateKey(pair.getPrivate()));
    if (issuer != null) {
      out.put(GeneratedKeyNames.caCertificate(name), issuer.certificatePem());
    }
    Duration renewBefore = Certificates.renewBefore(spec.certificate);
    Duration lifetime =
        Duration.between(
            certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
    if (renewBefore.compareTo(lifetime) >= 0) {
      // Cut short by its issuer's notAfter: renewed at a third of what it has, as by default.
      renewBefore = lifetime.dividedBy(3);
    }
    return new Made(
        out, new GeneratedEntry(parameters, certificate.getNotAfter().toInstant(), renewBefore));
  }

  private String randomBytes(GenerateSpec spec) {
    int length = spec.length == null ? DEFAULT_RANDOM_BYTES : spec.length;
    if (length < 1 || length > 1024) {
      throw new IllegalArgumentException("randomBytes are 1-1024 bytes");
    }
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    try {
      return "hex".equals(spec.encoding)
          ? HexFormat.of().formatHex(bytes)
          : Base64.getEncoder().encodeToString(bytes);
    } finally {
      java.util.Arrays.fill(bytes, (byte) 0);
    }
  }

  /** The notAfter of a PEM certificate, or null when {@code pem} holds none. */
  public static Instant notAfter(String pem) {
    if (pem == null) {
      return null;
    }
    try {
      X509Certificate c =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(
                      new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      return c.getNotAfter().toInstant();
    } catch (CertificateException | ClassCastException e) {
      return null;
    }
  }
}
