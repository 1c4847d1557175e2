package dev.managedsecrets.core.template;

import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.extension.AbstractNodeVisitor;
import io.pebbletemplates.pebble.extension.NodeVisitor;
import io.pebbletemplates.pebble.extension.NodeVisitorFactory;
import io.pebbletemplates.pebble.lexer.LexerImpl;
import io.pebbletemplates.pebble.lexer.Token;
import io.pebbletemplates.pebble.node.ArgumentsNode;
import io.pebbletemplates.pebble.node.BodyNode;
import io.pebbletemplates.pebble.node.IfNode;
import io.pebbletemplates.pebble.node.NamedArgumentNode;
import io.pebbletemplates.pebble.node.Node;
import io.pebbletemplates.pebble.node.PositionalArgumentNode;
import io.pebbletemplates.pebble.node.PrintNode;
import io.pebbletemplates.pebble.node.RootNode;
import io.pebbletemplates.pebble.node.TestInvocationExpression;
import io.pebbletemplates.pebble.node.TextNode;
import io.pebbletemplates.pebble.node.expression.AndExpression;
import io.pebbletemplates.pebble.node.expression.ArrayExpression;
import io.pebbletemplates.pebble.node.expression.BinaryExpression;
import io.pebbletemplates.pebble.node.expression.ContextVariableExpression;
import io.pebbletemplates.pebble.node.expression.EqualsExpression;
import io.pebbletemplates.pebble.node.expression.Expression;
import io.pebbletemplates.pebble.node.expression.FilterExpression;
import io.pebbletemplates.pebble.node.expression.FilterInvocationExpression;
import io.pebbletemplates.pebble.node.expression.FunctionOrMacroInvocationExpression;
import io.pebbletemplates.pebble.node.expression.GetAttributeExpression;
import io.pebbletemplates.pebble.node.expression.GreaterThanEqualsExpression;
import io.pebbletemplates.pebble.node.expression.GreaterThanExpression;
import io.pebbletemplates.pebble.node.expression.LessThanEqualsExpression;
import io.pebbletemplates.pebble.node.expression.LessThanExpression;
import io.pebbletemplates.pebble.node.expression.LiteralBigDecimalExpression;
import io.pebbletemplates.pebble.node.expression.LiteralBooleanExpression;
import io.pebbletemplates.pebble.node.expression.LiteralDoubleExpression;
import io.pebbletemplates.pebble.node.expression.LiteralIntegerExpression;
import io.pebbletemplates.pebble.node.expression.LiteralLongExpression;
import io.pebbletemplates.pebble.node.expression.LiteralNullExpression;
import io.pebbletemplates.pebble.node.expression.LiteralStringExpression;
import io.pebbletemplates.pebble.node.expression.NotEqualsExpression;
import io.pebbletemplates.pebble.node.expression.OrExpression;
import io.pebbletemplates.pebble.node.expression.PositiveTestExpression;
import io.pebbletemplates.pebble.node.expression.TernaryExpression;
import io.pebbletemplates.pebble.node.expression.UnaryNotExpression;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import io.pebbletemplates.pebble.template.PebbleTemplateImpl;
import java.io.StringReader;
import java.util.Map;
import java.util.Set;

/**
 * The shape a template may have, checked before it is evaluated, so that what it may do is fixed by
 * its text and not by the value (a refusal here can carry the template's line: it tells nothing of
 * the value).
 *
 * <ul>
 *   <li>Its tokens ({@link #checkTokens}): brackets nested at most {@value #MAX_BRACKETS} deep,
 *       {@code if} blocks at most {@value #MAX_IFS}, and at most {@value #MAX_UNARY} {@code not}
 *       and {@value #MAX_UNARY} {@code ?}: the parser recurses on these, and a stack overflow is no
 *       way to refuse (where it strikes depends on the JIT).
 *   <li>Its tree ({@link #visitors}): only the nodes listed here (text, print, if, literals,
 *       variables, attribute reads, the library's filters, functions and tests, comparisons and
 *       logic, the ternary, list literals; no map literal, whose entries Pebble evaluates in an
 *       order that changes from parse to parse), at most {@value #MAX_DEPTH} deep (evaluation
 *       recurses on depth), list literals holding at most {@value #MAX_LITERAL_ITEMS} items in all
 *       (a printed or encoded list is bounded before it is made), and none of the variables Pebble
 *       provides itself ({@code template}, {@code locale}, {@code _context}: Java objects whose
 *       text differs on every render; a key of that name is read through {@code secret}).
 * </ul>
 */
final class TemplateShape extends AbstractNodeVisitor {

  static final int MAX_BRACKETS = 32;
  static final int MAX_IFS = 32;
  static final int MAX_UNARY = 64;
  static final int MAX_DEPTH = 64;
  static final int MAX_LITERAL_ITEMS = 64;
  static final int MAX_TOKENS = 4096;
  static final int MAX_STRING_SPECIALS = 64;

