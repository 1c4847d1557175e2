package dev.managedsecrets.core.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;

class TemplateEngineTest {

  private static final KeyedHash SALTS = new KeyedHash(new byte[32]);
  private final TemplateEngine engine = new TemplateEngine(1024 * 1024);

  private String render(String template, Map<String, String> keys) {
    return engine.render(Map.of("out", template), keys, SALTS, (k, v) -> {}).get("out");
  }

  private SecretsManagerException refusal(String template, Map<String, String> keys) {
    return catchThrowableOfType(SecretsManagerException.class, () -> render(template, keys));
  }

  @Test
  void urlencodeMakesAPasswordSafeInTheUserinfoOfAUrl() throws Exception {
    String password = "p#%?]|@:/ ä+";
    String url =
        render(
            "postgres://{{ username | urlencode }}:{{ password | urlencode }}@db:5432/orders",
            Map.of("username", "app", "password", password));
    URI uri = new URI(url);
    assertThat(uri.getHost()).isEqualTo("db");
    assertThat(uri.getPort()).isEqualTo(5432);
    assertThat(uri.getUserInfo()).isEqualTo("app:" + password);
  }

  @Test
  void urlqueryEncodesAsFormsDo() {
    assertThat(render("{{ v | urlquery }}", Map.of("v", "a b&c=d"))).isEqualTo("a+b%26c%3Dd");
  }

  @Test
  void base64EncodesAndDecodesText() {
    assertThat(render("{{ v | b64enc }}", Map.of("v", "user:pass"))).isEqualTo("dXNlcjpwYXNz");
    assertThat(render("{{ v | b64dec }}", Map.of("v", "dXNlcjpwYXNz"))).isEqualTo("user:pass");
  }

  @Test
  void b64decRefusesWhatIsNotBase64WithoutQuotingIt() {
    SecretsManagerException e = refusal("{{ v | b64dec }}", Map.of("v", "not base64!"));
    assertThat(e.getMessage()).contains("b64dec").doesNotContain("not base64!");
  }

  @Test
  void jsonIsDecodedReadByPathAndEncoded() {
    Map<String, String> keys = Map.of("config", "{\"db\":{\"host\":\"h1\",\"ports\":[5432,6432]}}");
    assertThat(render("{{ (config | fromJson).db.host }}", keys)).isEqualTo("h1");
    assertThat(render("{{ (config | fromJson).db.ports[1] }}", keys)).isEqualTo("6432");
    assertThat(render("{{ (config | fromJson)['db']['host'] }}", keys)).isEqualTo("h1");
    assertThat(render("{{ (config | fromJson).db | toJson }}", keys))
        .isEqualTo("{\"host\":\"h1\",\"ports\":[5432,6432]}");
    assertThat(render("{{ v | toJson }}", Map.of("v", "a\"b\n"))).isEqualTo("\"a\\\"b\\n\"");
  }

  @Test
  void textIsUpperLowerAndTrimmed() {
    assertThat(
            render("{{ v | upper }}|{{ v | lower }}|{{ w | trim }}", Map.of("v", "aB", "w", " x ")))
        .isEqualTo("AB|ab|x");
  }

  @Test
  void aMissingKeyTakesItsDefault() {
    assertThat(render("{{ port | default('5432') }}", Map.of())).isEqualTo("5432");
    assertThat(render("{{ port | default('5432') }}", Map.of("port", "6432"))).isEqualTo("6432");
    assertThat(render("{{ (c | fromJson).x | default('none') }}", Map.of("c", "{}")))
        .isEqualTo("none");
  }

  @Test
  void aMissingKeyWithoutADefaultIsRefusedWithoutNamingIt() {
    SecretsManagerException e = refusal("a\n{{ hunter2key }}", Map.of());
    assertThat(e.error()).isEqualTo(dev.managedsecrets.core.secret.AwsError.VALIDATION_EXCEPTION);
    assertThat(e.getMessage())
        .startsWith("target.templates.data.out: the template reads a key the value does not have")
        .contains("default")
        .doesNotContain("hunter2key");
  }

