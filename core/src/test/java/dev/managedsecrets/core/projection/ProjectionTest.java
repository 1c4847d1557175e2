package dev.managedsecrets.core.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedsecrets.api.v1alpha1.TargetSpec;
import dev.managedsecrets.core.Allocations;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.value.SecretValue;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ProjectionTest {

  private static final String USER = "user-7d1c";
  private static final String PASS = "s3cr3t-pass-9f2e";

  private static SecretValue json(String json) {
    return SecretValue.text(json);
  }

  private static SecretValue credentials() {
    return json("{\"password\":\"" + PASS + "\",\"username\":\"" + USER + "\"}");
  }

  private static TargetSpec target(Consumer<TargetSpec> settings) {
    TargetSpec t = new TargetSpec();
    settings.accept(t);
    return t;
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static SecretsManagerException dataRefused(SecretValue value, TargetSpec target) {
    return refused(value, target, AwsError.INVALID_PARAMETER_EXCEPTION);
  }

  private static SecretsManagerException refused(
      SecretValue value, TargetSpec target, AwsError error) {
    SecretsManagerException e =
        catchThrowableOfType(SecretsManagerException.class, () -> Projection.data(value, target));
    assertThat(e).as("the projection must be refused").isNotNull();
    assertThat(e.error()).isEqualTo(error);
    return e;
  }

  // ---- data

  @Test
  void jsonObjectProjectsOneKeyPerProperty() {
    Map<String, byte[]> data = Projection.data(credentials(), null);

    assertThat(data).containsOnlyKeys("password", "username");
    assertThat(text(data.get("username"))).isEqualTo(USER);
    assertThat(text(data.get("password"))).isEqualTo(PASS);
  }

  @Test
  void nonStringPropertiesProjectAsJsonText() {
    Map<String, byte[]> data =
        Projection.data(
            json(
                "{\"port\":5432,\"ratio\":1.5,\"enabled\":true,\"nested\":{\"a\":1},"
                    + "\"list\":[1,\"x\"],\"nothing\":null,\"s\":\"5432\"}"),
            null);

    assertThat(text(data.get("port"))).isEqualTo("5432");
    assertThat(text(data.get("ratio"))).isEqualTo("1.5");
    assertThat(text(data.get("enabled"))).isEqualTo("true");
    assertThat(text(data.get("nested"))).isEqualTo("{\"a\":1}");
    assertThat(text(data.get("list"))).isEqualTo("[1,\"x\"]");
    assertThat(text(data.get("nothing"))).isEqualTo("null");
    assertThat(text(data.get("s"))).isEqualTo("5432");
  }

  @Test
  void stringPropertiesAreUnquotedAndUnescaped() {
    Map<String, byte[]> data = Projection.data(json("{\"k\":\"a \\\"q\\\" \\u00e9\"}"), null);

    assertThat(text(data.get("k"))).isEqualTo("a \"q\" é");
  }

  @Test
  void nonJsonSecretStringProjectsKeySecretString() {
    Map<String, byte[]> data = Projection.data(SecretValue.text("just some text"), null);

    assertThat(data).containsOnlyKeys("secretString");
    assertThat(text(data.get("secretString"))).isEqualTo("just some text");
  }

  @Test
  void jsonThatIsNotAnObjectProjectsKeySecretString() {
    for (String notObject : List.of("[1,2]", "\"quoted\"", "42", "{broken")) {
      Map<String, byte[]> data = Projection.data(SecretValue.text(notObject), null);
      assertThat(data).as(notObject).containsOnlyKeys("secretString");
      assertThat(text(data.get("secretString"))).isEqualTo(notObject);
    }
  }

  @Test
  void binaryValueProjectsKeySecretBinaryWithTheSameBytes() {
    byte[] bytes = {0, (byte) 0xFF, (byte) 0xC3, 0x28};

    Map<String, byte[]> data = Projection.data(new SecretValue(bytes, true), null);

    assertThat(data).containsOnlyKeys("secretBinary");
    assertThat(data.get("secretBinary")).isEqualTo(bytes);
  }

  @Test
  void binaryValueThatLooksLikeJsonStillProjectsSecretBinary() {
    byte[] bytes = "{\"a\":\"b\"}".getBytes(StandardCharsets.UTF_8);

    assertThat(Projection.data(new SecretValue(bytes, true), null))
        .containsOnlyKeys("secretBinary");
  }

  @Test
  void propertyThatIsNotAValidSecretKeyIsRefusedByItsPositionNotItsName() {
    SecretsManagerException e =
        dataRefused(json("{\"good\":\"x\",\"bad key\":\"" + PASS + "\"}"), null);

    assertThat(e.getMessage())
        .startsWith("Key 2 of the value's 2 is not a valid Secret key")
        .doesNotContain("bad key")
        .doesNotContain("good")
        .doesNotContain(PASS);
  }

  // ---- templates

  @Test
  void templateRendersPlaceholdersFromTheValuesKeys() {
    TargetSpec t =
        target(
            x ->
                x.template =
                    Map.of(
                        "url", "postgres://{{username}}:{{ password }}@db/orders",
                        "plain", "no placeholders"));

    Map<String, byte[]> data = Projection.data(credentials(), t);

    assertThat(text(data.get("url"))).isEqualTo("postgres://" + USER + ":" + PASS + "@db/orders");
    assertThat(text(data.get("plain"))).isEqualTo("no placeholders");
    assertThat(data).containsKeys("username", "password");
  }

  @Test
  void theOldTemplateFieldKeepsItsSubstitutionWhereAKeyLooksLikeAnExpression() {
    TargetSpec t =
        target(
            x ->
                x.template =
                    Map.of("bundle", "{{tls.crt}}|{{my-key}}|{{ a.b-c }}|{{ upper }}|{% if %}"));

    Map<String, byte[]> data =
        Projection.data(
            json("{\"tls.crt\":\"CERT\",\"my-key\":\"K\",\"a.b-c\":\"D\",\"upper\":\"u\"}"), t);

    assertThat(text(data.get("bundle"))).isEqualTo("CERT|K|D|u|{% if %}");
  }

  @Test
  void theTemplateLanguageReadsKeysThatAreNoNamesThroughSecret() {
    TargetSpec t =
        target(
            x -> {
              x.templates = new dev.managedsecrets.api.v1alpha1.TemplatesSpec();
              x.templates.engineVersion = "v1";
              x.templates.data = Map.of("bundle", "{{ secret['tls.crt'] | upper }}-{{ other }}");
            });

    Map<String, byte[]> data = Projection.data(json("{\"tls.crt\":\"cert\",\"other\":\"o\"}"), t);

    assertThat(text(data.get("bundle"))).isEqualTo("CERT-o");
    assertThat(data).containsKeys("tls.crt", "other");
  }

  @Test
  void templateRendersReplacementCharactersLiterally() {
    TargetSpec t = target(x -> x.template = Map.of("out", "[{{v}}]"));

    Map<String, byte[]> data = Projection.data(json("{\"v\":\"$1 \\\\ $0 {{v}}\"}"), t);

    assertThat(text(data.get("out"))).isEqualTo("[$1 \\ $0 {{v}}]");
  }

  @Test
  void templateCanRenderFromSecretStringOfANonJsonValue() {
    TargetSpec t = target(x -> x.template = Map.of("config", "token={{secretString}}"));

    Map<String, byte[]> data = Projection.data(SecretValue.text("abc"), t);

    assertThat(text(data.get("config"))).isEqualTo("token=abc");
  }

  @Test
  void unknownPlaceholderIsInvalidParameterCountingItButNamingNoKeyAndNoValue() {
    TargetSpec t = target(x -> x.template = Map.of("url", "{{username}}:{{nope}}"));

    SecretsManagerException e = dataRefused(credentials(), t);

    assertThat(e.getMessage())
        .isEqualTo(
            "target.template.url: its placeholder 2 names a key the value does not have (the"
                + " value has 2 keys).");
    assertThat(e.getMessage()).doesNotContain(PASS).doesNotContain(USER);
    assertThat(e.toString()).doesNotContain(PASS).doesNotContain(USER);
  }

  @Test
  void templatesSeeOnlyTheValuesOwnKeysNotOtherTemplates() {
    Map<String, String> template = new LinkedHashMap<>();
    template.put("a", "x");
    template.put("b", "{{a}}");
    TargetSpec t = target(x -> x.template = template);

    SecretsManagerException e = dataRefused(credentials(), t);

    assertThat(e.getMessage()).startsWith("target.template.b: its placeholder 1 names a key");
  }

  // ---- bounds: Kubernetes' 1 MiB of Secret data, counted before it is built

  private static final int SECRET_BOUND = 1_048_576;

  private static SecretsManagerException validationRefused(SecretValue value, TargetSpec target) {
    return refused(value, target, AwsError.VALIDATION_EXCEPTION);
  }

  /** A JSON value of one key whose value is {@code length} times {@code c}. */
  private static SecretValue oneKey(String key, char c, int length) {
    return json("{\"" + key + "\":\"" + String.valueOf(c).repeat(length) + "\"}");
  }

  @Test
  void aTemplateThatWouldRenderMoreThanAGibibyteIsRefusedBeforeAnythingIsRendered() {
    String key = "bulk-7f3a";
    SecretValue value = oneKey(key, 'q', 50_000);
    // 25,000 references to a 50 KB key: 1.25 GB rendered, from a 325 KB template.
    TargetSpec t = target(x -> x.template = Map.of("BOMB", ("{{" + key + "}}").repeat(25_000)));
    SecretsManagerException[] refused = new SecretsManagerException[1];

    long allocated = Allocations.during(() -> refused[0] = validationRefused(value, t));

    assertThat(refused[0].getMessage())
        .isEqualTo(
            "1 validation error detected: Value at 'target.template' failed to satisfy"
                + " constraint: Member must have length less than or equal to 1048576: the"
                + " projected Secret's data (the keys and values of the value and of the rendered"
                + " target.template) may hold at most 1048576 bytes, as Kubernetes allows a"
                + " Secret.");
    assertThat(refused[0].getMessage()).doesNotContain(key).doesNotContain("qqq");
    assertThat(allocated).as("bytes allocated to refuse it").isLessThan(16L << 20);
  }

  @Test
  void theProjectedSecretMayHoldExactlyOneMebibyteOfKeysAndValuesAndNotOneByteMore() {
    SecretValue value = oneKey("a", 'v', 60_000);
    // The value's key and value (1 + 60,000 bytes), the template's key (1) and rendering.
    int rendered = SECRET_BOUND - 60_001 - 1;
    String fill = "é".repeat((rendered - 16 * 60_000) / 2);
    TargetSpec exact = target(x -> x.template = Map.of("t", "{{a}}".repeat(16) + fill));
    TargetSpec over = target(x -> x.template = Map.of("t", "{{a}}".repeat(16) + fill + "x"));

    Map<String, byte[]> data = Projection.data(value, exact);

    assertThat(data.get("t")).hasSize(rendered);
    assertThat(data.values().stream().mapToLong(b -> b.length).sum() + 2).isEqualTo(SECRET_BOUND);
    validationRefused(value, over);
  }

  @Test
  void aTemplateKeyThatReplacesAValueKeyIsCountedOnce() {
    SecretValue value = json("{\"a\":\"" + "v".repeat(600_000) + "\",\"b\":\"x\"}");
    // Without the replaced key the data is 2 + 1 + 1 + 600,000 bytes; with it, 1.2 MB.
    TargetSpec t = target(x -> x.template = Map.of("a", "{{a}}"));

    Map<String, byte[]> data = Projection.data(value, t);

    assertThat(data.get("a")).hasSize(600_000);
  }

  @Test
  void aValueWhoseKeysAloneWouldPassTheSecretBoundIsRefused() {
    SecretsManagerException e = validationRefused(oneKey("a", 'v', SECRET_BOUND), null);

    assertThat(e.getMessage())
        .startsWith(
            "1 validation error detected: Value at 'secretString' failed to satisfy constraint:"
                + " Member must have length less than or equal to 1048576")
        .doesNotContain("vvv");
  }

  @Test
  void templatesRenderMultiByteTextAndUndecodableBytesAsTheyDidBefore() {
    byte[] binary = {'a', (byte) 0xC3, 0x28, (byte) 0xFF, 'z'};
    TargetSpec t =
        target(
            x ->
                x.template =
                    Map.of(
                        "out",
                        "\u00e9\u20ac\ud83d\ude00[{{secretBinary}}]\ud800{{ secretBinary }}"));

    Map<String, byte[]> data = Projection.data(new SecretValue(binary, true), t);

    String asText = new String(binary, StandardCharsets.UTF_8);
    String before = "\u00e9\u20ac\ud83d\ude00[" + asText + "]\ud800" + asText;
    assertThat(data.get("out")).isEqualTo(before.getBytes(StandardCharsets.UTF_8));
  }

  // ---- Secret types

  @Test
  void tlsWithoutItsKeysIsRefused() {
    TargetSpec tls = target(x -> x.type = "kubernetes.io/tls");

    SecretsManagerException noKey =
        dataRefused(json("{\"tls.crt\":\"CERT\",\"other\":\"" + PASS + "\"}"), tls);
    dataRefused(json("{\"tls.key\":\"KEY\"}"), tls);

    assertThat(noKey.getMessage()).contains("kubernetes.io/tls").contains("tls.key");
    assertThat(noKey.getMessage()).doesNotContain(PASS).doesNotContain("CERT");
    assertThatCode(() -> Projection.data(json("{\"tls.crt\":\"C\",\"tls.key\":\"K\"}"), tls))
        .doesNotThrowAnyException();
  }

  @Test
  void tlsKeysMayComeFromTheTemplate() {
    TargetSpec tls =
        target(
            x -> {
              x.type = "kubernetes.io/tls";
              x.template = Map.of("tls.crt", "{{cert}}", "tls.key", "{{key}}");
            });

    Map<String, byte[]> data = Projection.data(json("{\"cert\":\"C\",\"key\":\"K\"}"), tls);

    assertThat(text(data.get("tls.crt"))).isEqualTo("C");
    assertThat(text(data.get("tls.key"))).isEqualTo("K");
  }

  @Test
  void dockerConfigJsonWithoutItsKeyIsRefused() {
    TargetSpec docker = target(x -> x.type = "kubernetes.io/dockerconfigjson");

    SecretsManagerException e = dataRefused(credentials(), docker);

    assertThat(e.getMessage()).contains(".dockerconfigjson");
    assertThatCode(() -> Projection.data(json("{\".dockerconfigjson\":\"{}\"}"), docker))
        .doesNotThrowAnyException();
  }

  @Test
  void sshAuthWithoutItsKeyIsRefused() {
    TargetSpec ssh = target(x -> x.type = "kubernetes.io/ssh-auth");

    SecretsManagerException e = dataRefused(SecretValue.text("-----BEGIN KEY-----"), ssh);

    assertThat(e.getMessage()).contains("ssh-privatekey").doesNotContain("BEGIN KEY");
    assertThatCode(() -> Projection.data(json("{\"ssh-privatekey\":\"k\"}"), ssh))
        .doesNotThrowAnyException();
  }

  @Test
  void basicAuthWithoutUsernameOrPasswordIsRefused() {
    TargetSpec basic = target(x -> x.type = "kubernetes.io/basic-auth");

    dataRefused(json("{\"user\":\"u\",\"pass\":\"p\"}"), basic);
    assertThatCode(() -> Projection.data(json("{\"password\":\"p\"}"), basic))
        .doesNotThrowAnyException();
    assertThatCode(() -> Projection.data(json("{\"username\":\"u\"}"), basic))
        .doesNotThrowAnyException();
  }

  @Test
  void opaqueNeedsNoParticularKey() {
    assertThatCode(() -> Projection.data(SecretValue.text("x"), target(x -> x.type = "Opaque")))
        .doesNotThrowAnyException();
  }

  @Test
  void secretNameLabelOfALongNameFitsInALabelValue() {
    String longName = "a".repeat(70) + "-x";

    String label = Projection.labelValue(longName);

    assertThat(label).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    assertThat(Projection.labelValue(longName + "y")).isNotEqualTo(label);
    assertThat(Projection.labelValue("short")).isEqualTo("short");
  }
}
