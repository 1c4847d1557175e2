package dev.managedsecrets.core.value;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.GenerateSpec;
import dev.managedsecrets.core.generate.GeneratedEntry;
import dev.managedsecrets.core.generate.GeneratedKeyNames;
import dev.managedsecrets.core.generate.GeneratorType;
import dev.managedsecrets.core.generate.Generators;
import dev.managedsecrets.core.generate.Issuers;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Fills a value's {@code generate} entries: each is kept from AWSCURRENT while its parameters are
 * the same and it is not a certificate due for renewal, and made anew otherwise (or on rotation).
 * Returns what the version records of each entry ({@link GeneratedEntry}).
 */
final class GeneratedValues {

  private final PasswordGenerator passwords;
  private final Generators generators;
  private final Clock clock;
  private final Function<GenerateSpec, String> parameters;

  GeneratedValues(
      PasswordGenerator passwords,
      Generators generators,
      Clock clock,
      Function<GenerateSpec, String> parameters) {
    this.passwords = passwords;
    this.generators = generators;
    this.clock = clock;
    this.parameters = parameters;
  }

  /**
   * Puts every entry's keys into {@code out}: kept from {@code old} (AWSCURRENT's object, or null)
   * where {@code previous} (its generated map) says they may be.
   */
  Map<String, String> fill(
      ObjectNode out,
      Map<String, GenerateSpec> generate,
      JsonNode old,
      Map<String, String> previous,
      Issuers issuers) {
    Map<String, String> recorded = new TreeMap<>();
    new TreeMap<>(generate)
        .forEach(
            (name, spec) -> {
              String hash = parameters.apply(spec);
              GeneratedEntry before = GeneratedEntry.parse(previous.get(name));
              List<String> keys = GeneratedKeyNames.of(name, spec);
              boolean keep =
                  old != null
                      && keys.stream().allMatch(k -> old.path(k).isTextual())
                      && hash.equals(before.parameters())
                      && !before.due(clock.instant());
              if (keep) {
                keys.forEach(k -> out.put(k, old.get(k).asText()));
                recorded.put(name, previous.get(name));
              } else {
                recorded.put(name, make(out, name, spec, hash, issuers).text());
              }
            });
    return recorded;
  }

  /** Puts new values of every entry's keys into {@code out} (a rotation). */
  void renew(ObjectNode out, Map<String, GenerateSpec> generate, Issuers issuers) {
    new TreeMap<>(generate)
        .forEach((name, spec) -> make(out, name, spec, parameters.apply(spec), issuers));
  }

  private GeneratedEntry make(
      ObjectNode out, String name, GenerateSpec spec, String hash, Issuers issuers) {
    if (GeneratorType.of(spec) == GeneratorType.PASSWORD) {
      out.put(name, passwords.generate(spec));
      return GeneratedEntry.of(hash);
    }
    Generators.Made made = generators.make(name, spec, hash, issuers, clock.instant());
    made.values().forEach(out::put);
    return made.entry();
  }

  /**
   * A rotated version's generated map: {@code before}'s, each certificate's entry with the notAfter
   * of the certificate {@code value} holds now.
   */
  static Map<String, String> rotated(Map<String, String> before, ObjectNode value) {
    Map<String, String> out = new TreeMap<>(before);
    before.forEach(
        (name, text) -> {
          GeneratedEntry entry = GeneratedEntry.parse(text);
          if (entry.notAfter() != null && value != null) {
            java.time.Instant notAfter =
                Generators.notAfter(value.path(GeneratedKeyNames.certificate(name)).asText(null));
            if (notAfter != null) {
              out.put(name, entry.until(notAfter).text());
            }
          }
        });
    return out;
  }
}
