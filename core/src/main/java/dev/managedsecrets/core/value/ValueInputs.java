package dev.managedsecrets.core.value;

import dev.managedsecrets.api.v1alpha1.DatabaseSpec;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.core.rotation.RotationRules;
import dev.managedsecrets.core.sealing.SealedInputs;
import dev.managedsecrets.core.sealing.SealingTarget;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Reads the value inputs out of a validated spec. */
public final class ValueInputs {

  private ValueInputs() {}

  /**
   * @param spec a spec that passed validation
   * @param source the data of the fromSecret Secret (already read from the same namespace), or null
   */
  public static ValueInput of(ManagedSecretSpec spec, Map<String, byte[]> source) {
    if (spec.secretString != null) {
      return new ValueInput.Whole(SecretValue.text(spec.secretString));
    }
    if (spec.secretBinary != null) {
      return new ValueInput.Whole(
          new SecretValue(Base64.getDecoder().decode(spec.secretBinary), true));
    }
    if (spec.fromSecret != null) {
      return fromSecret(spec, source == null ? Map.of() : source);
    }
    if (spec.data == null && spec.generate == null && spec.database == null) {
      return new ValueInput.None();
    }
    SortedMap<String, String> data = spec.data == null ? new TreeMap<>() : new TreeMap<>(spec.data);
    SortedMap<String, GenerateSpec> generate =
        spec.generate == null ? new TreeMap<>() : new TreeMap<>(spec.generate);
    boolean alternating =
        spec.rotation != null
            && RotationRules.POSTGRES_ALTERNATING_USERS.equals(spec.rotation.strategy);
    return new ValueInput.KeyValues(data, generate, spec.database, alternating);
  }

  /**
   * The inputs with the sealed values opened: a sealed whole value becomes the whole value, sealed
   * keys join the key/value fields. Nothing is kept of {@code opened}: the caller clears it.
   *
   * @param plain the spec's inputs without its sealed values ({@link #of})
   * @param opened each sealed value's plaintext, by its item, in {@link SealedInputs} order
   * @throws SecretsManagerException InvalidParameterException when a sealed text value or key is
   *     not UTF-8 text; ValidationException when a whole value is larger than a value may be
   */
  public static ValueInput withOpened(ValueInput plain, Map<SealedInputs.Item, byte[]> opened) {
    if (opened.isEmpty()) {
      return plain;
    }
    SortedMap<String, String> data = new TreeMap<>();
    SortedMap<String, GenerateSpec> generate = new TreeMap<>();
    DatabaseSpec database = null;
    boolean alternating = false;
    if (plain instanceof ValueInput.KeyValues kv) {
      data.putAll(kv.data());
      generate.putAll(kv.generate());
      database = kv.database();
      alternating = kv.alternatingUser();
    }
    for (Map.Entry<SealedInputs.Item, byte[]> e : opened.entrySet()) {
      SealingTarget target = e.getKey().binding().target();
      byte[] bytes = e.getValue();
      switch (target.form()) {
        case SECRET_BINARY -> {
          requireNotEmpty(bytes, e.getKey().what());
          ValueSize.require(bytes.length, true);
          return new ValueInput.Whole(new SecretValue(bytes.clone(), true));
        }
        case SECRET_STRING -> {
          requireNotEmpty(bytes, e.getKey().what());
          ValueSize.require(bytes.length, false);
          return new ValueInput.Whole(SecretValue.text(text(bytes, e.getKey().what())));
        }
        case DATA -> data.put(target.key(), text(bytes, e.getKey().what()));
      }
    }
    return new ValueInput.KeyValues(data, generate, database, alternating);
  }

  private static void requireNotEmpty(byte[] bytes, String what) {
    if (bytes.length == 0) {
      throw SecretsManagerException.validation(
          "1 validation error detected: Value at '"
              + what
              + "' failed to satisfy constraint: Member must have length between 1 and 65536");
    }
  }

  private static String text(byte[] bytes, String what) {
    String text = utf8(bytes);
    if (text == null) {
      throw SecretsManagerException.invalidParameter(
          what
              + " does not hold UTF-8 text, so it can't be a text value: seal bytes as"
              + " sealedSecretBinary.");
    }
    return text;
  }

  private static ValueInput fromSecret(ManagedSecretSpec spec, Map<String, byte[]> source) {
    String name = spec.fromSecret.name;
    if (spec.fromSecret.key != null) {
      byte[] value = source.get(spec.fromSecret.key);
      if (value == null) {
        throw new SecretsManagerException(
            dev.managedsecrets.core.secret.AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
            "Secret " + name + " has no key of the name fromSecret.key gives.");
      }
      String text = utf8(value);
      return new ValueInput.Whole(
          text != null ? SecretValue.text(text) : new SecretValue(value.clone(), true));
    }
    SortedMap<String, String> data = new TreeMap<>();
    int position = 0;
    for (Map.Entry<String, byte[]> e : new TreeMap<>(source).entrySet()) {
      position++;
      String text = utf8(e.getValue());
      if (text == null) {
        // Key names are part of the value: the message counts, it does not name them.
        throw SecretsManagerException.invalidParameter(
            "Key "
                + position
                + " of the "
                + source.size()
                + " of Secret "
                + name
                + " (in sorted order) is not UTF-8 text, so it can't join a JSON value: name"
                + " one key with fromSecret.key to take it as a binary value.");
      }
      data.put(e.getKey(), text);
    }
    if (data.isEmpty()) {
      throw SecretsManagerException.invalidParameter(
          "Secret " + name + " has no data to take the value from (fromSecret).");
    }
    return new ValueInput.KeyValues(data, new TreeMap<>(), null);
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
