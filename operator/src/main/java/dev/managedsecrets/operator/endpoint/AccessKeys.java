package dev.managedsecrets.operator.endpoint;

import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The access keys the endpoint knows, each tied to a {@link Principal}: what a SigV4 signature is
 * checked against. A secret access key never leaves this object but into the signer that checks a
 * signature, and the file that embedded mode writes for its one administrator.
 */
public final class AccessKeys {

  /** One access key and whom it stands for. */
  public record AccessKey(String accessKeyId, String secretAccessKey, Principal principal) {

    /** Never shows the secret access key. */
    @Override
    public String toString() {
      return "AccessKey[" + accessKeyId + ", " + principal.username() + "]";
    }
  }

  private static final String UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  private static final String SECRET_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, AccessKey> keys = new ConcurrentHashMap<>();

  /** Adds a key; a key id already known is replaced. */
  public AccessKeys add(AccessKey key) {
    keys.put(key.accessKeyId(), key);
    return this;
  }

  Optional<AccessKey> find(String accessKeyId) {
    return Optional.ofNullable(keys.get(accessKeyId));
  }

  /**
   * A new key for {@code principal}: an access key id shaped as AWS's (20 characters, AKIA and 16
   * of A-Z and 2-7) and a secret of 40 characters (240 bits), both from SecureRandom.
   */
  public static AccessKey generate(Principal principal) {
    return new AccessKey("AKIA" + random(UPPER_DIGITS, 16), random(SECRET_CHARS, 40), principal);
  }

  private static String random(String alphabet, int length) {
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      out.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return out.toString();
  }
}
