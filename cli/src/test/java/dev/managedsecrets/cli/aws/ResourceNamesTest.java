package dev.managedsecrets.cli.aws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResourceNamesTest {

  @Test
  void lowerCasesAndTurnsOtherCharactersIntoHyphens() {
    assertThat(ResourceNames.derive("production/MyAwesomeAppSecret", "default"))
        .isEqualTo("production-myawesomeappsecret");
    assertThat(ResourceNames.derive("a+b=c@d_e", "default")).isEqualTo("a-b-c-d-e");
  }

  @Test
  void collapsesRunsOfSeparatorsKeepingADotWhenTheRunHasOne() {
    assertThat(ResourceNames.derive("a//--b", "default")).isEqualTo("a-b");
    assertThat(ResourceNames.derive("a/.b", "default")).isEqualTo("a.b");
    assertThat(ResourceNames.derive("app.config", "default")).isEqualTo("app.config");
  }

  @Test
  void trimsSeparatorsAtBothEnds() {
    assertThat(ResourceNames.derive("/team/app/", "default")).isEqualTo("team-app");
    assertThat(ResourceNames.derive("-.x.-", "default")).isEqualTo("x");
  }

  @Test
  void keepsAtMost253CharactersAndStillEndsWithALetterOrDigit() {
    String name = "a".repeat(252) + "/b" + "c".repeat(100);
    String derived = ResourceNames.derive(name, "default");
    assertThat(derived).hasSize(252).isEqualTo("a".repeat(252));
    assertThat(ResourceNames.valid(derived)).isTrue();
  }

  @Test
  void aNameInTheNamespacesDefaultFormMapsToItsObjectName() {
    assertThat(ResourceNames.derive("team-a/orders-db", "team-a")).isEqualTo("orders-db");
    assertThat(ResourceNames.derive("team-a/Orders", "team-a")).isEqualTo("team-a-orders");
    assertThat(ResourceNames.derive("team-a/orders-db", "team-b")).isEqualTo("team-a-orders-db");
  }

  @Test
  void aNameOfPunctuationOnlyCannotBeMapped() {
    assertThat(ResourceNames.derive("///", "default")).isNull();
    assertThat(ResourceNames.derive("_+=.@-", "default")).isNull();
  }

  @Test
  void everyDerivedNameIsAValidObjectName() {
    for (String n : new String[] {"A", "x/Y_z", "..a..", "a-.-b", "ÄÖÜ-1", "9/9"}) {
      String derived = ResourceNames.derive(n, "ns");
      assertThat(ResourceNames.valid(derived)).as(n + " -> " + derived).isTrue();
    }
  }
}
