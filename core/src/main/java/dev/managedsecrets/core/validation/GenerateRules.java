package dev.managedsecrets.core.validation;

import dev.managedsecrets.api.v1alpha1.CertificateSpec;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.core.generate.GeneratedKeyNames;
import dev.managedsecrets.core.generate.GeneratorType;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.bouncycastle.util.IPAddress;

/**
 * The rules of {@code spec.generate}'s entries, as the CRD's schema has them, for when it cannot
 * hold them. Key names are part of the value: a message counts entries ("entry 2 of 3, in sorted
 * order"), it never names one.
 */
final class GenerateRules {

  private GenerateRules() {}

  /**
   * The value's keys that the entries fill ({@link GeneratedKeyNames}).
   *
   * @throws SecretsManagerException InvalidParameterException when two entries fill one key
   */
  static Set<String> keys(Map<String, GenerateSpec> generate) {
    Set<String> keys = new HashSet<>();
    if (generate == null) {
      return keys;
    }
    for (Map.Entry<String, GenerateSpec> e : new TreeMap<>(generate).entrySet()) {
      for (String key : GeneratedKeyNames.of(e.getKey(), e.getValue())) {
        if (!keys.add(key)) {
          throw SecretsManagerException.invalidParameter(
              "Two generate entries fill the same key of the value: name them apart"
                  + " (docs/API.md#generators says which keys each type fills).");
        }
      }
    }
    return keys;
  }

  /**
   * @throws SecretsManagerException InvalidParameterException for the first entry that breaks a
   *     rule
   */
  static void check(Map<String, GenerateSpec> generate) {
    if (generate == null) {
      return;
    }
    int position = 0;
    for (Map.Entry<String, GenerateSpec> e : new TreeMap<>(generate).entrySet()) {
      GenerateSpec g = e.getValue();
      position++;
      String entry = "generate entry " + position + " of " + generate.size() + " (in sorted order)";
      GeneratorType type = GeneratorType.of(g);
      if (g == null) {
        continue;
      }
      if (g.passwordLength != null && (g.passwordLength < 1 || g.passwordLength > 4096)) {
        // Key names are part of the value: the message counts, it does not name them.
        throw invalid(entry, "passwordLength must be between 1 and 4096.");
      }
      if (type != GeneratorType.PASSWORD && passwordParameters(g)) {
        throw invalid(entry, "GetRandomPassword parameters are for type password only.");
      }
      if (g.algorithm != null && !algorithms(type).contains(g.algorithm)) {
        throw invalid(
            entry,
            "algorithm is for type sshKeyPair (ed25519, rsa) and tlsCertificate (ecdsa, rsa).");
      }
      boolean rsa =
          type == GeneratorType.RSA_KEY
              || ((type == GeneratorType.SSH_KEY_PAIR || type == GeneratorType.TLS_CERTIFICATE)
                  && "rsa".equals(g.algorithm));
      if (g.bits != null && (!rsa || !List.of(2048, 3072, 4096).contains(g.bits))) {
        throw invalid(entry, "bits is for RSA keys, and must be 2048, 3072 or 4096.");
      }
      boolean ec =
          type == GeneratorType.EC_KEY
              || (type == GeneratorType.TLS_CERTIFICATE && !"rsa".equals(g.algorithm));
      if (g.curve != null && (!ec || !List.of("P-256", "P-384").contains(g.curve))) {
        throw invalid(entry, "curve is for EC keys, and must be P-256 or P-384.");
      }
      if ((g.length != null || g.encoding != null) && type != GeneratorType.RANDOM_BYTES) {
        throw invalid(entry, "length and encoding are for type randomBytes only.");
      }
      if (g.length != null && (g.length < 1 || g.length > 1024)) {
        throw invalid(entry, "length must be between 1 and 1024.");
      }
      if (g.encoding != null && !List.of("base64", "hex").contains(g.encoding)) {
        throw invalid(entry, "encoding must be base64 or hex.");
      }
      if ((g.certificate != null) != (type == GeneratorType.TLS_CERTIFICATE)) {
        throw invalid(entry, "certificate is needed by type tlsCertificate, and for it only.");
      }
      if (g.certificate != null) {
        certificate(entry, g.certificate);
      }
    }
  }

  private static void certificate(String entry, CertificateSpec c) {
    boolean noNames =
        c.commonName == null
            && (c.dnsNames == null || c.dnsNames.isEmpty())
            && (c.ipAddresses == null || c.ipAddresses.isEmpty());
    if (noNames) {
      throw invalid(entry, "a certificate needs a commonName, dnsNames or ipAddresses.");
    }
    if ((c.dnsNames != null && c.dnsNames.size() > CertificateSpec.MAX_NAMES)
        || (c.ipAddresses != null && c.ipAddresses.size() > CertificateSpec.MAX_NAMES)) {
      throw invalid(entry, "a certificate has at most 32 dnsNames and 32 ipAddresses.");
    }
    if (c.ipAddresses != null && !c.ipAddresses.stream().allMatch(IPAddress::isValid)) {
      throw invalid(entry, "a certificate's ipAddresses must be IPv4 or IPv6 addresses.");
    }
    int validity =
        c.validityHours == null ? CertificateSpec.DEFAULT_VALIDITY_HOURS : c.validityHours;
    if (validity < 1 || validity > CertificateSpec.MAX_VALIDITY_HOURS) {
      throw invalid(entry, "validityHours must be between 1 and 87600.");
    }
    if (c.renewBeforeHours != null && (c.renewBeforeHours < 1 || c.renewBeforeHours >= validity)) {
      throw invalid(entry, "renewBeforeHours must be at least 1 and less than validityHours.");
    }
    if (c.issuer != null && (c.issuer.name == null || c.issuer.key == null)) {
      throw invalid(entry, "a certificate's issuer needs a name and a key.");
    }
  }

  private static List<String> algorithms(GeneratorType type) {
    return switch (type) {
      case SSH_KEY_PAIR -> List.of("ed25519", "rsa");
      case TLS_CERTIFICATE -> List.of("ecdsa", "rsa");
      default -> List.of();
    };
  }

  private static boolean passwordParameters(GenerateSpec g) {
    return g.passwordLength != null
        || g.excludeCharacters != null
        || g.excludeNumbers != null
        || g.excludePunctuation != null
        || g.excludeUppercase != null
        || g.excludeLowercase != null
        || g.includeSpace != null
        || g.requireEachIncludedType != null;
  }

  private static SecretsManagerException invalid(String entry, String rule) {
    return SecretsManagerException.invalidParameter("In " + entry + ": " + rule);
  }
}
