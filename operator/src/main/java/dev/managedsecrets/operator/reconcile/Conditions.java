package dev.managedsecrets.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The one place that builds conditions: CamelCase reasons, observedGeneration, and a
 * lastTransitionTime that moves only when the condition's status moves.
 *
 * <p>They follow kstatus (read by Flux, Argo CD and kubectl wait): {@code Ready}, plus the
 * "abnormal-true" conditions {@code Reconciling} (the operator is still working: it retries a
 * transient error) and {@code Stalled} (it cannot make progress until someone changes something),
 * which are present only while True.
 */
public final class Conditions {

  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";

  private Conditions() {}

  /** Ready=True; Reconciling and Stalled removed. */
  public static List<Condition> ready(
      List<Condition> existing, String reason, String message, Long generation, Instant now) {
    List<Condition> out = set(existing, READY, true, reason, message, generation, now);
    return remove(remove(out, RECONCILING), STALLED);
  }

  /**
   * Ready=False, and Stalled=True when the error is terminal (retrying cannot help until the spec
   * or the cluster changes) or else Reconciling=True (retried with back-off).
   */
  public static List<Condition> notReady(
      List<Condition> existing,
      String reason,
      String message,
      boolean terminal,
      Long generation,
      Instant now) {
    List<Condition> out = set(existing, READY, false, reason, message, generation, now);
    String present = terminal ? STALLED : RECONCILING;
    String absent = terminal ? RECONCILING : STALLED;
    out = set(out, present, true, reason, message, generation, now);
    return remove(out, absent);
  }

  /** Returns the conditions without {@code type}. */
  public static List<Condition> remove(List<Condition> existing, String type) {
    List<Condition> out = new ArrayList<>();
    if (existing != null) {
      for (Condition c : existing) {
        if (!type.equals(c.getType())) {
          out.add(c);
        }
      }
    }
    return out;
  }

  /** Returns the conditions with {@code type} set; the others are kept as they are. */
  public static List<Condition> set(
      List<Condition> existing,
      String type,
      boolean status,
      String reason,
      String message,
      Long generation,
      Instant now) {
    List<Condition> out = new ArrayList<>();
    Condition previous = null;
    if (existing != null) {
      for (Condition c : existing) {
        if (type.equals(c.getType())) {
          previous = c;
        } else {
          out.add(c);
        }
      }
    }
    String statusText = status ? "True" : "False";
    String transition =
        previous != null && statusText.equals(previous.getStatus())
            ? previous.getLastTransitionTime()
            : now.truncatedTo(ChronoUnit.SECONDS).toString();
    out.add(
        new ConditionBuilder()
            .withType(type)
            .withStatus(statusText)
            .withReason(reason)
            .withMessage(message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(transition)
            .build());
    return out;
  }

  public static Condition find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  /** True when the condition's status, reason and message are the same in both lists. */
  public static boolean sameState(List<Condition> a, List<Condition> b, String type) {
    Condition x = find(a, type);
    Condition y = find(b, type);
    if (x == null || y == null) {
      return x == y;
    }
    return Objects.equals(x.getStatus(), y.getStatus())
        && Objects.equals(x.getReason(), y.getReason())
        && Objects.equals(x.getMessage(), y.getMessage());
  }
}
