package dev.managedsecrets.core.generate;

import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import java.util.List;

/**
 * The keys of the value a generate entry fills, named after the entry's key {@code N}:
 *
 * <ul>
 *   <li>password, randomBytes, uuid: {@code N};
 *   <li>sshKeyPair: {@code N-privatekey} (OpenSSH) and {@code N-publickey} (an authorized_keys
 *       line), so that {@code ssh} gives kubernetes.io/ssh-auth's {@code ssh-privatekey};
 *   <li>rsaKey, ecKey: {@code N.key} (PKCS#8 PEM) and {@code N.pub} (SubjectPublicKeyInfo PEM);
 *   <li>tlsCertificate: {@code N.crt} and {@code N.key}, so that {@code tls} gives
 *       kubernetes.io/tls's {@code tls.crt} and {@code tls.key}; signed by a CA, also the CA's
 *       certificate, {@code ca.crt} for {@code tls} and {@code N.ca.crt} for any other key.
 * </ul>
 */
public final class GeneratedKeyNames {

  /** The key a tlsCertificate entry named {@code tls} keeps its CA's certificate under. */
  public static final String TLS = "tls";

  private GeneratedKeyNames() {}

  /** The value's keys that the entry {@code name} fills, in a fixed order. */
  public static List<String> of(String name, GenerateSpec spec) {
    return switch (GeneratorType.of(spec)) {
      case PASSWORD, RANDOM_BYTES, UUID -> List.of(name);
      case SSH_KEY_PAIR -> List.of(privateKey(name, spec), publicKey(name, spec));
      case RSA_KEY, EC_KEY -> List.of(privateKey(name, spec), publicKey(name, spec));
      case TLS_CERTIFICATE ->
          spec.certificate != null && spec.certificate.issuer != null
              ? List.of(certificate(name), privateKey(name, spec), caCertificate(name))
              : List.of(certificate(name), privateKey(name, spec));
    };
  }

  /** The key of a certificate: {@code N.crt}. */
  public static String certificate(String name) {
    return name + ".crt";
  }

  /** The key of a signed certificate's CA certificate: {@code ca.crt} or {@code N.ca.crt}. */
  public static String caCertificate(String name) {
    return TLS.equals(name) ? "ca.crt" : name + ".ca.crt";
  }

  /** The key of the private key. */
  public static String privateKey(String name, GenerateSpec spec) {
    return GeneratorType.of(spec) == GeneratorType.SSH_KEY_PAIR
        ? name + "-privatekey"
        : certificateKey(name);
  }

  /** The key of a certificate's (or an RSA or EC key's) private key: {@code N.key}. */
  public static String certificateKey(String name) {
    return name + ".key";
  }

  /** The key of the public key (not of a certificate, whose key is in it). */
  public static String publicKey(String name, GenerateSpec spec) {
    return GeneratorType.of(spec) == GeneratorType.SSH_KEY_PAIR
        ? name + "-publickey"
        : name + ".pub";
  }
}
