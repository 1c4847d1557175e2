package dev.managedsecrets.core.value;

import dev.managedsecrets.api.v1alpha1.DatabaseSpec;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import java.util.SortedMap;

/** What the spec asks the value to be, before generated keys are filled in. */
public sealed interface ValueInput {

  /** No value yet: a secret with no version, as AWS allows. */
  record None() implements ValueInput {}

  /** A whole value (secretString, secretBinary, or one key of fromSecret). */
  record Whole(SecretValue value) implements ValueInput {
    @Override
    public String toString() {
      return "Whole[" + value + "]";
    }
  }

  /**
   * Key/value fields that make one JSON object.
   *
   * @param alternatingUser the value's {@code username} alternates between the spec's and {@code
   *     <username>_clone} (rotation strategy postgres-alternating-users): a version made from the
   *     spec keeps the clone's name when AWSCURRENT holds it
   */
  record KeyValues(
      SortedMap<String, String> data,
      SortedMap<String, GenerateSpec> generate,
      DatabaseSpec database,
      boolean alternatingUser)
      implements ValueInput {

    public KeyValues(
        SortedMap<String, String> data,
        SortedMap<String, GenerateSpec> generate,
        DatabaseSpec database) {
      this(data, generate, database, false);
    }

    @Override
    public String toString() {
      return "KeyValues[" + data.size() + " keys, " + generate.size() + " generated]";
    }
  }
}
