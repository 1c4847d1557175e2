package dev.managedsecrets.operator.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.projection.Projection;
import dev.managedsecrets.core.value.PasswordGenerator;
import dev.managedsecrets.core.value.SecretValue;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * examples/02-generated-database.yaml as shipped: the DATABASE_URL its template projects parses
 * with a real URL parser, and gives back the generated password, for many generated passwords.
 */
class ExampleDatabaseUrlTest {

  private static final KubernetesSerialization K8S = new KubernetesSerialization();

  private static ManagedSecret example() throws Exception {
    Path dir = Path.of(System.getProperty("examples.dir", "../examples"));
    return K8S.unmarshal(
        Files.readString(dir.resolve("02-generated-database.yaml")), ManagedSecret.class);
  }

  @Test
  void theExamplesDatabaseUrlParsesForEveryGeneratedPassword() throws Exception {
    ManagedSecret ms = example();
    assertThat(ms.getSpec().target.templates.data).containsKey("DATABASE_URL");
    Projection projection = new Projection(new KeyedHash(new byte[32]));
    PasswordGenerator passwords = new PasswordGenerator();
    int hard = 0;
    for (int i = 0; i < 2000; i++) {
      String password = passwords.generate(ms.getSpec().generate.get("password"));
      if (password.chars().anyMatch(c -> "#%?]|[ +&=".indexOf(c) >= 0)) {
        hard++;
      }
      String json =
          K8S.asJson(
              Map.of(
                  "username",
                  ms.getSpec().data.get("username"),
                  "password",
                  password,
                  "engine",
                  "postgres",
                  "host",
                  ms.getSpec().database.host,
                  "port",
                  5432,
                  "dbname",
                  ms.getSpec().database.dbname));
      Map<String, byte[]> data = projection.project(SecretValue.text(json), ms.getSpec().target);
      URI url = new URI(new String(data.get("DATABASE_URL"), StandardCharsets.UTF_8));
      assertThat(url.getScheme()).isEqualTo("postgres");
      assertThat(url.getHost()).isEqualTo("db.internal");
      assertThat(url.getPort()).isEqualTo(5432);
      assertThat(url.getPath()).isEqualTo("/orders");
      assertThat(url.getQuery()).isNull();
      assertThat(url.getFragment()).isNull();
      String[] userinfo = url.getRawUserInfo().split(":", 2);
      assertThat(URLDecoder.decode(userinfo[0], StandardCharsets.UTF_8)).isEqualTo("orders_app");
      assertThat(decodePercent(userinfo[1])).isEqualTo(password);
    }
    // The passwords tried include the characters that broke the unescaped URL.
    assertThat(hard).isGreaterThan(1000);
  }

  /** Percent-decoding as RFC 3986 reads userinfo ('+' is a plus, not a space). */
  private static String decodePercent(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