  @Test
  void keysThatAreNoNamesAreReadThroughSecret() {
    assertThat(render("{{ secret['tls.crt'] }}", Map.of("tls.crt", "C"))).isEqualTo("C");
  }

  @Test
  void pemSplitsCertificatesFromTheKey() {
    String pem =
        "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n"
            + "-----BEGIN PRIVATE KEY-----\nREVG\n-----END PRIVATE KEY-----\n"
            + "-----BEGIN CERTIFICATE-----\nR0hJ\n-----END CERTIFICATE-----\n";
    Map<String, String> keys = Map.of("bundle", pem);
    assertThat(render("{{ bundle | pemCertificates }}", keys))
        .isEqualTo(
            "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n"
                + "-----BEGIN CERTIFICATE-----\nR0hJ\n-----END CERTIFICATE-----\n");
    assertThat(render("{{ bundle | pemPrivateKey }}", keys))
        .isEqualTo("-----BEGIN PRIVATE KEY-----\nREVG\n-----END PRIVATE KEY-----\n");
    assertThat(render("{{ bundle | pem('PRIVATE KEY') }}", keys))
        .isEqualTo("-----BEGIN PRIVATE KEY-----\nREVG\n-----END PRIVATE KEY-----\n");
  }

  @Test
  void dockerConfigJsonCarriesTheBase64OfUserAndPassword() throws Exception {
    String json =
        render(
            "{{ dockerConfigJson('registry.example.com', user, pass) }}",
            Map.of("user", "robot", "pass", "s3\"cret"));
    var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    var entry = tree.get("auths").get("registry.example.com");
    assertThat(entry.get("username").asText()).isEqualTo("robot");
    assertThat(entry.get("password").asText()).isEqualTo("s3\"cret");
    assertThat(
            new String(
                Base64.getDecoder().decode(entry.get("auth").asText()), StandardCharsets.UTF_8))
        .isEqualTo("robot:s3\"cret");
  }

  @Test
  void htpasswdIsABcryptLineThatVerifiesAndIsTheSameOnEveryRender() {
    Map<String, String> keys = Map.of("user", "admin", "pass", "correct horse");
    String line = render("{{ htpasswd(user, pass) }}", keys);
    assertThat(line).startsWith("admin:$2y$10$");
    String hash = line.substring("admin:".length());
    assertThat(OpenBSDBCrypt.checkPassword(hash, "correct horse".toCharArray())).isTrue();
    assertThat(OpenBSDBCrypt.checkPassword(hash, "wrong".toCharArray())).isFalse();
    assertThat(render("{{ htpasswd(user, pass) }}", keys)).isEqualTo(line);
    String otherKey =
        new TemplateEngine(1024)
            .render(
                Map.of("o", "{{ htpasswd(user, pass) }}"),
                keys,
                new KeyedHash(
                    new byte[] {
                      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                      23, 24, 25, 26, 27, 28, 29, 30, 31, 32
                    }),
                (k, v) -> {})
            .get("o");
    assertThat(otherKey).isNotEqualTo(line);
    assertThat(render("{{ pass | bcrypt(4) }}", keys)).startsWith("$2y$04$");
  }

  @Test
  void hashesAreRefusedWithoutTheOperatorsKey() {
    SecretsManagerException e =
        catchThrowableOfType(
            SecretsManagerException.class,
            () ->
                engine.render(
                    Map.of("o", "{{ p | bcrypt }}"), Map.of("p", "x"), null, (k, v) -> {}));
    assertThat(e.getMessage()).contains("operator's key");
  }

