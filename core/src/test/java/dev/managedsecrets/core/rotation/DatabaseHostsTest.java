package dev.managedsecrets.core.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.managedsecrets.core.secret.SecretsManagerException;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatabaseHostsTest {

  private final DatabaseHosts hosts =
      DatabaseHosts.of(
          List.of("orders.db.internal", "*.rds.example.com", "10.20.0.0/16", "fd00::/8", "::1"));

  @Test
  void aNameMatchesExactlyAndIgnoringCaseAndATrailingDot() {
    assertThat(hosts.allows("orders.db.internal")).isTrue();
    assertThat(hosts.allows("ORDERS.db.internal.")).isTrue();
    assertThat(hosts.allows("orders.db.internal.evil.com")).isFalse();
    assertThat(hosts.allows("xorders.db.internal")).isFalse();
  }

  @Test
  void aWildcardMatchesOneOrMoreLabelsButNotTheDomainItself() {
    assertThat(hosts.allows("a.rds.example.com")).isTrue();
    assertThat(hosts.allows("a.b.rds.example.com")).isTrue();
    assertThat(hosts.allows("rds.example.com")).isFalse();
    assertThat(hosts.allows("a.rds.example.com.evil.org")).isFalse();
    assertThat(hosts.allows("ards.example.com")).isFalse();
  }

  @Test
  void anAddressMatchesItsCidrBlockWithoutAnyLookup() {
    assertThat(hosts.allows("10.20.3.4")).isTrue();
    assertThat(hosts.allows("10.21.0.1")).isFalse();
    assertThat(hosts.allows("fd12::5")).isTrue();
    assertThat(hosts.allows("[::1]")).isTrue();
    assertThat(hosts.allows("::2")).isFalse();
    assertThat(hosts.allows("999.20.0.1")).isFalse();
  }

  @Test
  void hostsThatCouldNameSeveralServersOrCarryUrlPartsAreNeverAllowed() {
    DatabaseHosts any = DatabaseHosts.of(List.of("*.internal"));
    assertThat(any.allows("a.internal,b.evil.com")).isFalse();
    assertThat(any.allows("a.internal/x")).isFalse();
    assertThat(any.allows("a.internal:5432")).isFalse();
    assertThat(any.allows("")).isFalse();
    assertThat(any.allows(null)).isFalse();
  }

  @Test
  void anEmptyListRefusesEveryHostNamingTheSetting() {
    DatabaseHosts none = DatabaseHosts.of(List.of());
    assertThat(none.isEmpty()).isTrue();
    assertThatThrownBy(() -> none.require("db.internal"))
        .isInstanceOf(SecretsManagerException.class)
        .hasMessageContaining("rotation.databaseHosts")
        .satisfies(
            e ->
                assertThat(((SecretsManagerException) e).error().exceptionName())
                    .isEqualTo("InvalidParameterException"));
  }

  @Test
  void aHostNotListedIsRefusedWithInvalidParameterException() {
    assertThatThrownBy(() -> hosts.require("other.example.org"))
        .hasMessageContaining("other.example.org")
        .hasMessageContaining("rotation.databaseHosts");
  }

  @Test
  void malformedPatternsAreRefusedAtStart() {
    for (String bad : List.of("*", "*.", "10.0.0.0/33", "a b", "db.internal/8", "http://x")) {
      assertThatThrownBy(() -> DatabaseHosts.of(List.of(bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