  /** The variables Pebble puts in every context: Java objects, never a template's to read. */
  private static final Set<String> PEBBLES_OWN = Set.of("template", "locale", "_context");

  private static final Set<Class<?>> LITERALS =
      Set.of(
          LiteralStringExpression.class,
          LiteralLongExpression.class,
          LiteralIntegerExpression.class,
          LiteralDoubleExpression.class,
          LiteralBigDecimalExpression.class,
          LiteralBooleanExpression.class,
          LiteralNullExpression.class);

  private static final Set<Class<?>> BINARY =
      Set.of(
          AndExpression.class,
          OrExpression.class,
          EqualsExpression.class,
          NotEqualsExpression.class,
          GreaterThanExpression.class,
          GreaterThanEqualsExpression.class,
          LessThanExpression.class,
          LessThanEqualsExpression.class,
          FilterExpression.class,
          PositiveTestExpression.class,
          io.pebbletemplates.pebble.node.expression.NegativeTestExpression.class);

  private final Map<String, ?> filters;
  private final Map<String, ?> functions;
  private int literalItems;

  private TemplateShape(
      PebbleTemplateImpl template, Map<String, ?> filters, Map<String, ?> functions) {
    super(template);
    this.filters = filters;
    this.functions = functions;
  }

  /** The visitor factory: each template is checked as soon as it is parsed. */
  static NodeVisitorFactory visitors(Map<String, ?> filters, Map<String, ?> functions) {
    return (PebbleTemplate template) ->
        (NodeVisitor) new TemplateShape((PebbleTemplateImpl) template, filters, functions);
  }

