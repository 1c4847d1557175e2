package dev.managedsecrets.core.value;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.DatabaseEngine;
import dev.managedsecrets.api.v1alpha1.DatabaseSpec;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.generate.GeneratorType;
import dev.managedsecrets.core.generate.Generators;
import dev.managedsecrets.core.generate.Issuers;
import dev.managedsecrets.core.sealing.SealedInputs;
import dev.managedsecrets.core.sealing.SealingBinding;
import dev.managedsecrets.core.secret.SecretId;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a spec's value inputs into a version's plaintext, and hashes the inputs so that a reconcile
 * can tell "nothing changed" without decrypting anything.
 */
public final class ValueAssembler {

  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  /** The key of a database login's user name. */
  public static final String USERNAME = "username";

  /** What an alternating user's other name ends with. */
  public static final String CLONE_SUFFIX = "_clone";

  private final KeyedHash hash;
  private final GeneratedValues generated;

  /** A value's plaintext and what its version records of its generate entries. */
  public record Assembled(SecretValue value, Map<String, String> generated) {}

  public ValueAssembler(KeyedHash hash, PasswordGenerator passwords) {
    this(hash, passwords, new Generators(), Clock.systemUTC());
  }

  /**
   * @param clock what a certificate's validity starts from, and what tells that one is due for
   *     renewal
   */
  public ValueAssembler(
      KeyedHash hash, PasswordGenerator passwords, Generators generators, Clock clock) {
    this.hash = hash;
    this.generated = new GeneratedValues(passwords, generators, clock, this::generateHash);
  }

  /** Keyed hash of the inputs; equal inputs of one secret give equal hashes, across restarts. */
  public String inputHash(SecretId id, ValueInput input) {
    return hash.hash("input/v1", id.namespace(), id.name(), json(canonical(input)));
  }

  /**
   * Keyed hash of the inputs as the spec holds them, sealed values as their ciphertext and binding:
   * what tells that nothing changed without opening anything. A value sealed again (a new
   * ciphertext of the same plaintext) gives another hash; {@link #inputHash} of the opened inputs
   * then decides.
   */
  public String sealedInputHash(SecretId id, ValueInput plain, SealedInputs sealed) {
    Map<String, Object> canonical = canonical(plain);
    List<List<String>> items = new ArrayList<>();
    for (SealedInputs.Item item : sealed.items()) {
      SealingBinding b = item.binding();
      items.add(
          java.util.Arrays.asList(
              b.scope().word(), b.target().form().name(), b.target().key(), item.text()));
    }
    canonical.put("sealed", items);
    return hash.hash("sealed-input/v1", id.namespace(), id.name(), json(canonical));
  }

  private static Map<String, Object> canonical(ValueInput input) {
    Map<String, Object> canonical = new TreeMap<>();
    if (input instanceof ValueInput.Whole w) {
      canonical.put("kind", w.value().binary() ? "binary" : "string");
      canonical.put("value", Base64.getEncoder().encodeToString(w.value().bytes()));
    } else if (input instanceof ValueInput.KeyValues kv) {
      canonical.put("kind", "keyValues");
      canonical.put("data", kv.data());
      Map<String, String> generate = new TreeMap<>();
      kv.generate().forEach((k, v) -> generate.put(k, parameters(v)));
      canonical.put("generate", generate);
      canonical.put("database", kv.database() == null ? null : databaseFields(kv.database()));
    } else {
      canonical.put("kind", "none");
    }
    return canonical;
  }

  /** Keyed hash of a plaintext, for idempotency checks. */
  public String valueHash(SecretId id, SecretValue value) {
    return hash.hash(
        "value/v1",
        id.namespace().getBytes(java.nio.charset.StandardCharsets.UTF_8),
        id.name().getBytes(java.nio.charset.StandardCharsets.UTF_8),
        value.encode());
  }

  /** A hash of one generated key's parameters: a change of parameters regenerates that key. */
  public String generateHash(GenerateSpec spec) {
    return hash.hash("generate/v1", parameters(spec));
  }

  /**
   * The plaintext of a new version: the one place every value is made, and bounded to {@link
   * ValueSize#MAX_BYTES} whatever it is made of. A JSON value is written into a bounded buffer, so
   * a larger one is refused at the byte that passes the bound, never held whole.
   *
   * @param previous the plaintext of AWSCURRENT when generated keys may be kept from it, else null
   * @param previousGenerated the generated keys of AWSCURRENT and their parameter hashes
   * @throws dev.managedsecrets.core.secret.SecretsManagerException ValidationException when the
   *     value is larger than {@link ValueSize#MAX_BYTES}
   */
  public SecretValue assemble(
      ValueInput input, SecretValue previous, Map<String, String> previousGenerated) {
    return assemble(input, previous, previousGenerated, Issuers.NONE).value();
  }

