package dev.managedsecrets.core.template;

import io.pebbletemplates.pebble.attributes.AttributeResolver;
import io.pebbletemplates.pebble.attributes.ResolvedAttribute;
import io.pebbletemplates.pebble.error.AttributeNotFoundException;
import io.pebbletemplates.pebble.extension.Extension;
import io.pebbletemplates.pebble.extension.ExtensionCustomizer;
import io.pebbletemplates.pebble.extension.Filter;
import io.pebbletemplates.pebble.extension.Function;
import io.pebbletemplates.pebble.extension.Test;
import io.pebbletemplates.pebble.node.ArgumentsNode;
import io.pebbletemplates.pebble.operator.BinaryOperator;
import io.pebbletemplates.pebble.operator.UnaryOperator;
import io.pebbletemplates.pebble.template.EvaluationContextImpl;
import io.pebbletemplates.pebble.tokenParser.TokenParser;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What of Pebble's own language a template may use: an allow-list, so that nothing a later Pebble
 * adds is open by default. Kept: {@code if} and {@code verbatim}, comparisons, logic, arithmetic,
 * the filter pipe and the tests that only look at a value. Left out: every loop ({@code for}, the
 * {@code ..} range), every way to repeat or keep work ({@code set}, {@code macro}, {@code filter}
 * blocks, {@code cache}, {@code parallel}), every way to read another template or file ({@code
 * include}, {@code import}, {@code from}, {@code extends}, {@code embed}, {@code block}, {@code
 * i18n}), arithmetic ({@code - * / %}: {@code -} subtracts lists in quadratic time), the {@code ~}
 * and {@code +} concatenations (the {@code join} function charges what it makes), {@code contains}
 * (its search is quadratic in the worst case), and all of Pebble's own filters and functions: the
 * template library's are the only ones ({@link TemplateFunctions}). Attributes are read only from
 * JSON objects and lists ({@link #attributes}), never from a Java object.
 */
final class Sandbox extends ExtensionCustomizer {

  private static final Set<String> TAGS = Set.of("if", "verbatim");
  private static final Set<String> BINARY =
      Set.of("or", "and", "is", "is not", "==", "equals", "!=", ">", "<", ">=", "<=", "|");
  private static final Set<String> UNARY = Set.of("not");
  private static final Set<String> TESTS =
      Set.of("defined", "empty", "null", "even", "odd", "map", "iterable");

  Sandbox(Extension core) {
    super(core);
  }

  /** The customizer of each extension: Pebble's own is narrowed, the template library's kept. */
  static ExtensionCustomizer of(Extension extension) {
    return extension instanceof TemplateFunctions
        ? new ExtensionCustomizer(extension) {}
        : new Sandbox(extension);
  }

  @Override
  public List<TokenParser> getTokenParsers() {
    List<TokenParser> all = super.getTokenParsers();
    return all == null ? null : all.stream().filter(p -> TAGS.contains(p.getTag())).toList();
  }

  @Override
  public List<BinaryOperator> getBinaryOperators() {
    List<BinaryOperator> all = super.getBinaryOperators();
    return all == null ? null : all.stream().filter(o -> BINARY.contains(o.getSymbol())).toList();
  }

  @Override
  public List<UnaryOperator> getUnaryOperators() {
    List<UnaryOperator> all = super.getUnaryOperators();
    return all == null ? null : all.stream().filter(o -> UNARY.contains(o.getSymbol())).toList();
  }

  @Override
  public Map<String, Test> getTests() {
    Map<String, Test> all = super.getTests();
    return all == null
        ? null
        : all.entrySet().stream()
            .filter(e -> TESTS.contains(e.getKey()))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  @Override
  public Map<String, Filter> getFilters() {
    return Map.of();
  }

  @Override
  public Map<String, Function> getFunctions() {
    return Map.of();
  }

  @Override
  public Map<String, Object> getGlobalVariables() {
    return Map.of();
  }

  @Override
  public List<AttributeResolver> getAttributeResolver() {
    return List.of();
  }

  /**
   * Reads {@code object.name} and {@code object['name']} from a JSON object (a map) and {@code
   * list[0]} from a list; anything else, and every method call, is refused. It answers for every
   * object, so Pebble's own resolver, which reads Java beans, is never reached.
   */
  static AttributeResolver attributes() {
    return Sandbox::resolve;
  }

  private static ResolvedAttribute resolve(
      Object instance,
      Object name,
      Object[] arguments,
      ArgumentsNode argumentsNode,
      EvaluationContextImpl context,
      String file,
      int line) {
    if (arguments != null || argumentsNode != null) {
      throw new TemplateException(
          "A template calls no methods: use the template library's functions.");
    }
    if (!(name instanceof String || name instanceof Number)) {
      throw new TemplateException("A key is read by its name, and a list's item by its position.");
    }
    if (instance instanceof Map<?, ?> map) {
      String key = String.valueOf(name);
      if (!map.containsKey(key)) {
        throw new AttributeNotFoundException(null, "no such key", key, line, file);
      }
      return new ResolvedAttribute(map.get(key));
    }
    if (instance instanceof List<?> list) {
      if (!(name instanceof Number n)) {
        throw new TemplateException("A list's items are read by their position, list[0].");
      }
      int index = n.intValue();
      if (index < 0 || index >= list.size()) {
        throw new AttributeNotFoundException(null, "no such item", String.valueOf(n), line, file);
      }
      return new ResolvedAttribute(list.get(index));
    }
    throw new TemplateException(
        "Only the keys of a JSON object (fromJson) and the items of a list can be read with . or"
            + " []; a key's text has no attributes.");
  }
}
