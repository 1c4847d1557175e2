package dev.managedsecrets.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.managedsecrets.apiserver.ApiException.Cause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The budgets CEL rules run under: iterations per rule, evaluation time per object. */
class CelRulesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A list without maxItems, with a pairwise uniqueness rule and a rule on every item. */
  private static JsonNode unboundedList() throws Exception {
    return JSON.readTree(
        """
        {"type": "array",
         "items": {"type": "string",
                   "x-kubernetes-validations": [{"rule": "size(self) > 0"}]},
         "x-kubernetes-validations": [
           {"rule": "self.all(a, self.exists_one(b, b == a))", "message": "Items must be unique."},
           {"rule": "size(self) > 0"}]}
        """);
  }

  private static ArrayNode items(int n) {
    ArrayNode list = JSON.createArrayNode();
    for (int i = 0; i < n; i++) {
      list.add("item-" + i);
    }
    return list;
  }

  /** Rules with this iteration budget, and time enough not to run out of it first. */
  private static CelRules iterations(int max) {
    return new CelRules(max, Duration.ofDays(1));
  }

  @Test
  void aPairwiseRuleOverALargeListStopsAtTheIterationBudgetNamingTheRule() throws Exception {
    List<Cause> causes = new ArrayList<>();
    iterations(1_000).check(unboundedList(), items(100), null, causes);
    assertThat(causes)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.field()).isEmpty();
              assertThat(c.message())
                  .isEqualTo(
                      "Invalid value: \"array\": 'operation cancelled: actual cost limit exceeded"
                          + " (1000 iterations)': no further validation rules will be run due to"
                          + " call cost exceeds limit for rule: Items must be unique.");
            });
  }

  @Test
  void theSameRuleWithinTheBudgetPassesOrRefusesOnItsMerits() throws Exception {
    List<Cause> causes = new ArrayList<>();
    // 50 items checked pairwise: 2550 iterations, as for the most tags a ManagedSecret may have
    iterations(CelRules.MAX_ITERATIONS).check(unboundedList(), items(50), null, causes);
    assertThat(causes).isEmpty();

    ArrayNode duplicates = items(50).add("item-0");
    iterations(CelRules.MAX_ITERATIONS).check(unboundedList(), duplicates, null, causes);
    assertThat(causes)
        .extracting(Cause::message)
        .containsExactly("Invalid value: \"array\": Items must be unique.");
  }

  @Test
  void rulesStopWhenTheObjectsEvaluationTimeIsSpent() throws Exception {
    List<Cause> causes = new ArrayList<>();
    // Within the iteration budget, but past a time budget of one nanosecond.
    new CelRules(CelRules.MAX_ITERATIONS, Duration.ofNanos(1))
        .check(unboundedList(), items(100), null, causes);
    assertThat(causes)
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.message())
                    .startsWith(
                        "Invalid value: \"array\": 'operation cancelled: evaluation time budget"
                            + " exceeded (PT0.000000001S)': no further validation rules will be run")
                    .endsWith("for rule: Items must be unique."));

    causes.clear();
    new CelRules(CelRules.MAX_ITERATIONS, Duration.ZERO)
        .check(unboundedList(), items(1), null, causes);
    assertThat(causes)
        .extracting(Cause::message)
        .containsExactly(
            "Invalid value: \"array\": validation failed due to running out of cost budget, no"
                + " further validation rules will be run");
  }
}
