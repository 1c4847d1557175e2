package dev.managedsecrets.core.sealing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Where a sealed value may be opened: the scope, the namespace, the ManagedSecret's name (strict
 * scope only) and the target field. The operator builds it from the object's metadata and spec,
 * never from the sealed value; the sealer builds it from what it seals for. It becomes the
 * associated data of the HPKE encryption, after the header.
 *
 * @param name the ManagedSecret's name; ignored with {@link SealingScope#NAMESPACE_WIDE}
 */
public record SealingBinding(
    SealingScope scope, String namespace, String name, SealingTarget target) {

  static final int HINT_BYTES = 8;
  private static final byte[] NO_HINT = new byte[HINT_BYTES];
  private static final String LABEL = "managedsecrets.dev/sealed-value/v1";

  public SealingBinding {
    if (scope == null || namespace == null || namespace.isEmpty() || target == null) {
      throw new IllegalArgumentException("a scope, a namespace and a target");
    }
    if (scope == SealingScope.STRICT && (name == null || name.isEmpty())) {
      throw new IllegalArgumentException("a strict scope needs the ManagedSecret's name");
    }
    name = scope == SealingScope.STRICT ? name : null;
  }

  /** For a strict value: namespace, ManagedSecret name and target. */
  public static SealingBinding strict(String namespace, String name, SealingTarget target) {
    return new SealingBinding(SealingScope.STRICT, namespace, name, target);
  }

  /** For a namespace-wide value: namespace and target. */
  public static SealingBinding namespaceWide(String namespace, SealingTarget target) {
    return new SealingBinding(SealingScope.NAMESPACE_WIDE, namespace, null, target);
  }

  /** The associated data after the header: each part length-prefixed. */
  byte[] associatedData(byte[] header) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(header);
    part(out, LABEL.getBytes(StandardCharsets.UTF_8));
    part(out, scope.word().getBytes(StandardCharsets.UTF_8));
    part(out, namespace.getBytes(StandardCharsets.UTF_8));
    part(out, name == null ? new byte[0] : name.getBytes(StandardCharsets.UTF_8));
    part(out, target.bound());
    return out.toByteArray();
  }

  /** The header's hint of the namespace (only to tell a refusal, never to decide one). */
  byte[] namespaceHint() {
    return hint("namespace", namespace.getBytes(StandardCharsets.UTF_8));
  }

  byte[] nameHint() {
    return name == null ? NO_HINT.clone() : hint("name", name.getBytes(StandardCharsets.UTF_8));
  }

  byte[] targetHint() {
    return hint("target", target.bound());
  }

  static boolean sameHint(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }

  private static byte[] hint(String what, byte[] value) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((LABEL + "/hint/" + what + "\0").getBytes(StandardCharsets.UTF_8));
      sha.update(value);
      return Arrays.copyOf(sha.digest(), HINT_BYTES);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void part(ByteArrayOutputStream out, byte[] bytes) {
    int n = bytes.length;
    out.write(n >>> 24);
    out.write(n >>> 16);
    out.write(n >>> 8);
    out.write(n);
    out.writeBytes(bytes);
  }

  /** Never the names: a key name is part of the value. */
  @Override
  public String toString() {
    return "SealingBinding[" + scope.word() + ", " + target + "]";
  }
}
