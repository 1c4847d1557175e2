package dev.managedsecrets.cli.commands;

import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.core.sealing.Sealer;
import dev.managedsecrets.core.sealing.SealingBinding;
import dev.managedsecrets.core.sealing.SealingPublicKey;
import dev.managedsecrets.core.sealing.SealingTarget;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * A whole value given on the command line, sealed before it is written: the plugin never writes a
 * value in plain text into a ManagedSecret. {@code secretString} becomes {@code
 * sealedSecretString}, {@code secretBinary} {@code sealedSecretBinary} (its bytes), scope strict:
 * bound to the ManagedSecret's namespace and name.
 */
final class ValueSealing {

  private ValueSealing() {}

  /** The spec's plain whole value, sealed into its sealed field; the plain field removed. */
  static void seal(ManagedSecretSpec spec, SealingPublicKey key, String namespace, String name) {
    if (spec.secretString != null) {
      byte[] bytes = spec.secretString.getBytes(StandardCharsets.UTF_8);
      spec.sealedSecretString =
          seal(key, SealingBinding.strict(namespace, name, SealingTarget.secretString()), bytes);
      spec.secretString = null;
    }
    if (spec.secretBinary != null) {
      byte[] bytes = Base64.getDecoder().decode(spec.secretBinary.strip());
      spec.sealedSecretBinary =
          seal(key, SealingBinding.strict(namespace, name, SealingTarget.secretBinary()), bytes);
      spec.secretBinary = null;
    }
  }

  private static String seal(SealingPublicKey key, SealingBinding binding, byte[] bytes) {
    try {
      return Sealer.seal(key, binding, bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }
}
