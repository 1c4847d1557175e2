package dev.managedsecrets.operator.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.value.SecretValue;
import org.junit.jupiter.api.Test;

class PostgresLoginTest {

  @Test
  void aDatabaseSecretInAwsFormatIsReadWithItsDefaults() {
    PostgresLogin login =
        PostgresLogin.of(
            SecretValue.text(
                "{\"engine\":\"postgres\",\"host\":\"db.internal\",\"username\":\"orders\","
                    + "\"password\":\"s3cret-canary\"}"),
            "AWSCURRENT");
    assertThat(login.port()).isEqualTo(5432);
    assertThat(login.dbname()).isEqualTo("postgres");
    assertThat(login.sslmode()).isEqualTo(PostgresLogin.SslMode.VERIFY_FULL);
    assertThat(login.masterArn()).isNull();
    assertThat(login.toString()).doesNotContain("s3cret-canary");
  }

  @Test
  void portAsTextSslmodeAndMasterarnAreRead() {
    PostgresLogin login =
        PostgresLogin.of(
            SecretValue.text(
                "{\"engine\":\"aurora-postgresql\",\"host\":\"db\",\"port\":\"6432\","
                    + "\"dbname\":\"orders\",\"username\":\"u\",\"password\":\"p\","
                    + "\"sslmode\":\"require\",\"masterarn\":\"arn:k8s:x\"}"),
            "AWSCURRENT");
    assertThat(login.port()).isEqualTo(6432);
    assertThat(login.sslmode().word()).isEqualTo("require");
    assertThat(login.masterArn()).isEqualTo("arn:k8s:x");
  }

  @Test
  void aValueThatIsNoPostgresLoginIsRefusedWithoutNamingKeysOrValues() {
    for (String bad :
        new String[] {
          "not json s3cret-canary",
          "{\"engine\":\"mysql\",\"host\":\"h\",\"username\":\"u\",\"password\":\"s3cret-canary\"}",
          "{\"engine\":\"postgres\",\"host\":\"h\",\"username\":\"u\"}",
          "{\"engine\":\"postgres\",\"host\":\"h\",\"username\":\"u\",\"password\":\"s3cret-canary\","
              + "\"sslmode\":\"prefer\"}",
          "{\"engine\":\"postgres\",\"host\":\"h\",\"username\":\"u\",\"password\":\"s3cret-canary\","
              + "\"port\":70000}"
        }) {
      assertThatThrownBy(() -> PostgresLogin.of(SecretValue.text(bad), "AWSPENDING"))
          .as(bad)
          .isInstanceOf(SecretsManagerException.class)
          .hasMessageContaining("AWSPENDING")
          .hasMessageNotContaining("s3cret-canary")
          .hasMessageNotContaining("password");
    }
  }

  @Test
  void theUserAndItsCloneAlternateWithinPostgresqlsSixtyThreeCharacters() {
    assertThat(PostgresAlternatingUsers.alternate("orders")).isEqualTo("orders_clone");
    assertThat(PostgresAlternatingUsers.alternate("orders_clone")).isEqualTo("orders");
    String longest = "u".repeat(57);
    assertThat(PostgresAlternatingUsers.alternate(longest)).hasSize(63);
    assertThatThrownBy(() -> PostgresAlternatingUsers.alternate("u".repeat(58)))
        .isInstanceOf(SecretsManagerException.class)
        .hasMessageContaining("63");
  }
}
