package dev.managedsecrets.core.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.managedsecrets.api.v1alpha1.DatabaseEngine;
import dev.managedsecrets.api.v1alpha1.DatabaseSpec;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.secret.SecretId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValueAssemblerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecretId ID = new SecretId("team-a", "prod/db");

  private static byte[] hashKey(int fill) {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) fill);
    return k;
  }

  private final ValueAssembler assembler =
      new ValueAssembler(new KeyedHash(hashKey(1)), new PasswordGenerator());

  private static SortedMap<String, String> data(String... kv) {
    SortedMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  private static GenerateSpec length(int n) {
    GenerateSpec g = new GenerateSpec();
    g.passwordLength = n;
    return g;
  }

  private static SortedMap<String, GenerateSpec> generate(String key, GenerateSpec spec) {
    SortedMap<String, GenerateSpec> m = new TreeMap<>();
    m.put(key, spec);
    return m;
  }

  private static DatabaseSpec db(String engine, String host, Integer port, String dbname) {
    DatabaseSpec d = new DatabaseSpec();
    d.engine = engine;
    d.host = host;
    d.port = port;
    d.dbname = dbname;
    return d;
  }

  private static ValueInput.KeyValues keyValues(
      SortedMap<String, String> data, SortedMap<String, GenerateSpec> gen, DatabaseSpec db) {
    return new ValueInput.KeyValues(data, gen, db);
  }

  private static JsonNode parse(SecretValue v) throws Exception {
    return JSON.readTree(v.bytes());
  }

  @Test
  void wholeValueIsAssembledAsItIs() {
    SecretValue text = SecretValue.text("plain text, not JSON");
    SecretValue binary = new SecretValue(new byte[] {1, 2, (byte) 0xFF}, true);

    assertThat(assembler.assemble(new ValueInput.Whole(text), null, Map.of())).isEqualTo(text);
    assertThat(assembler.assemble(new ValueInput.Whole(binary), null, Map.of())).isEqualTo(binary);
  }

  @Test
  void noValueCannotBeAssembled() {
    assertThatThrownBy(() -> assembler.assemble(new ValueInput.None(), null, Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void dataBecomesAJsonObjectWithSortedKeys() {
    SortedMap<String, String> d = new TreeMap<>(java.util.Comparator.reverseOrder());
    d.put("a", "1");
    d.put("c", "3");
    d.put("b", "two \"quoted\"");

    SecretValue v = assembler.assemble(keyValues(d, new TreeMap<>(), null), null, Map.of());

    assertThat(v.binary()).isFalse();
    assertThat(v.asText()).isEqualTo("{\"a\":\"1\",\"b\":\"two \\\"quoted\\\"\",\"c\":\"3\"}");
  }

  @Test
  void databaseFieldsJoinTheJsonWithTheEngineDefaultPortAsANumber() throws Exception {
    SecretValue v =
        assembler.assemble(
            keyValues(
                data("username", "app", "password", "pw"),
                new TreeMap<>(),
                db("postgres", "db.example", null, "orders")),
            null,
            Map.of());

    assertThat(v.asText())
        .isEqualTo(
            "{\"dbname\":\"orders\",\"engine\":\"postgres\",\"host\":\"db.example\","
                + "\"password\":\"pw\",\"port\":5432,\"username\":\"app\"}");
    assertThat(parse(v).get("port").isInt()).isTrue();
  }

  @ParameterizedTest
  @CsvSource({
    "postgres, 5432",
    "aurora-postgresql, 5432",
    "mysql, 3306",
    "aurora-mysql, 3306",
    "mariadb, 3306",
    "oracle, 1521",
    "sqlserver, 1433",
    "mongo, 27017",
    "redshift, 5439"
  })
  void databasePortDefaultsPerEngine(String engine, int port) throws Exception {
    SecretValue v =
        assembler.assemble(
            keyValues(data(), new TreeMap<>(), db(engine, "h", null, "d")), null, Map.of());

    JsonNode json = parse(v);
    assertThat(json.get("port").isNumber()).isTrue();
    assertThat(json.get("port").intValue()).isEqualTo(port);
    assertThat(DatabaseEngine.fromValue(engine).defaultPort()).isEqualTo(port);
  }

  @Test
  void explicitDatabasePortWinsAndDbnameIsLeftOutWhenUnset() throws Exception {
    SecretValue v =
        assembler.assemble(
            keyValues(data(), new TreeMap<>(), db("mysql", "h", 13306, null)), null, Map.of());

    JsonNode json = parse(v);
    assertThat(json.get("port").intValue()).isEqualTo(13306);
    assertThat(json.has("dbname")).isFalse();
    assertThat(v.asText()).isEqualTo("{\"engine\":\"mysql\",\"host\":\"h\",\"port\":13306}");
  }

  @Test
  void generatedKeysJoinTheSortedJsonWithTheirParameters() throws Exception {
    SortedMap<String, GenerateSpec> gen = new TreeMap<>();
    gen.put("password", length(20));
    gen.put("apiKey", null);

    SecretValue v = assembler.assemble(keyValues(data("user", "u"), gen, null), null, Map.of());

    JsonNode json = parse(v);
    List<String> names = new ArrayList<>();
    json.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactly("apiKey", "password", "user");
    assertThat(json.get("password").asText()).hasSize(20);
    assertThat(json.get("apiKey").asText()).hasSize(32);
    assertThat(json.get("user").asText()).isEqualTo("u");
  }

  @Test
  void generatedKeyIsKeptWhenItsParametersAreUnchanged() throws Exception {
    ValueInput.KeyValues first =
        keyValues(data("user", "u"), generate("password", length(24)), null);
    SecretValue v1 = assembler.assemble(first, null, Map.of());
    Map<String, String> generated = assembler.generatedKeys(first);

    // same parameters, other data: the password stays
    ValueInput.KeyValues second =
        keyValues(data("user", "u2"), generate("password", length(24)), null);
    SecretValue v2 = assembler.assemble(second, v1, generated);

    assertThat(parse(v2).get("password").asText()).isEqualTo(parse(v1).get("password").asText());
    assertThat(parse(v2).get("user").asText()).isEqualTo("u2");
    assertThat(assembler.generatedKeys(second)).isEqualTo(generated);
  }

  @Test
  void generatedKeyIsRegeneratedWhenItsParametersChange() throws Exception {
    ValueInput.KeyValues first = keyValues(data(), generate("password", length(24)), null);
    SecretValue v1 = assembler.assemble(first, null, Map.of());

    GenerateSpec changed = length(24);
    changed.excludePunctuation = true;
    ValueInput.KeyValues second = keyValues(data(), generate("password", changed), null);
    SecretValue v2 = assembler.assemble(second, v1, assembler.generatedKeys(first));

    String p1 = parse(v1).get("password").asText();
    String p2 = parse(v2).get("password").asText();
    assertThat(p2).isNotEqualTo(p1).matches("[A-Za-z0-9]{24}");
    assertThat(assembler.generatedKeys(second)).isNotEqualTo(assembler.generatedKeys(first));
  }

  @Test
  void generatedKeyIsRegeneratedWhenTheLengthChanges() throws Exception {
    ValueInput.KeyValues first = keyValues(data(), generate("password", length(24)), null);
    SecretValue v1 = assembler.assemble(first, null, Map.of());

    ValueInput.KeyValues second = keyValues(data(), generate("password", length(40)), null);
    SecretValue v2 = assembler.assemble(second, v1, assembler.generatedKeys(first));

    assertThat(parse(v2).get("password").asText()).hasSize(40);
  }

  @Test
  void generatedKeyIsRegeneratedWithoutAPreviousValueOrRecord() throws Exception {
    ValueInput.KeyValues in = keyValues(data(), generate("password", length(24)), null);
    SecretValue v1 = assembler.assemble(in, null, Map.of());

    SecretValue noRecord = assembler.assemble(in, v1, Map.of());
    SecretValue noPrevious = assembler.assemble(in, null, assembler.generatedKeys(in));
    SecretValue previousNotJson =
        assembler.assemble(in, SecretValue.text("not json"), assembler.generatedKeys(in));

    String p1 = parse(v1).get("password").asText();
    assertThat(parse(noRecord).get("password").asText()).isNotEqualTo(p1);
    assertThat(parse(noPrevious).get("password").asText()).isNotEqualTo(p1);
    assertThat(parse(previousNotJson).get("password").asText()).isNotEqualTo(p1);
  }

  @Test
  void generatedKeysRecordAParameterHashPerKey() {
    SortedMap<String, GenerateSpec> gen = new TreeMap<>();
    gen.put("a", length(10));
    gen.put("b", length(10));
    gen.put("c", length(11));

    Map<String, String> keys = assembler.generatedKeys(keyValues(data("x", "y"), gen, null));

    assertThat(keys).containsOnlyKeys("a", "b", "c");
    assertThat(keys.get("a"))
        .isEqualTo(keys.get("b"))
        .isEqualTo(assembler.generateHash(length(10)));
    assertThat(keys.get("c")).isNotEqualTo(keys.get("a"));
    assertThat(assembler.generatedKeys(new ValueInput.Whole(SecretValue.text("x")))).isEmpty();
  }

  @Test
  void inputHashIsStableForEqualInputsAndAcrossInstancesWithTheSameKey() {
    ValueAssembler again = new ValueAssembler(new KeyedHash(hashKey(1)), new PasswordGenerator());
    ValueInput a =
        keyValues(data("u", "1"), generate("p", length(8)), db("postgres", "h", null, null));
    ValueInput b =
        keyValues(data("u", "1"), generate("p", length(8)), db("postgres", "h", null, null));

    assertThat(assembler.inputHash(ID, a))
        .isEqualTo(assembler.inputHash(ID, b))
        .isEqualTo(again.inputHash(ID, b));
    assertThat(assembler.inputHash(ID, new ValueInput.Whole(SecretValue.text("x"))))
        .isEqualTo(assembler.inputHash(ID, new ValueInput.Whole(SecretValue.text("x"))));
  }

  @Test
  void inputHashChangesWhenAnyInputChanges() {
    ValueInput base =
        keyValues(data("u", "1"), generate("p", length(8)), db("postgres", "h", null, "d"));
    List<ValueInput> changed =
        List.of(
            keyValues(data("u", "2"), generate("p", length(8)), db("postgres", "h", null, "d")),
            keyValues(data("v", "1"), generate("p", length(8)), db("postgres", "h", null, "d")),
            keyValues(
                data("u", "1", "w", ""), generate("p", length(8)), db("postgres", "h", null, "d")),
            keyValues(data("u", "1"), generate("p", length(9)), db("postgres", "h", null, "d")),
            keyValues(data("u", "1"), generate("q", length(8)), db("postgres", "h", null, "d")),
            keyValues(data("u", "1"), new TreeMap<>(), db("postgres", "h", null, "d")),
            keyValues(data("u", "1"), generate("p", length(8)), db("mysql", "h", null, "d")),
            keyValues(data("u", "1"), generate("p", length(8)), db("postgres", "h2", null, "d")),
            keyValues(data("u", "1"), generate("p", length(8)), db("postgres", "h", 6543, "d")),
            keyValues(data("u", "1"), generate("p", length(8)), db("postgres", "h", null, "e")),
            keyValues(data("u", "1"), generate("p", length(8)), null),
            new ValueInput.Whole(SecretValue.text("{\"u\":\"1\"}")),
            new ValueInput.None());

    String h = assembler.inputHash(ID, base);
    for (ValueInput other : changed) {
      assertThat(assembler.inputHash(ID, other)).as(other.toString()).isNotEqualTo(h);
    }
  }

  @Test
  void inputHashOfWholeValuesTellsTextFromBinaryAndOneValueFromAnother() {
    byte[] bytes = "same".getBytes(StandardCharsets.UTF_8);
    String text = assembler.inputHash(ID, new ValueInput.Whole(new SecretValue(bytes, false)));
    String binary = assembler.inputHash(ID, new ValueInput.Whole(new SecretValue(bytes, true)));
    String other = assembler.inputHash(ID, new ValueInput.Whole(SecretValue.text("sam3")));

    assertThat(text).isNotEqualTo(binary).isNotEqualTo(other);
  }

  @Test
  void inputHashDiffersForTheSameInputInAnotherSecret() {
    ValueInput in = keyValues(data("u", "1"), new TreeMap<>(), null);
    String h = assembler.inputHash(ID, in);

    assertThat(assembler.inputHash(new SecretId("team-b", "prod/db"), in)).isNotEqualTo(h);
    assertThat(assembler.inputHash(new SecretId("team-a", "prod/db2"), in)).isNotEqualTo(h);
    assertThat(assembler.inputHash(new SecretId("team-aprod", "/db"), in)).isNotEqualTo(h);
  }

  @Test
  void inputHashDependsOnTheOperatorsHashKey() {
    ValueInput in = keyValues(data("u", "1"), new TreeMap<>(), null);
    ValueAssembler otherKey =
        new ValueAssembler(new KeyedHash(hashKey(2)), new PasswordGenerator());

    assertThat(otherKey.inputHash(ID, in)).isNotEqualTo(assembler.inputHash(ID, in));
  }

  @Test
  void inputHashDoesNotRevealTheValue() {
    String secret = "hunter2-value";
    String h = assembler.inputHash(ID, new ValueInput.Whole(SecretValue.text(secret)));

    assertThat(h)
        .doesNotContain(secret)
        .doesNotContain(
            Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void valueHashTellsValuesSecretsAndKindsApart() {
    SecretValue v = SecretValue.text("x");
    String h = assembler.valueHash(ID, v);

    assertThat(assembler.valueHash(ID, SecretValue.text("x"))).isEqualTo(h);
    assertThat(assembler.valueHash(ID, SecretValue.text("y"))).isNotEqualTo(h);
    assertThat(assembler.valueHash(ID, new SecretValue(v.bytes(), true))).isNotEqualTo(h);
    assertThat(assembler.valueHash(new SecretId("team-b", "prod/db"), v)).isNotEqualTo(h);
  }

  @Test
  void parseObjectReturnsOnlyJsonObjectsOfTextValues() {
    assertThat(ValueAssembler.parseObject(SecretValue.text("{\"a\":1}"))).isNotNull();
    assertThat(ValueAssembler.parseObject(SecretValue.text("[1,2]"))).isNull();
    assertThat(ValueAssembler.parseObject(SecretValue.text("\"str\""))).isNull();
    assertThat(ValueAssembler.parseObject(SecretValue.text("{not json"))).isNull();
    assertThat(
            ValueAssembler.parseObject(
                new SecretValue("{\"a\":1}".getBytes(StandardCharsets.UTF_8), true)))
        .isNull();
  }

  @Test
  void secretValueToStringNeverShowsTheBytes() {
    String secret = "hunter2-s3cr3t";
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    SecretValue text = SecretValue.text(secret);
    SecretValue binary = new SecretValue(bytes, true);

    for (Object shown :
        List.of(
            text,
            binary,
            new ValueInput.Whole(text),
            keyValues(data("password", secret), new TreeMap<>(), null))) {
      assertThat(shown.toString())
          .doesNotContain(secret)
          .doesNotContain(Base64.getEncoder().encodeToString(bytes))
          .doesNotContainIgnoringCase(HexFormat.of().formatHex(bytes))
          .doesNotContain(Arrays.toString(bytes));
    }
    assertThat(text.toString()).contains("string").contains(bytes.length + " bytes");
    assertThat(binary.toString()).contains("binary");
  }

  @Test
  void secretValueEncodesItsKindAndRoundTrips() {
    SecretValue text = SecretValue.text("abc");
    SecretValue binary = new SecretValue(new byte[] {0, 1, 2}, true);

    assertThat(text.encode()).containsExactly('S', 'a', 'b', 'c');
    assertThat(SecretValue.decode(text.encode())).isEqualTo(text);
    assertThat(SecretValue.decode(binary.encode())).isEqualTo(binary);
    assertThat(text).isNotEqualTo(new SecretValue(text.bytes(), true));
    assertThatThrownBy(() -> SecretValue.decode(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SecretValue.decode(new byte[] {'X', 1}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void clearOverwritesTheBytes() {
    SecretValue v = SecretValue.text("secret");

    v.clear();

    assertThat(v.bytes()).containsOnly(0);
  }

  /**
   * The hashes are stored with each version in the backing store and compared by later operator
   * versions: a different encoding of the same inputs would make every ManagedSecret write a new
   * version on upgrade (and a changed generate hash would regenerate passwords). These are the
   * values the operator has computed since its first release; they must not move.
   */
  @Test
  void hashesOfKnownInputsAreThoseOfEarlierReleases() {
    GenerateSpec symbols = length(20);
    symbols.excludeCharacters = "\"'`";
    symbols.requireEachIncludedType = true;
    SortedMap<String, GenerateSpec> gen = new TreeMap<>();
    gen.put("password", new GenerateSpec());
    gen.put("token", symbols);
    ValueInput full =
        keyValues(
            data("username", "app", "note", "caf\u00e9 \"quoted\" \u2603"),
            gen,
            db("postgres", "db.internal", null, "orders"));

    assertThat(assembler.inputHash(ID, full))
        .isEqualTo("OajaGVdqC_RyJeWLOi9LTX05RJ1Z8mugXaFpHClrUSQ");
    assertThat(assembler.inputHash(ID, keyValues(data("u", "1"), new TreeMap<>(), null)))
        .isEqualTo("HUHYhQV_NMYmOpUMshIZZ8JCT0BsIqnrMWUCyR8bFxE");
    assertThat(
            assembler.inputHash(
                ID, keyValues(new TreeMap<>(), generate("p", null), db("mysql", "h", 3307, null))))
        .isEqualTo("QjkXx8tbVLnCN9t-ULP2njhrCudRmqW4s2-OGoSHPjk");
    // Outside the BMP and below 0x20: the characters an encoder is most likely to write otherwise.
    assertThat(
            assembler.inputHash(
                ID, keyValues(data("\ud83d\udd11", "\u0000\t\u2028"), new TreeMap<>(), null)))
        .isEqualTo("9sjEv-QQuwFGZ52Hd15hchZNcyfOLSIEmLZr6u7cKM4");
    assertThat(assembler.inputHash(ID, new ValueInput.Whole(SecretValue.text("{\"a\":1}"))))
        .isEqualTo("VuwKvcd6aXdDaOUk5m0btMwLuw_WPDBQsJigezZPsB4");
    assertThat(
            assembler.inputHash(
                ID, new ValueInput.Whole(new SecretValue(new byte[] {0, 1, (byte) 0xFF}, true))))
        .isEqualTo("vEETs1gBSAjHsMZnXwH8wP5N1dVYaVvNdmmOtV2tAC0");
    assertThat(assembler.inputHash(ID, new ValueInput.None()))
        .isEqualTo("2p1CAoStcmGB7W764ajybrt9tDBkQ_s78Pnr5pwzVIs");
    assertThat(assembler.generateHash(symbols))
        .isEqualTo("i-qL9g3Lzz8FnSWX8opBhqqOdA1_ZzsO4xRgZy8EVNE");
    assertThat(assembler.valueHash(ID, SecretValue.text("v")))
        .isEqualTo("aCRWYJsr2kTwrjdBgw07JaxlfOv00AdoPQ-R0osWNgc");
  }

  /** The input hash's encoding, spelled out: HMAC over length-prefixed parts, canonical JSON. */
  @Test
  void inputHashIsTheHmacOfTheDocumentedEncoding() throws Exception {
    String canonical =
        "{\"data\":{\"u\":\"1\"},\"database\":{\"engine\":\"postgres\",\"host\":\"h\","
            + "\"port\":5432},\"generate\":{\"p\":\"{\\\"passwordLength\\\":8}\"},"
            + "\"kind\":\"keyValues\"}";
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(hashKey(1), "HmacSHA256"));
    for (String part : List.of("input/v1", ID.namespace(), ID.name(), canonical)) {
      byte[] b = part.getBytes(StandardCharsets.UTF_8);
      mac.update(ByteBuffer.allocate(4).putInt(b.length).array());
      mac.update(b);
    }
    String expected = Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal());

    assertThat(
            assembler.inputHash(
                ID,
                keyValues(
                    data("u", "1"), generate("p", length(8)), db("postgres", "h", null, null))))
        .isEqualTo(expected);
  }
}
