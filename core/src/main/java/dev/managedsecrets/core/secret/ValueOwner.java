package dev.managedsecrets.core.secret;

import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import java.util.Optional;

/**
 * Who owns a ManagedSecret's value: its spec (the value fields, the default) or the store ({@code
 * spec.valueSource: Store}), where the Secrets Manager endpoint writes it. One owner per value: the
 * reconciler writes versions only from a spec that owns the value, and the endpoint only into a
 * store that does, so neither undoes the other.
 */
public final class ValueOwner {

  /** {@code spec.valueSource} of a value that lives in the store. */
  public static final String STORE = "Store";

  /** {@code spec.valueSource} of a value that the spec states (the default). */
  public static final String SPEC = "Spec";

  /**
   * The input hash recorded with a version put into the store: no spec input made it, so a spec
   * that later owns the value always makes a version of its own.
   */
  public static final String STORE_INPUT_HASH = "store";

  private ValueOwner() {}

  /** True when the value lives in the store and only the endpoint writes versions. */
  public static boolean store(ManagedSecretSpec spec) {
    return spec != null && STORE.equals(spec.valueSource);
  }

  /**
   * The spec field that sets the value ({@code spec.secretString}, ...), empty when the spec sets
   * none. Only names, never a byte of the value.
   */
  public static Optional<String> specField(ManagedSecretSpec spec) {
    if (spec == null) {
      return Optional.empty();
    }
    String field = null;
    if (spec.secretString != null) {
      field = "secretString";
    } else if (spec.secretBinary != null) {
      field = "secretBinary";
    } else if (spec.fromSecret != null) {
      field = "fromSecret";
    } else if (spec.data != null) {
      field = "data";
    } else if (spec.generate != null) {
      field = "generate";
    } else if (spec.database != null) {
      field = "database";
    } else if (spec.sealedData != null) {
      field = "sealedData";
    } else if (spec.sealedSecretString != null) {
      field = "sealedSecretString";
    } else if (spec.sealedSecretBinary != null) {
      field = "sealedSecretBinary";
    }
    return Optional.ofNullable(field).map(f -> "spec." + f);
  }
}
