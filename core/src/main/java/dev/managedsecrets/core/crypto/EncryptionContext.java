package dev.managedsecrets.core.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The KMS encryption context of a version, {SecretARN, SecretVersionId}, and its canonical bytes
 * (sorted keys, length-prefixed) used as associated data.
 *
 * <p>The canonical bytes are made once: one version's seal or open uses them twice (the data key's
 * wrap and the value's associated data).
 */
public final class EncryptionContext {

  private final Map<String, String> pairs;
  private final byte[] canonical;

  public EncryptionContext(Map<String, String> pairs) {
    TreeMap<String, String> sorted = new TreeMap<>(pairs);
    this.pairs = Map.copyOf(sorted);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      write(out, e.getKey());
      write(out, e.getValue());
    }
    this.canonical = out.toByteArray();
  }

  public static EncryptionContext forVersion(String secretArn, String versionId) {
    return new EncryptionContext(Map.of("SecretARN", secretArn, "SecretVersionId", versionId));
  }

  public Map<String, String> pairs() {
    return pairs;
  }

  /** The canonical bytes; a copy, so no caller can change what the next one gets. */
  public byte[] canonicalBytes() {
    return canonical.clone();
  }

  /** The canonical bytes themselves, for this package's ciphers, which only read them. */
  byte[] canonicalView() {
    return canonical;
  }

  private static void write(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b.length >>> 24);
    out.write(b.length >>> 16);
    out.write(b.length >>> 8);
    out.write(b.length);
    out.writeBytes(b);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncryptionContext other && pairs.equals(other.pairs);
  }

  @Override
  public int hashCode() {
    return pairs.hashCode();
  }

  @Override
  public String toString() {
    return "EncryptionContext" + new TreeMap<>(pairs);
  }
}