  @Test
  void joinBuildsTextFromAList() {
    assertThat(render("{{ [u, ':', p] | join | b64enc }}", Map.of("u", "a", "p", "b")))
        .isEqualTo(Base64.getEncoder().encodeToString("a:b".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void ifChoosesBetweenTexts() {
    assertThat(render("{% if tls == 'on' %}rediss{% else %}redis{% endif %}", Map.of("tls", "on")))
        .isEqualTo("rediss");
  }

  @Test
  void theOldDoubleBraceFormOfAKeyStillPrintsIt() {
    assertThat(render("{{password}}", Map.of("password", "p"))).isEqualTo("p");
  }

  // The sandbox: each attempt is refused with a ValidationException that says why.

  @Test
  void aMethodCallOnAValueIsRefused() {
    assertThat(refusal("{{ v.getClass() }}", Map.of("v", "x")).getMessage()).contains("no methods");
    assertThat(refusal("{{ v.class }}", Map.of("v", "x")).getMessage()).contains("attributes");
    assertThat(refusal("{{ v.bytes }}", Map.of("v", "x")).getMessage()).contains("attributes");
    assertThat(refusal("{{ secret.getClass() }}", Map.of("v", "x")).getMessage())
        .contains("no methods");
  }

  @Test
  void readingAFileOrAnotherTemplateIsRefused() {
    for (String t :
        new String[] {
          "{% include '/etc/passwd' %}",
          "{% import '/etc/passwd' %}",
          "{% extends '/etc/passwd' %}",
          "{% from '/etc/passwd' import x %}",
          "{% embed '/etc/passwd' %}{% endembed %}",
        }) {
      assertThat(refusal(t, Map.of()).getMessage()).as(t).contains("not a valid template");
    }
    assertThat(refusal("{{ i18n('x', 'y') }}", Map.of()).getMessage())
        .contains("a function the template language does not have");
  }

  @Test
  void loopsRecursionAndAssignmentsAreRefused() {
    for (String t :
        new String[] {
          "{% for i in range(0, 1000000000) %}x{% endfor %}",
          "{% for i in 0..1000000000 %}x{% endfor %}",
          "{{ 0..1000000000 }}",
          "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
          "{% set a = v %}",
          "{% filter upper %}{{ v }}{% endfilter %}",
          "{% parallel %}x{% endparallel %}",
          "{% cache 'k' %}x{% endcache %}",
          "{{ v ~ v }}",
          "{{ v + v }}",
          "{% if v contains v %}x{% endif %}",
        }) {
      SecretsManagerException e = refusal(t, Map.of("v", "x"));
      assertThat(e).as(t).isNotNull();
      assertThat(e.getMessage()).as(t).contains("not a valid template");
    }
  }

  @Test
  void nestingAsDeepAsATemplateAllowsIsRefusedNotACrash() {
    String deep = "{{ " + "(".repeat(30_000) + "v" + ")".repeat(30_000) + " }}";
    SecretsManagerException e = refusal(deep, Map.of("v", "x"));
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("nests brackets more than 32 deep");
  }

  @Test
  void stringInterpolationIsNotAWayToRepeatAValue() {
    assertThat(refusal("{{ \"#{v}#{v}\" | b64enc }}", Map.of("v", "x")).getMessage())
        .contains("string interpolation");
    assertThat(render("{{ '#' }}{v}", Map.of("v", "x"))).isEqualTo("#{v}");
  }

  @Test
  void aHugeOutputIsRefused() {
    String big = "x".repeat(60_000);
    String template = "{{ v }}".repeat(20);
    SecretsManagerException e =
        catchThrowableOfType(
            SecretsManagerException.class,
            () ->
                new TemplateEngine(1024 * 1024)
                    .render(Map.of("o", template), Map.of("v", big), SALTS, (k, v) -> {}));
    assertThat(e.getMessage()).contains("more characters than a Secret may hold");
  }

  @Test
  void functionsChainedToGrowAValueAreStoppedByTheBudget() {
    String template = "{{ v" + " | b64enc".repeat(40) + " }}";
    SecretsManagerException e = refusal(template, Map.of("v", "x".repeat(60_000)));
    assertThat(e.getMessage()).contains("b64enc").contains("characters of output");
  }

  @Test
  void bcryptWorkIsBounded() {
    String template = "{{ p | bcrypt(12) }}".repeat(3);
    SecretsManagerException e = refusal(template, Map.of("p", "x"));
    assertThat(e.getMessage()).contains("at most 8 times at cost 10");
  }

  @Test
  void aFailureWhileRenderingGivesNoLineSoThatItTellsNothingOfTheValue() {
    // Which line fails would depend on the value: a template could learn it a line at a time.
    StringBuilder t = new StringBuilder();
    for (int n = 0; n < 10; n++) {
      t.append("{% if v == '").append(n).append("' %}{{ nope }}{% endif %}\n");
    }
    for (String v : new String[] {"3", "7"}) {
      assertThat(refusal(t.toString(), Map.of("v", v)).getMessage())
          .isEqualTo(
              "target.templates.data.out: the template reads a key the value does not have (give"
                  + " it a default with | default('...')).");
    }
    assertThat(refusal("x\n{{ v | b64dec }}", Map.of("v", "!")).getMessage())
        .isEqualTo(
            "target.templates.data.out: the template b64dec was given text that is not base64.");
    // A refusal of the template's own text gives its line.
    assertThat(refusal("x\n{{ v ~ v }}", Map.of("v", "x")).getMessage()).contains("(line 2)");
  }

  @Test
  void pebblesOwnVariablesAreNotReadable() {
    for (String name : new String[] {"template", "locale", "_context"}) {
      assertThat(refusal("{{ " + name + " }}", Map.of("v", "x")).getMessage())
          .as(name)
          .contains("a name the template language keeps");
      assertThat(refusal("{{ " + name + " | toJson }}", Map.of("v", "x")).getMessage())
          .as(name)
          .contains("a name the template language keeps");
    }
    assertThat(render("{{ secret['template'] }}", Map.of("template", "t"))).isEqualTo("t");
  }

  @Test
  void theSecretMapRendersTheSameTextEveryTime() {
    Map<String, String> keys = new java.util.HashMap<>();
    for (int i = 0; i < 20; i++) {
      keys.put("k" + i, "v" + i);
    }
    String json = render("{{ secret | toJson }}", keys);
    assertThat(json).startsWith("{\"k0\":\"v0\",\"k1\":\"v1\",\"k10\":");
    assertThat(render("{{ secret | toJson }}", new java.util.TreeMap<>(keys).descendingMap()))
        .isEqualTo(json);
  }

  @Test
  void listLiteralsAreBoundedSoThatPrintingOrEncodingOneIsBounded() {
    String big = "[" + "v,".repeat(200) + "v]";
    Map<String, String> keys = Map.of("v", "x".repeat(60_000));
    for (String t : new String[] {"{{ " + big + " }}", "{{ " + big + " | toJson }}"}) {
      assertThat(refusal(t, keys).getMessage())
          .as(t.substring(0, 20))
          .contains("more than 64 items in its list literals");
    }
    // Within the bound, what toJson would make is charged before it is made.
    String most = "[" + "v,".repeat(63) + "v]";
    assertThat(refusal("{{ " + most + " | toJson }}", Map.of("v", "x".repeat(60_000))).getMessage())
        .contains("toJson would take the templates' functions past");
  }

  @Test
  void mapLiteralsAreRefusedForPebbleEvaluatesThemInNoFixedOrder() {
    for (String t :
        new String[] {
          "{{ {'Aa': 1, 'BB': 2} | toJson }}", "{{ {'k': v} }}", "{{ x | default({}) }}"
        }) {
      assertThat(refusal(t, Map.of("v", "x")).getMessage())
          .as(t)
          .contains("uses an operator or expression the template language does not have");
    }
  }

  @Test
  void longQuotedStringsOfEscapesAreRefusedByCountBeforeThePebbleLexerRecursesOnThem() {
    Map<String, String> keys = Map.of("v", "x");
    for (int i = 0; i < 3; i++) {
      assertThat(refusal("{{ \"" + "#".repeat(1500) + "\" }}", keys).getMessage())
          .contains("more than 64 backslashes or #");
      assertThat(refusal("{{ '" + "\\a".repeat(2020) + "' }}", keys).getMessage())
          .contains("more than 64 backslashes or #");
    }
    assertThat(render("{{ '" + "\\'".repeat(64) + "' }}", keys)).isEqualTo("'".repeat(64));
    // Outside a tag, backslashes and # are text.
    assertThat(render("\\".repeat(200) + "#".repeat(200), keys))
        .isEqualTo("\\".repeat(200) + "#".repeat(200));
  }

  @Test
  void aTemplateHasAtMost4096Tokens() {
    Map<String, String> keys = Map.of("v", "x");
    assertThat(render("{{v}}".repeat(1300), keys)).isEqualTo("x".repeat(1300));
    assertThat(refusal("{{v}}".repeat(1400), keys).getMessage()).contains("more than 4096 tokens");
  }

  @Test
  void fromJsonReadsAtMost64LevelsAndChargesWhatItsObjectsTake() {
    String deep = "[".repeat(65) + "]".repeat(65);
    assertThat(refusal("{{ v | fromJson | toJson }}", Map.of("v", deep)).getMessage())
        .contains("fromJson was given text that is not JSON, or JSON nested more than 64 deep");
    String ok = "[".repeat(64) + "]".repeat(64);
    assertThat(render("{{ v | fromJson | toJson }}", Map.of("v", ok))).isEqualTo(ok);
    String big = "[" + "{},".repeat(20_000) + "{}]";
    String five = "{% if (v | fromJson) is empty %}{% endif %}".repeat(5);
    assertThat(refusal(five, Map.of("v", big)).getMessage())
        .contains("fromJson would take the templates' functions past");
  }

  @Test
  void arithmeticIsNotPartOfTheLanguage() {
    // List subtraction is quadratic: [w, w, ...] - [v, v, ...] would stall a thread.
    for (String t :
        new String[] {
          "{{ [v] - [v] }}", "{{ 1 - 1 }}", "{{ 2 * 3 }}", "{{ 4 / 2 }}", "{{ 5 % 2 }}"
        }) {
      assertThat(refusal(t, Map.of("v", "x")).getMessage()).as(t).contains("not a valid template");
    }
  }

  @Test
  void nestingIsRefusedByCountNotByAStackOverflow() {
    Map<String, String> keys = Map.of("v", "x");
    assertThat(refusal("{{ " + "not ".repeat(65) + "v }}", keys).getMessage())
        .contains("more than 64 not or ? operators");
    assertThat(refusal("{{ " + "(".repeat(33) + "v" + ")".repeat(33) + " }}", keys).getMessage())
        .contains("nests brackets more than 32 deep");
    assertThat(refusal("{% if v %}".repeat(33) + "{% endif %}".repeat(33), keys).getMessage())
        .contains("nests if blocks more than 32 deep");
    assertThat(refusal("{{ v" + " | upper".repeat(70) + " }}", keys).getMessage())
        .contains("nests more than 64 deep");
    // Each the same on every render, whatever the JIT made of the parser meanwhile.
    for (int i = 0; i < 3; i++) {
      assertThat(refusal("{{ v" + " or v".repeat(70) + " }}", keys).getMessage())
          .contains("nests more than 64 deep");
      assertThat(refusal("{{ v" + " or v".repeat(16_000) + " }}", keys).getMessage())
          .contains("more than 4096 tokens");
    }
  }

  @Test
  void aRefusalHoldsNoByteOfTheValue() {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("k", "S3CRETVALUE");
    for (String t :
        new String[] {
          "{{ k / 0 }}",
          "{{ k - 1 }}",
          "{{ k * 2 }}",
          "{{ k | fromJson }}",
          "{{ k.x }}",
          "{{ 1 / 0 }}"
        }) {
      SecretsManagerException e = refusal(t, keys);
      assertThat(e).as(t).isNotNull();
      assertThat(e.getMessage()).as(t).doesNotContain("S3CRETVALUE");
    }
  }
}