  /**
   * The plaintext of a new version, as {@link #assemble(ValueInput, SecretValue, Map)} makes it,
   * and what the version records of its generate entries: an entry is kept from {@code previous}
   * while its parameters are the same and it is not a certificate due for renewal.
   *
   * @param issuers where the CA of a certificate that names an issuer is found
   */
  public Assembled assemble(
      ValueInput input,
      SecretValue previous,
      Map<String, String> previousGenerated,
      Issuers issuers) {
    if (input instanceof ValueInput.Whole w) {
      ValueSize.require(w.value().bytes().length, w.value().binary());
      return new Assembled(w.value(), Map.of());
    }
    if (!(input instanceof ValueInput.KeyValues kv)) {
      throw new IllegalArgumentException("no value to assemble");
    }
    ObjectNode out = CANONICAL.createObjectNode();
    kv.data().forEach(out::put);
    if (kv.database() != null) {
      databaseFields(kv.database()).forEach(out::putPOJO);
    }
    JsonNode old = previous == null ? null : parseObject(previous);
    Map<String, String> recorded =
        generated.fill(out, kv.generate(), old, previousGenerated, issuers);
    String user = kv.data().get(USERNAME);
    if (kv.alternatingUser()
        && old != null
        && user != null
        && old.path(USERNAME).asText("").equals(user + CLONE_SUFFIX)) {
      out.put(USERNAME, user + CLONE_SUFFIX); // the clone is the current login
    }
    return new Assembled(new SecretValue(boundedJson(sorted(out)), false), recorded);
  }

  /**
   * A rotation's new value: {@code current} (a JSON object) with new values for the keys of {@code
   * generate} and every other key as it is.
   *
   * @throws dev.managedsecrets.core.secret.SecretsManagerException InvalidRequestException when
   *     {@code current} is not a JSON object
   */
  public SecretValue rotate(SecretValue current, Map<String, GenerateSpec> generate) {
    return rotate(current, generate, Map.of());
  }

  /**
   * A rotation's new value, as {@link #rotate(SecretValue, Map)} makes it, with the text keys of
   * {@code replaced} set to their values too (an alternating user's name).
   */
  public SecretValue rotate(
      SecretValue current, Map<String, GenerateSpec> generate, Map<String, String> replaced) {
    return rotate(current, generate, replaced, Issuers.NONE);
  }

  /**
   * A rotation's new value, as {@link #rotate(SecretValue, Map, Map)} makes it, the CA of a
   * certificate that names an issuer found in {@code issuers}.
   */
  public SecretValue rotate(
      SecretValue current,
      Map<String, GenerateSpec> generate,
      Map<String, String> replaced,
      Issuers issuers) {
    ObjectNode out = parseObject(current);
    if (out == null) {
      throw new dev.managedsecrets.core.secret.SecretsManagerException(
          dev.managedsecrets.core.secret.AwsError.INVALID_REQUEST_EXCEPTION,
          "The AWSCURRENT version does not hold a JSON object, so it has no generate keys to"
              + " rotate.");
    }
    generated.renew(out, generate, issuers);
    replaced.forEach(out::put);
    return new SecretValue(boundedJson(sorted(out)), false);
  }

  private static byte[] boundedJson(Object o) {
    BoundedBuffer buffer = new BoundedBuffer();
    try {
      CANONICAL.writeValue(buffer, o);
      return buffer.take();
    } catch (BoundedBuffer.Overflow e) {
      buffer.clear();
      throw ValueSize.tooLarge(false);
    } catch (IOException e) {
      buffer.clear();
      throw new IllegalStateException(e);
    }
  }

  /** The generated keys of a value made from these inputs, with their parameter hashes. */
  public Map<String, String> generatedKeys(ValueInput input) {
    Map<String, String> out = new TreeMap<>();
    if (input instanceof ValueInput.KeyValues kv) {
      kv.generate().forEach((k, v) -> out.put(k, generateHash(v)));
    }
    return out;
  }

  /**
   * What a rotated version records of its generate entries: {@code before}'s (those of the version
   * it was made from), each certificate's with the notAfter of the certificate {@code value} holds.
   */
  public Map<String, String> rotatedGenerated(Map<String, String> before, SecretValue value) {
    if (before.isEmpty()) {
      return before;
    }
    return GeneratedValues.rotated(before, parseObject(value));
  }

  /** Parses a plaintext as a JSON object, or returns null when it is not one. */
  public static ObjectNode parseObject(SecretValue value) {
    if (value.binary()) {
      return null;
    }
    try {
      JsonNode node = CANONICAL.readTree(value.bytes());
      return node instanceof ObjectNode o ? o : null;
    } catch (IOException e) {
      return null;
    }
  }

  static Map<String, Object> databaseFields(DatabaseSpec db) {
    Map<String, Object> fields = new TreeMap<>();
    fields.put("engine", db.engine);
    fields.put("host", db.host);
    fields.put(
        "port", db.port != null ? db.port : DatabaseEngine.fromValue(db.engine).defaultPort());
    if (db.dbname != null) {
      fields.put("dbname", db.dbname);
    }
    if (db.sslmode != null) {
      fields.put("sslmode", db.sslmode);
    }
    return fields;
  }

  /**
   * An entry's parameters as hashed: {@code type: password} is the same entry as no type, so
   * writing the default out keeps the password.
   */
  private static String parameters(GenerateSpec spec) {
    if (spec == null) {
      return json(new GenerateSpec());
    }
    if (!GeneratorType.PASSWORD.word().equals(spec.type)) {
      return json(spec);
    }
    Map<String, Object> fields =
        CANONICAL.convertValue(
            spec, new com.fasterxml.jackson.core.type.TypeReference<TreeMap<String, Object>>() {});
    fields.remove("type");
    return json(fields);
  }

  private static Map<String, Object> sorted(ObjectNode node) {
    return CANONICAL.convertValue(
        node, new com.fasterxml.jackson.core.type.TypeReference<TreeMap<String, Object>>() {});
  }

  private static String json(Object o) {
    try {
      return CANONICAL.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