  /**
   * Refuses a quoted string inside a tag with more than {@value #MAX_STRING_SPECIALS} backslashes,
   * or {@code #} in double quotes: Pebble's lexer matches such strings with regular expressions
   * that recurse once per escape, so a long one would overflow the stack, at a length that depends
   * on the JIT. A linear scan, before the lexer sees the text.
   */
  static void checkStrings(String text) {
    boolean inTag = false;
    char quote = 0;
    int specials = 0;
    int line = 1;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        line++;
      }
      if (!inTag) {
        if (c == '{' && i + 1 < text.length() && "{%".indexOf(text.charAt(i + 1)) >= 0) {
          inTag = true;
          i++;
        }
      } else if (quote == 0) {
        if (c == '\'' || c == '"') {
          quote = c;
          specials = 0;
        } else if ((c == '}' || c == '%') && i + 1 < text.length() && text.charAt(i + 1) == '}') {
          inTag = false;
          i++;
        }
      } else if (c == '\\') {
        specials++;
        i++;
      } else if (c == '#' && quote == '"') {
        specials++;
      } else if (c == quote) {
        quote = 0;
      }
      if (specials > MAX_STRING_SPECIALS) {
        throw new Refused(
            line,
            "has a quoted string with more than "
                + MAX_STRING_SPECIALS
                + " backslashes or #: Pebble's lexer can't read it safely.");
      }
    }
  }

  /** Refuses a template whose tokens nest deeper than the parser may recurse, or are too many. */
  static void checkTokens(PebbleEngine engine, String text) {
    checkStrings(text);
    LexerImpl lexer =
        new LexerImpl(
            engine.getSyntax(),
            engine.getExtensionRegistry().getUnaryOperators().values(),
            engine.getExtensionRegistry().getBinaryOperators().values());
    int brackets = 0;
    int ifs = 0;
    int unary = 0;
    int conditionals = 0;
    Token previous = null;
    java.util.List<Token> tokens = lexer.tokenize(new StringReader(text), "template").getTokens();
    for (Token t : tokens) {
      String v = t.getValue();
      if (t.test(Token.Type.PUNCTUATION)) {
        if ("(".equals(v) || "[".equals(v) || "{".equals(v)) {
          brackets++;
        } else if (")".equals(v) || "]".equals(v) || "}".equals(v)) {
          brackets--;
        } else if ("?".equals(v)) {
          conditionals++;
        }
      } else if (t.test(Token.Type.OPERATOR, "not")) {
        unary++;
      } else if (t.test(Token.Type.NAME)
          && previous != null
          && previous.test(Token.Type.EXECUTE_START)) {
        if ("if".equals(v)) {
          ifs++;
        } else if ("endif".equals(v)) {
          ifs--;
        }
      }
      if (brackets > MAX_BRACKETS) {
        throw new Refused(t.getLineNumber(), "nests brackets more than " + MAX_BRACKETS + " deep.");
      }
      if (ifs > MAX_IFS) {
        throw new Refused(t.getLineNumber(), "nests if blocks more than " + MAX_IFS + " deep.");
      }
      if (unary > MAX_UNARY || conditionals > MAX_UNARY) {
        throw new Refused(t.getLineNumber(), "has more than " + MAX_UNARY + " not or ? operators.");
      }
      previous = t;
    }
    if (tokens.size() > MAX_TOKENS) {
      // Parsing is linear, but 64 templates of 40,000 tokens each take a second on every render.
      throw new Refused(
          tokens.get(MAX_TOKENS).getLineNumber(),
          "has more than " + MAX_TOKENS + " tokens (names, operators, literals and text runs).");
    }
  }

  /** A refusal of the template's shape, at a line of it. */
  static final class Refused extends RuntimeException {
    final int line;

    Refused(int line, String message) {
      super(message, null, false, false);
      this.line = line;
    }
  }

  @Override
  public void visit(RootNode node) {
    body(node.getBody(), 0);
  }

  private void body(BodyNode body, int depth) {
    if (body == null) {
      return;
    }
    for (Node child : body.getChildren()) {
      node(child, depth + 1);
    }
  }

  private void node(Node node, int depth) {
    deep(node, depth);
    if (node instanceof TextNode) {
      return;
    }
    if (node instanceof PrintNode print) {
      expression(print.getExpression(), depth + 1);
    } else if (node instanceof IfNode ifNode) {
      for (var branch : ifNode.getConditionsWithBodies()) {
        expression(branch.getLeft(), depth + 1);
        body(branch.getRight(), depth + 1);
      }
      body(ifNode.getElseBody(), depth + 1);
    } else if (node instanceof BodyNode body) {
      body(body, depth);
    } else {
      throw refused(node, "uses a construct the template language does not have.");
    }
  }

  private void expression(Expression<?> e, int depth) {
    if (e == null) {
      return;
    }
    deep(e, depth);
    int next = depth + 1;
    if (LITERALS.contains(e.getClass())) {
      return;
    }
    if (e instanceof ContextVariableExpression v) {
      if (PEBBLES_OWN.contains(v.getName())) {
        throw refused(
            e,
            "reads "
                + v.getName()
                + ", a name the template language keeps (a key of that name is read as secret['"
                + v.getName()
                + "']).");
      }
    } else if (e instanceof GetAttributeExpression get) {
      if (get.getArgumentsNode() != null) {
        throw refused(e, "calls no methods: use the template library's functions.");
      }
      expression(get.getNode(), next);
      expression(get.getAttributeNameExpression(), next);
    } else if (BINARY.contains(e.getClass())) {
      BinaryExpression<?> b = (BinaryExpression<?>) e;
      expression(b.getLeftExpression(), next);
      expression(b.getRightExpression(), next);
    } else if (e instanceof UnaryNotExpression not) {
      expression(not.getChildExpression(), next);
    } else if (e instanceof TernaryExpression t) {
      expression(t.getExpression1(), next);
      expression(t.getExpression2(), next);
      expression(t.getExpression3(), next);
    } else if (e instanceof FilterInvocationExpression f) {
      if (!filters.containsKey(f.getFilterName())) {
        throw refused(e, "uses a filter the template language does not have.");
      }
      arguments(f.getArgs(), next);
    } else if (e instanceof FunctionOrMacroInvocationExpression f) {
      if (!functions.containsKey(f.getFunctionName())) {
        throw refused(e, "calls a function the template language does not have.");
      }
      arguments(f.getArguments(), next);
    } else if (e instanceof TestInvocationExpression t) {
      arguments(t.getArgs(), next);
    } else if (e instanceof ArrayExpression a) {
      literal(e, a.getValues().size());
      for (Expression<?> item : a.getValues()) {
        expression(item, next);
      }
    } else {
      throw refused(e, "uses an operator or expression the template language does not have.");
    }
  }

  private void arguments(ArgumentsNode args, int depth) {
    if (args == null) {
      return;
    }
    if (args.getPositionalArgs() != null) {
      for (PositionalArgumentNode a : args.getPositionalArgs()) {
        expression(a.getValueExpression(), depth);
      }
    }
    if (args.getNamedArgs() != null) {
      for (NamedArgumentNode a : args.getNamedArgs()) {
        expression(a.getValueExpression(), depth);
      }
    }
  }

  private void literal(Object at, int items) {
    literalItems += items;
    if (literalItems > MAX_LITERAL_ITEMS) {
      throw refused(at, "holds more than " + MAX_LITERAL_ITEMS + " items in its list literals.");
    }
  }

  private static void deep(Object at, int depth) {
    if (depth > MAX_DEPTH) {
      throw refused(at, "nests more than " + MAX_DEPTH + " deep.");
    }
  }

  private static Refused refused(Object at, String why) {
    int line = 0;
    if (at instanceof Expression<?> e) {
      line = e.getLineNumber();
    } else if (at instanceof io.pebbletemplates.pebble.node.AbstractRenderableNode n) {
      line = n.getLineNumber();
    }
    return new Refused(line, why);
  }
}
