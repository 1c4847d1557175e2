package dev.managedsecrets.core.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedsecrets.api.v1alpha1.TargetSpec;
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
    SecretsManagerException e =
        catchThrowableOfType(SecretsManagerException.class, () -> Projection.data(value, target));
    assertThat(e).as("the projection must be refused").isNotNull();
    assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION);
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
  void propertyThatIsNotAValidSecretKeyIsRefused() {
    SecretsManagerException e = dataRefused(json("{\"bad key\":\"" + PASS + "\"}"), null);

    assertThat(e.getMessage()).contains("bad key").doesNotContain(PASS);
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
  void unknownPlaceholderIsInvalidParameterNamingThePlaceholderButNoValue() {
    TargetSpec t = target(x -> x.template = Map.of("url", "{{username}}:{{nope}}"));

    SecretsManagerException e = dataRefused(credentials(), t);

    assertThat(e.getMessage()).contains("{{nope}}").contains("target.template.url");
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

    assertThat(e.getMessage()).contains("{{a}}");
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
