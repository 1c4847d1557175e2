package dev.managedsecrets.core.template;

import dev.managedsecrets.core.crypto.KeyedHash;
import io.pebbletemplates.pebble.template.EvaluationContext;

/**
 * One projection's rendering, as its functions see it: the budget they charge and the key their
 * salts come from. It lives in the evaluation context under a name no template can write.
 */
final class Render {

  /** The context variable: a NUL is no part of any name a template can write. */
  static final String VARIABLE = "\u0000render";

  final RenderBudget budget = new RenderBudget();
  private final KeyedHash salts;

  Render(KeyedHash salts) {
    this.salts = salts;
  }

  static Render of(EvaluationContext context) {
    return (Render) context.getVariable(VARIABLE);
  }

  /**
   * A 16-byte salt for a hash of {@code parts}: the keyed hash of them under the operator's key, so
   * that the same input hashes to the same text (the projection is not rewritten on every pass) and
   * nobody without the key can compute it in advance.
   */
  byte[] salt(String function, String... parts) {
    if (salts == null) {
      throw new TemplateException(
          function + " needs the operator's key for its salt: only the operator renders it.");
    }
    byte[] digest = java.util.Base64.getUrlDecoder().decode(salts.hash("template-salt/v1", parts));
    return java.util.Arrays.copyOf(digest, 16);
  }
}
