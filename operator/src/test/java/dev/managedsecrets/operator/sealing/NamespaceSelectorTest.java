package dev.managedsecrets.operator.sealing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sealed-only namespaces' selector reads as kubectl's equality-based label selectors do. */
class NamespaceSelectorTest {

  @Test
  void everyRequirementMustHold() {
    NamespaceSelector s = NamespaceSelector.parse("managedsecrets.dev/sealed-only=true, tier!=dev");
    assertThat(s.matches(Map.of("managedsecrets.dev/sealed-only", "true"))).isTrue();
    assertThat(s.matches(Map.of("managedsecrets.dev/sealed-only", "true", "tier", "prod")))
        .isTrue();
    assertThat(s.matches(Map.of("managedsecrets.dev/sealed-only", "true", "tier", "dev")))
        .isFalse();
    assertThat(s.matches(Map.of("managedsecrets.dev/sealed-only", "false"))).isFalse();
    assertThat(s.matches(null)).isFalse();
  }

  @Test
  void doubleEqualsExistenceAndAbsenceAreRequirementsToo() {
    assertThat(NamespaceSelector.parse("env==prod").matches(Map.of("env", "prod"))).isTrue();
    assertThat(NamespaceSelector.parse("gitops").matches(Map.of("gitops", ""))).isTrue();
    assertThat(NamespaceSelector.parse("gitops").matches(Map.of())).isFalse();
    assertThat(NamespaceSelector.parse("!legacy").matches(Map.of())).isTrue();
    assertThat(NamespaceSelector.parse("!legacy").matches(Map.of("legacy", "yes"))).isFalse();
  }

  @Test
  void whatIsNoSelectorIsRefusedNamingWhatIsWrong() {
    assertThatThrownBy(() -> NamespaceSelector.parse(" "))
        .hasMessage("a selector has at least one requirement");
    assertThatThrownBy(() -> NamespaceSelector.parse("env in (prod)"))
        .hasMessage("'env in (prod)' is not a label key");
    assertThatThrownBy(() -> NamespaceSelector.parse("env=has space"))
        .hasMessage("'has space' is not a label value");
  }
}
