package dev.managedsecrets.operator.kms.pkcs11;

import dev.managedsecrets.core.crypto.Aead;
import dev.managedsecrets.core.crypto.EncryptionContext;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.operator.kms.provider.KeyProvider;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code pkcs11} provider: key material in an HSM, reached through the JDK's SunPKCS11.
 *
 * <p>Each material version of a KMS key is one AES-256 secret key object in the token, labelled
 * {@code <labelPrefix><keyId>/<version>}, created sensitive and not extractable: it never leaves
 * the token. A data key is 32 random bytes that the token encrypts with AES-256-GCM under that
 * object (not C_WrapKey, which SoftHSM2 does not offer through SunPKCS11), with the key id, the
 * material version and the encryption context as associated data. The token chooses the GCM IV (16
 * bytes with SunPKCS11); the wrapped form is {@code u8 ivLength, iv, ciphertext and tag}.
 */
public final class Pkcs11KeyProvider implements KeyProvider {

  public static final String NAME = "pkcs11";
  private static final Logger LOG = LoggerFactory.getLogger(Pkcs11KeyProvider.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final int TAG_BITS = 128;

  /**
   * Where the token is: the PKCS#11 library, and one of a slot id, a slot list index or a token
   * label (none: the first slot). The PIN is cleared once the provider has logged in.
   */
  public record Settings(
      Path library,
      Long slot,
      Integer slotListIndex,
      String tokenLabel,
      char[] pin,
      String labelPrefix) {}

  private final Provider provider;
  private final KeyStore token;
  private final String labelPrefix;
  private final String description;
  private final Map<String, SecretKey> keys = new ConcurrentHashMap<>();

  private Pkcs11KeyProvider(
      Provider provider, KeyStore token, String labelPrefix, String description) {
    this.provider = provider;
    this.token = token;
    this.labelPrefix = labelPrefix;
    this.description = description;
  }

  /** Loads the library, selects the token and logs in. */
  public static Pkcs11KeyProvider open(Settings settings) {
    Path library = settings.library();
    if (library == null || !Files.isRegularFile(library)) {
      throw new IllegalArgumentException(
          "The PKCS#11 library " + library + " does not exist (kms.pkcs11.library)");
    }
    if (library.toString().chars().anyMatch(c -> Character.isISOControl(c) || c == '"')) {
      throw new IllegalArgumentException(
          "The PKCS#11 library path has control characters or quotes");
    }
    String where;
    String slotLine;
    if (settings.tokenLabel() != null) {
      long slot = Pkcs11Slots.slotOfToken(library, settings.tokenLabel());
      where = "token " + settings.tokenLabel() + " (slot " + slot + ")";
      slotLine = "slot = " + slot;
    } else if (settings.slot() != null) {
      where = "slot " + settings.slot();
      slotLine = "slot = " + settings.slot();
    } else {
      int index = settings.slotListIndex() == null ? 0 : settings.slotListIndex();
      where = "slot list index " + index;
      slotLine = "slotListIndex = " + index;
    }
    String config =
        String.join(
            "\n",
            "--name = ManagedSecrets-" + INSTANCES.incrementAndGet(),
            "library = \"" + library + "\"",
            slotLine,
            // Every AES key the operator makes in the token stays there.
            "attributes(*, CKO_SECRET_KEY, CKK_AES) = {",
            "  CKA_SENSITIVE = true",
            "  CKA_EXTRACTABLE = false",
            "}",
            "");
    String description = "PKCS#11 " + where + " of " + library;
    Provider provider;
    try {
      provider = Security.getProvider("SunPKCS11").configure(config);
    } catch (RuntimeException e) {
      throw new IllegalStateException("Could not load " + description + ": " + e.getMessage(), e);
    }
    char[] pin = settings.pin();
    try {
      KeyStore token = KeyStore.getInstance("PKCS11", provider);
      token.load(null, pin);
      String prefix = settings.labelPrefix() == null ? "managedsecrets/" : settings.labelPrefix();
      LOG.info("Logged in to {}", description);
      return new Pkcs11KeyProvider(provider, token, prefix, description);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalStateException(
          "Could not log in to " + description + ": " + rootMessage(e), e);
    } finally {
      if (pin != null) {
        Arrays.fill(pin, '\0');
      }
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public synchronized int createKey(String keyId) {
    if (!materialVersions(keyId).contains(1)) {
      makeTokenKey(keyId, 1);
    }
    return 1;
  }

  @Override
  public synchronized int rotate(String keyId) {
    List<Integer> versions = materialVersions(keyId);
    if (versions.isEmpty()) {
      throw new SecretsManagerException(
          AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
          "The KMS key " + keyId + " has no material in " + description + ".");
    }
    int next = versions.get(versions.size() - 1) + 1;
    makeTokenKey(keyId, next);
    return next;
  }

  @Override
  public List<Integer> materialVersions(String keyId) {
    String prefix = labelPrefix + keyId + "/";
    try {
      List<Integer> versions = new ArrayList<>();
      for (String label : Collections.list(token.aliases())) {
        if (label.startsWith(prefix)
            && label.substring(prefix.length()).matches("[1-9][0-9]{0,8}")) {
          versions.add(Integer.parseInt(label.substring(prefix.length())));
        }
      }
      Collections.sort(versions);
      return versions;
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new SecretsManagerException(
          AwsError.INTERNAL_SERVICE_ERROR,
          "Could not list the key objects of " + description + ": " + rootMessage(e),
          e);
    }
  }

  @Override
  public NewDataKey generateDataKey(String keyId, int materialVersion, EncryptionContext context) {
    SecretKey key = tokenKey(keyId, materialVersion, AwsError.ENCRYPTION_FAILURE);
    byte[] plaintext = Aead.randomKey();
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
      cipher.init(Cipher.ENCRYPT_MODE, key);
      cipher.updateAAD(aad(keyId, materialVersion, context));
      byte[] sealed = cipher.doFinal(plaintext);
      byte[] iv = cipher.getIV();
      byte[] wrapped =
          ByteBuffer.allocate(1 + iv.length + sealed.length)
              .put((byte) iv.length)
              .put(iv)
              .put(sealed)
              .array();
      return new NewDataKey(plaintext, wrapped);
    } catch (GeneralSecurityException | RuntimeException e) {
      Arrays.fill(plaintext, (byte) 0);
      throw new SecretsManagerException(
          AwsError.ENCRYPTION_FAILURE,
          "The PKCS#11 token could not wrap a data key under material version "
              + materialVersion
              + " of KMS key "
              + keyId
              + ": "
              + rootMessage(e),
          e);
    }
  }

  @Override
  public byte[] decrypt(
      String keyId, int materialVersion, byte[] wrapped, EncryptionContext context) {
    SecretKey key = tokenKey(keyId, materialVersion, AwsError.DECRYPTION_FAILURE);
    int ivLength = wrapped.length == 0 ? 0 : Byte.toUnsignedInt(wrapped[0]);
    if (ivLength < 12 || wrapped.length < 1 + ivLength + TAG_BITS / 8) {
      throw doesNotUnwrap(keyId, materialVersion);
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, wrapped, 1, ivLength));
      cipher.updateAAD(aad(keyId, materialVersion, context));
      byte[] plaintext = cipher.doFinal(wrapped, 1 + ivLength, wrapped.length - 1 - ivLength);
      if (plaintext.length != 32) {
        Arrays.fill(plaintext, (byte) 0);
        throw doesNotUnwrap(keyId, materialVersion);
      }
      return plaintext;
    } catch (GeneralSecurityException | RuntimeException e) {
      if (e instanceof SecretsManagerException sme) {
        throw sme;
      }
      // SoftHSM2 reports a failed GCM tag as CKR_GENERAL_ERROR; no token says more that helps.
      throw doesNotUnwrap(keyId, materialVersion);
    }
  }

