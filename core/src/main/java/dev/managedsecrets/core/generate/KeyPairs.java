package dev.managedsecrets.core.generate;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;

/** New key pairs from the JDK's providers: RSA of 2048-4096 bits, EC P-256 and P-384, Ed25519. */
final class KeyPairs {

  static final int DEFAULT_RSA_BITS = 3072;
  static final String DEFAULT_CURVE = "P-256";

  private final SecureRandom random;

  KeyPairs(SecureRandom random) {
    this.random = random;
  }

  KeyPair rsa(Integer bits) {
    int size = bits == null ? DEFAULT_RSA_BITS : bits;
    if (size != 2048 && size != 3072 && size != 4096) {
      throw new IllegalArgumentException("RSA keys are of 2048, 3072 or 4096 bits");
    }
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(new RSAKeyGenParameterSpec(size, RSAKeyGenParameterSpec.F4), random);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK makes no RSA keys", e);
    }
  }

  KeyPair ec(String curve) {
    String name =
        switch (curve == null ? DEFAULT_CURVE : curve) {
          case "P-256" -> "secp256r1";
          case "P-384" -> "secp384r1";
          default -> throw new IllegalArgumentException("EC keys are on P-256 or P-384");
        };
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(name), random);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK makes no EC keys", e);
    }
  }

  KeyPair ed25519() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
      g.initialize(255, random);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK makes no Ed25519 keys", e);
    }
  }
}
