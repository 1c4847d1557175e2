package dev.managedsecrets.core.template;

/**
 * What one projection's templates may still make: characters produced by functions, and bcrypt
 * work. Every function charges what it produces before it produces it, and printing is bounded by
 * the engine's rendered size, so a template's work is linear in its length and in this budget: it
 * has no loops, no recursion and no assignments to repeat work with.
 */
final class RenderBudget {

  /** Characters all functions of one projection may produce together. */
  static final long FUNCTION_OUTPUT_CHARS = 4L * 1024 * 1024;

  /** bcrypt work of one projection, in rounds (2^cost each): eight hashes at cost 10. */
  static final long BCRYPT_ROUNDS = 8L << 10;

  private long chars = FUNCTION_OUTPUT_CHARS;
  private long rounds = BCRYPT_ROUNDS;

  /** Charges {@code n} characters of a function's output; refuses past the budget. */
  void charge(String function, long n) {
    chars -= n;
    if (chars < 0) {
      throw new TemplateException(
          function
              + " would take the templates' functions past "
              + FUNCTION_OUTPUT_CHARS
              + " characters of output, the most one projection may make.");
    }
  }

  /** Charges one bcrypt hash at {@code cost}; refuses past the budget. */
  void chargeBcrypt(int cost) {
    rounds -= 1L << cost;
    if (rounds < 0) {
      throw new TemplateException(
          "bcrypt/htpasswd: the templates of one projection may hash at most "
              + (BCRYPT_ROUNDS >> 10)
              + " times at cost 10 (each step of cost doubles the work).");
    }
  }
}