  /**
   * Forgets the key handles. It does not log out: a PKCS#11 login belongs to the whole process, so
   * logging out here would log out every other user of the token in this JVM; it ends with the
   * process.
   */
  @Override
  public void close() {
    keys.clear();
  }

  /** The SunPKCS11 instance of this token (package-private: the tests inspect the token). */
  Provider securityProvider() {
    return provider;
  }

  /** The token object of one material version (package-private: the tests inspect it). */
  SecretKey tokenKey(String keyId, int version, AwsError failure) {
    String label = labelPrefix + keyId + "/" + version;
    SecretKey key =
        keys.computeIfAbsent(
            label,
            l -> {
              try {
                return (SecretKey) token.getKey(l, null);
              } catch (GeneralSecurityException | RuntimeException e) {
                throw new SecretsManagerException(
                    failure,
                    "Could not read key object " + l + " of " + description + ": " + rootMessage(e),
                    e);
              }
            });
    if (key == null) {
      throw new SecretsManagerException(
          failure,
          "Key material version "
              + version
              + " of KMS key "
              + keyId
              + " is not in "
              + description
              + ".");
    }
    return key;
  }

  private void makeTokenKey(String keyId, int version) {
    String label = labelPrefix + keyId + "/" + version;
    try {
      KeyGenerator generator = KeyGenerator.getInstance("AES", provider);
      generator.init(256);
      token.setEntry(label, new KeyStore.SecretKeyEntry(generator.generateKey()), null);
      LOG.info("Created key object {} in {}", label, description);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new SecretsManagerException(
          AwsError.INTERNAL_SERVICE_ERROR,
          "Could not create key object " + label + " in " + description + ": " + rootMessage(e),
          e);
    }
  }

  private SecretsManagerException doesNotUnwrap(String keyId, int version) {
    return new SecretsManagerException(
        AwsError.DECRYPTION_FAILURE,
        "The data key did not unwrap under material version "
            + version
            + " of KMS key "
            + keyId
            + " in the PKCS#11 token: the key, its material or the encryption context does not"
            + " match.");
  }

  private static byte[] aad(String keyId, int version, EncryptionContext context) {
    byte[] head =
        ("managedsecrets pkcs11 v1\n" + keyId + "\n" + version + "\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] ctx = context.canonicalBytes();
    byte[] aad = Arrays.copyOf(head, head.length + ctx.length);
    System.arraycopy(ctx, 0, aad, head.length, ctx.length);
    return aad;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " " + t.getMessage());
  }
}
