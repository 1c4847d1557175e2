package dev.managedsecrets.operator.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The KMS encryption context of a version, {SecretARN, SecretVersionId}, and its canonical bytes
 * (sorted keys, length-prefixed) used as associated data.
 */
public record EncryptionContext(Map<String, String> pairs) {

  public EncryptionContext {
    pairs = Map.copyOf(new TreeMap<>(pairs));
  }

  public static EncryptionContext forVersion(String secretArn, String versionId) {
    return new EncryptionContext(Map.of("SecretARN", secretArn, "SecretVersionId", versionId));
  }

  public byte[] canonicalBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, String> e : new TreeMap<>(pairs).entrySet()) {
      write(out, e.getKey());
      write(out, e.getValue());
    }
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b.length >>> 24);
    out.write(b.length >>> 16);
    out.write(b.length >>> 8);
    out.write(b.length);
    out.writeBytes(b);
  }
}
