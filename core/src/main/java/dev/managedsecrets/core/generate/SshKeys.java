package dev.managedsecrets.core.generate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Base64;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.OpenSSHPrivateKeyUtil;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * OpenSSH's forms of a key pair: the private key as {@code -----BEGIN OPENSSH PRIVATE KEY-----}
 * (openssh-key-v1, unencrypted) and the public key as an authorized_keys line. BouncyCastle encodes
 * the public key blob and the whole Ed25519 private key; for RSA it has no openssh-key-v1 writer,
 * so this class lays the RSA key's numbers into that container (OpenSSH's PROTOCOL.key: RFC 4251
 * strings, uint32s and mpints, cipher and KDF "none"), an encoding with no cryptography in it.
 */
final class SshKeys {

  private static final String OPENSSH_PRIVATE_KEY = "OPENSSH PRIVATE KEY";
  private static final byte[] MAGIC = "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);

  private final SecureRandom random;

  SshKeys(SecureRandom random) {
    this.random = random;
  }

  /** The private key in OpenSSH's format, PEM-armoured. */
  String privateKey(KeyPair pair) {
    byte[] blob;
    try {
      blob =
          pair.getPrivate() instanceof RSAPrivateCrtKey rsa
              ? rsaContainer(rsa, publicBlob(pair))
              : OpenSSHPrivateKeyUtil.encodePrivateKey(
                  PrivateKeyFactory.createKey(pair.getPrivate().getEncoded()));
    } catch (IOException e) {
      throw new IllegalStateException("the private key has no OpenSSH encoding", e);
    }
    return Pem.write(new PemObject(OPENSSH_PRIVATE_KEY, blob));
  }

  /** The public key as one authorized_keys line, with no comment: {@code ssh-ed25519 AAAA...}. */
  static String authorizedKey(KeyPair pair) {
    byte[] blob = publicBlob(pair);
    return algorithm(blob) + " " + Base64.getEncoder().encodeToString(blob) + "\n";
  }

  private static byte[] publicBlob(KeyPair pair) {
    try {
      AsymmetricKeyParameter key = PublicKeyFactory.createKey(pair.getPublic().getEncoded());
      return OpenSSHPublicKeyUtil.encodePublicKey(key);
    } catch (IOException e) {
      throw new IllegalStateException("the public key has no OpenSSH encoding", e);
    }
  }

  /** The algorithm name a public key blob starts with (its first string). */
  private static String algorithm(byte[] blob) {
    int length =
        ((blob[0] & 0xff) << 24) | ((blob[1] & 0xff) << 16) | ((blob[2] & 0xff) << 8) | blob[3];
    return new String(blob, 4, length, StandardCharsets.US_ASCII);
  }

  private byte[] rsaContainer(RSAPrivateCrtKey key, byte[] publicBlob) {
    Wire secret = new Wire();
    int check = random.nextInt();
    secret.u32(check);
    secret.u32(check);
    secret.string("ssh-rsa".getBytes(StandardCharsets.US_ASCII));
    secret.mpint(key.getModulus());
    secret.mpint(key.getPublicExponent());
    secret.mpint(key.getPrivateExponent());
    secret.mpint(key.getCrtCoefficient());
    secret.mpint(key.getPrimeP());
    secret.mpint(key.getPrimeQ());
    secret.string(new byte[0]); // no comment
    for (int pad = 1; secret.size() % 8 != 0; pad++) {
      secret.out.write(pad);
    }
    Wire out = new Wire();
    out.out.writeBytes(MAGIC);
    out.string("none".getBytes(StandardCharsets.US_ASCII));
    out.string("none".getBytes(StandardCharsets.US_ASCII));
    out.string(new byte[0]);
    out.u32(1);
    out.string(publicBlob);
    byte[] section = secret.out.toByteArray();
    out.string(section);
    java.util.Arrays.fill(section, (byte) 0);
    return out.out.toByteArray();
  }

  /** RFC 4251's data types, as OpenSSH's key format uses them. */
  private static final class Wire {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void u32(int v) {
      out.write(v >>> 24);
      out.write(v >>> 16);
      out.write(v >>> 8);
      out.write(v);
    }

    void string(byte[] bytes) {
      u32(bytes.length);
      out.writeBytes(bytes);
    }

    void mpint(BigInteger v) {
      string(v.signum() == 0 ? new byte[0] : v.toByteArray());
    }

    int size() {
      return out.size();
    }
  }
}
