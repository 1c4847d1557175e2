package dev.managedsecrets.core.replication;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * Where a replica payload belongs: the primary region that sent it, and the region, namespace and
 * name of the replica it is for. The receiving operator builds it from the object the payload is in
 * and from its own configuration, never from the payload; it is part of the associated data of the
 * encryption, so a payload copied to another object, namespace, region or cluster does not open.
 *
 * <p>Regions are of {@code [a-z0-9-]}, 1-32 characters; the namespace is a DNS label (1-63) and the
 * name a DNS subdomain (1-253), as Kubernetes has them. None of them is secret.
 */
public record ReplicaBinding(String primaryRegion, String region, String namespace, String name) {

  static final int MAX_REGION = 32;
  static final int MAX_NAMESPACE = 63;
  static final int MAX_NAME = 253;

  private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1," + MAX_REGION + "}");
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-.a-z0-9]*[a-z0-9])?");
  private static final String LABEL = "managedsecrets.dev/replica/v1";

  /**
   * @throws IllegalArgumentException when a part is missing, too long, or not of its characters
   */
  public ReplicaBinding {
    check("primary region", primaryRegion, MAX_REGION, REGION);
    check("region", region, MAX_REGION, REGION);
    check("namespace", namespace, MAX_NAMESPACE, NAMESPACE);
    check("name", name, MAX_NAME, NAME);
  }

  private static void check(String what, String value, int max, Pattern form) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("a replica's " + what + " is missing");
    }
    if (value.length() > max) {
      throw new IllegalArgumentException(
          "a replica's " + what + " is " + value.length() + " characters, more than " + max);
    }
    if (!form.matcher(value).matches()) {
      // Not repeated: a part that is no name could be anything.
      throw new IllegalArgumentException(
          "a replica's " + what + " has characters no " + what + " has");
    }
  }

  /**
   * The associated data: a label, then the four parts, each with its length (4 bytes, big-endian).
   */
  public byte[] aad() {
    byte[][] parts = {
      LABEL.getBytes(StandardCharsets.UTF_8),
      primaryRegion.getBytes(StandardCharsets.UTF_8),
      region.getBytes(StandardCharsets.UTF_8),
      namespace.getBytes(StandardCharsets.UTF_8),
      name.getBytes(StandardCharsets.UTF_8)
    };
    ByteBuffer out = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> 4 + p.length).sum());
    Arrays.stream(parts).forEach(p -> out.putInt(p.length).put(p));
    return out.array();
  }

  /** How messages name it: {@code team-a/orders in eu-west-1 (primary region us-east-1)}. */
  String describe() {
    return namespace + "/" + name + " in " + region + " (primary region " + primaryRegion + ")";
  }
}
