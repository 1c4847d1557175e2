package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.cli.CliException;
import dev.managedsecrets.cli.ManagedSecretCli;
import dev.managedsecrets.cli.kube.Kube;
import dev.managedsecrets.cli.output.Output;
import dev.managedsecrets.cli.seal.ManifestFile;
import dev.managedsecrets.cli.seal.ManifestSealer;
import dev.managedsecrets.cli.seal.OperatorProxy;
import dev.managedsecrets.core.sealing.ResealAnswer;
import dev.managedsecrets.core.sealing.ResealRequest;
import dev.managedsecrets.core.sealing.SealingScope;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code seal}: a ManagedSecret manifest with plain values in, the same manifest with sealed values
 * out, safe to commit to Git; {@code --merge-into} adds or changes values of a sealed manifest in
 * place; {@code --re-encrypt} seals a manifest's sealed values again for the operator's current
 * key, the plaintext never leaving the operator.
 */
@Command(
    name = "seal",
    sortOptions = false,
    description = {
      "Seals the plain values of ManagedSecret manifests (spec.data, spec.secretString,"
          + " spec.secretBinary) into spec.sealedData, spec.sealedSecretString and"
          + " spec.sealedSecretBinary for the operator's public key, bound to each manifest's"
          + " namespace and name, and prints the manifest (other documents pass through)."
    })
public final class Seal implements Callable<Integer> {

  @ParentCommand ManagedSecretCli root;

  @Option(
      names = {"-f", "--filename"},
      paramLabel = "<file>",
      description = "The manifest (YAML, any number of documents, or JSON); - or none: stdin.")
  String file;

  @Option(
      names = "--scope",
      paramLabel = "<scope>",
      description =
          "strict (namespace, name and key; the default) or namespace-wide (namespace and key);"
              + " written as spec.sealedScope.")
  String scope;

  @Mixin SealingKeyOptions sealing;

  @Mixin OperatorNamespaceOption operator;

  @Option(
      names = "--merge-into",
      paramLabel = "<file>",
      description =
          "Seal the plain values given into this sealed manifest, in place: new keys are added,"
              + " keys given again replaced, every other sealed value kept as it is.")
  String mergeInto;

  @Option(
      names = "--re-encrypt",
      description =
          "Seal the manifest's sealed values again for the operator's current key: the operator"
              + " opens them (under the binding of the manifest's metadata) and seals them again,"
              + " reached through the API server's service proxy. The plaintext never leaves it.")
  boolean reEncrypt;

  @Option(
      names = "--reseal-service",
      defaultValue = ResealRequest.SERVICE + ":" + ResealRequest.PORT_NAME,
      paramLabel = "<service:port>",
      description =
          "The operator's re-seal Service and port, in --operator-namespace (default:"
              + " ${DEFAULT-VALUE}).")
  String resealService;

  @Option(
      names = "--in-place",
      description = "Write the result into the file of -f instead of stdout.")
  boolean inPlace;

  @Override
  public Integer call() {
    check();
    if (mergeInto != null) {
      merge();
      return 0;
    }
    ManifestFile manifest = read(file);
    String text = reEncrypt ? reEncrypt(manifest) : seal(manifest);
    if (inPlace) {
      write(Path.of(file), text);
    } else {
      root.out.print(text);
      root.out.flush();
    }
    return 0;
  }

  private void check() {
    if (root.outputGiven()
        && root.output != Output.Format.json
        && root.output != Output.Format.yaml) {
      throw new CliException(CliException.USAGE, "seal prints -o yaml or -o json");
    }
    if (reEncrypt && mergeInto != null) {
      throw new CliException(
          CliException.USAGE, "--re-encrypt and --merge-into can't be used together");
    }
    if (reEncrypt && (scope != null || sealing.offline())) {
      throw new CliException(
          CliException.USAGE,
          "--re-encrypt takes the scope from the manifest and seals for the operator's current"
              + " key: leave out --scope and --cert");
    }
    if ("-".equals(sealing.cert) && (file == null || file.equals("-"))) {
      throw new CliException(
          CliException.USAGE, "--cert - reads the key from stdin: give the manifest with -f FILE");
    }
    if (inPlace && (file == null || file.equals("-") || mergeInto != null)) {
      throw new CliException(CliException.USAGE, "--in-place needs -f FILE (and no --merge-into)");
    }
  }

  private SealingScope scope() {
    if (scope == null) {
      return null;
    }
    try {
      return SealingScope.fromSpec(scope);
    } catch (IllegalArgumentException e) {
      throw new CliException(
          CliException.USAGE, "--scope is strict or namespace-wide; \"" + scope + "\" is neither");
    }
  }

  /** Plain values sealed in every ManagedSecret of the manifest. */
  private String seal(ManifestFile manifest) {
    SealingScope asked = scope();
    List<ObjectNode> managedSecrets = managedSecrets(manifest);
    ManifestSealer sealer = new ManifestSealer(sealing.key(root, operator.name));
    String namespace = defaultNamespace();
    for (ObjectNode ms : managedSecrets) {
      sealer.seal(ms, asked, namespace);
    }
    return manifest.write(format(manifest));
  }

