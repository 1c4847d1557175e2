package dev.managedsecrets.core.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretFiltersTest {

  static SecretFilters.Attributes secret(String name, String description, String... tags) {
    List<SecretTag> t =
        tags.length == 0
            ? List.of()
            : List.of(new SecretTag(tags[0], tags.length > 1 ? tags[1] : ""));
    return new SecretFilters.Attributes(name, description, t, null);
  }

  static boolean matches(SecretFilters.Attributes a, String key, String... values) {
    return SecretFilters.of(List.of(new SecretFilters.Filter(key, List.of(values)))).matches(a);
  }

  @Test
  void theNameFilterIsAPrefixOfTheWholeNameCaseSensitive() {
    SecretFilters.Attributes s = secret("testing1/one-1", null);
    assertThat(matches(s, "name", "testing1/")).isTrue();
    assertThat(matches(s, "name", "Testing1")).isFalse();
    assertThat(matches(s, "name", "one")).isFalse();
    assertThat(matches(s, "name", "testing1 one")).isFalse();
    assertThat(matches(s, "name", "!/")).isTrue();
  }

  /** LocalStack's test_list_secrets_filtering, recorded against AWS. */
  @Test
  void theDescriptionFilterMatchesEveryWordAsAPrefixOfAWordIgnoringCase() {
    Map<String, SecretFilters.Attributes> all =
        Map.of(
            "a secret", secret("1", "a secret"),
            "an secret", secret("2", "an secret"),
            "asecret", secret("3", "asecret"),
            "thesecret", secret("4", "thesecret"));
    assertThat(chosen(all, "description", "a"))
        .containsExactlyInAnyOrder("a secret", "an secret", "asecret");
    assertThat(chosen(all, "description", "!a")).containsExactly("thesecret");
    assertThat(chosen(all, "description", "a secret"))
        .containsExactlyInAnyOrder("a secret", "an secret");
    assertThat(chosen(all, "description", "!c")).hasSize(4);
    assertThat(chosen(all, "description", "SECRET"))
        .containsExactlyInAnyOrder("a secret", "an secret");
  }

  /** moto's test_with_all_filter_special_characters, marked aws_verified. */
  @Test
  void theAllFilterSplitsWordsWhereTheCaseChanges() {
    SecretFilters.Attributes company = secret("uat/COMPANY/x", null);
    SecretFilters.Attributes things = secret("uat/COMPANYthings/x", null);
    assertThat(matches(company, "all", "company")).isTrue();
    assertThat(matches(things, "all", "company")).isFalse();
    assertThat(matches(things, "all", "Ythings")).isTrue();
    assertThat(matches(company, "all", "pany")).isFalse();
    assertThat(matches(company, "all", "+")).isFalse();
    assertThat(matches(secret("x", "a-b"), "description", "-")).isFalse();
    assertThat(matches(secret("MyAppSecret", null), "all", "app secret")).isTrue();
    assertThat(matches(secret("x", "y", "Team", "orders"), "all", "ord tea")).isTrue();
    assertThat(SecretFilters.words("prod-AppBeta/x")).containsExactly("prod", "app", "beta", "x");
  }

  @Test
  void negatedValuesExcludeAndTheOthersAreAlternatives() {
    SecretFilters.Attributes s = secret("prod/db", null, "team", "orders");
    assertThat(matches(s, "tag-key", "!team")).isFalse();
    assertThat(matches(s, "tag-key", "!env", "!owner")).isTrue();
    assertThat(matches(s, "tag-key", "!env", "!team")).isFalse();
    assertThat(matches(s, "tag-value", "billing", "ord")).isTrue();
    assertThat(matches(s, "owning-service", "rds")).isFalse();
    assertThat(matches(s, "owning-service", "!rds")).isTrue();
  }

  @Test
  void filtersAreCheckedAsAwsChecksThem() {
    assertThatThrownBy(
            () -> SecretFilters.of(List.of(new SecretFilters.Filter("bogus", List.of("x")))))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> {
              assertThat(e.error()).isEqualTo(AwsError.VALIDATION_EXCEPTION);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "1 validation error detected: Value 'bogus' at 'filters.1.member.key' failed"
                          + " to satisfy constraint: Member must satisfy enum value set:"
                          + " [description, name, tag-key, tag-value, primary-region,"
                          + " owning-service, all]");
            });
    assertThatThrownBy(
            () -> SecretFilters.of(List.of(new SecretFilters.Filter("name", List.of("a*")))))
        .hasMessageContaining("filters.1.member.values' failed to satisfy constraint");
    assertThatThrownBy(() -> SecretFilters.of(List.of(new SecretFilters.Filter("name", List.of()))))
        .isInstanceOfSatisfying(
            SecretsManagerException.class,
            e -> assertThat(e.error()).isEqualTo(AwsError.INVALID_PARAMETER_EXCEPTION));
  }

  static List<String> chosen(Map<String, SecretFilters.Attributes> all, String key, String value) {
    return all.entrySet().stream()
        .filter(e -> matches(e.getValue(), key, value))
        .map(Map.Entry::getKey)
        .toList();
  }
}