  /** The sealed values of every ManagedSecret sealed again by the operator. */
  private String reEncrypt(ManifestFile manifest) {
    List<ObjectNode> managedSecrets = managedSecrets(manifest);
    OperatorProxy proxy = new OperatorProxy(root.kube(), operator.name, resealService);
    Map<String, String> changed = new LinkedHashMap<>();
    for (ObjectNode ms : managedSecrets) {
      ResealRequest request = ManifestSealer.resealRequest(ms, root.kube().namespace());
      if (request != null) {
        ResealAnswer answer = proxy.reseal(request);
        changed.putAll(ManifestSealer.apply(ms, answer));
      }
    }
    return render(manifest, changed);
  }

  /** --merge-into: the plain values of the input sealed into the target file, in place. */
  private void merge() {
    Path target = Path.of(mergeInto);
    ManifestFile into = read(mergeInto);
    ManifestFile values = read(file);
    List<ObjectNode> plain = new ArrayList<>();
    values.forEachObject(plain::add);
    if (plain.size() != 1) {
      throw new CliException(
          CliException.USAGE,
          "error: --merge-into takes one ManagedSecret (or a spec with its plain values) as input;"
              + " the input holds "
              + plain.size()
              + " documents");
    }
    ObjectNode given = plain.get(0);
    String name = given.path("metadata").path("name").asText(null);
    List<ObjectNode> candidates = new ArrayList<>();
    for (ObjectNode ms : managedSecrets(into)) {
      if (name == null || name.equals(ms.path("metadata").path("name").asText(null))) {
        candidates.add(ms);
      }
    }
    if (candidates.size() != 1) {
      throw new CliException(
          CliException.USAGE,
          "error: "
              + mergeInto
              + (candidates.isEmpty()
                  ? " holds no ManagedSecret" + (name == null ? "" : " named " + name)
                  : " holds several ManagedSecrets: name one with metadata.name in the input"));
    }
    ObjectNode ms = candidates.get(0);
    Map<String, String> before = sealedTexts(ms);
    new ManifestSealer(sealing.key(root, operator.name))
        .merge(ms, given, scope(), defaultNamespace());
    Map<String, String> after = sealedTexts(ms);
    Map<String, String> changed = new LinkedHashMap<>();
    before.forEach(
        (path, text) -> {
          String now = after.get(path);
          if (now != null && !now.equals(text)) {
            changed.put(text, now);
          }
        });
    write(target, render(into, changed));
  }

  /** The sealed texts of a manifest by their place. */
  private static Map<String, String> sealedTexts(ObjectNode ms) {
    Map<String, String> out = new LinkedHashMap<>();
    JsonNode spec = ms.path("spec");
    spec.path("sealedData")
        .properties()
        .forEach(e -> out.put("d/" + e.getKey(), e.getValue().asText()));
    for (String field : List.of("sealedSecretString", "sealedSecretBinary")) {
      if (spec.hasNonNull(field)) {
        out.put(field, spec.get(field).asText());
      }
    }
    return out;
  }

  /**
   * The manifest with its changes: the original text with only the changed sealed values replaced
   * when it can be (same format, nothing added or removed), else in the plugin's layout.
   */
  private String render(ManifestFile manifest, Map<String, String> changed) {
    ManifestFile.Format format = format(manifest);
    if (format == manifest.format()) {
      String text = manifest.rewrite(changed);
      if (text != null) {
        return text;
      }
    }
    return manifest.write(format);
  }

  private ManifestFile.Format format(ManifestFile manifest) {
    if (!root.outputGiven()) {
      return manifest.format();
    }
    return root.output == Output.Format.json ? ManifestFile.Format.json : ManifestFile.Format.yaml;
  }

  private List<ObjectNode> managedSecrets(ManifestFile manifest) {
    List<ObjectNode> out = new ArrayList<>();
    manifest.forEachObject(
        o -> {
          if (ManifestSealer.isManagedSecret(o)) {
            out.add(o);
          }
        });
    if (out.isEmpty()) {
      throw new CliException(
          CliException.USAGE,
          "error: no ManagedSecret (apiVersion managedsecrets.dev/v1alpha1) in " + source(file));
    }
    return out;
  }

  /** -n, else the context's namespace; null when neither can be told (no kubeconfig). */
  private String defaultNamespace() {
    if (root.namespace != null && !root.namespace.isBlank()) {
      return root.namespace;
    }
    try {
      return Kube.namespace(root.settings());
    } catch (CliException e) {
      return null;
    }
  }

  private ManifestFile read(String name) {
    byte[] bytes;
    try (InputStream in =
        name == null || name.equals("-") ? root.in : Files.newInputStream(Path.of(name))) {
      bytes = in.readNBytes(ManifestFile.MAX_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw new CliException(CliException.USAGE, "error: the path \"" + name + "\" does not exist");
    } catch (IOException e) {
      throw new CliException(
          CliException.USAGE, "error: cannot read " + source(name) + ": " + e.getMessage());
    }
    if (bytes.length > ManifestFile.MAX_BYTES) {
      throw new CliException(
          CliException.USAGE, "error: " + source(name) + " is larger than 8 MiB");
    }
    return ManifestFile.parse(new String(bytes, StandardCharsets.UTF_8), source(name));
  }

  private static String source(String name) {
    return name == null || name.equals("-") ? "stdin" : name;
  }

  /** Replaces the file at once (a temporary file beside it, then moved over it). */
  private static void write(Path file, String text) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Path tmp = Files.createTempFile(dir, ".seal-", ".tmp");
      try {
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try {
          Files.move(
              tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new CliException(CliException.GENERAL, "error: cannot write " + file + ": " + e);
    }
  }
}
