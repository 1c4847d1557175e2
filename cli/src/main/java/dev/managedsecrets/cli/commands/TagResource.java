package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.cli.aws.Shorthand;
import dev.managedsecrets.cli.output.Json;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** TagResource: adds tags to spec.tags, replacing the values of keys already there. */
@Command(name = "tag-resource", description = "Adds or changes tags (spec.tags); prints nothing.")
public final class TagResource extends EndpointCommand {

  @Option(
      names = "--secret-id",
      required = true,
      paramLabel = "<id>",
      description = "The secret's name or ARN.")
  String secretId;

  @Option(
      names = "--tags",
      required = true,
      arity = "1..*",
      paramLabel = "<tag>",
      description = "Key=k,Value=v ... or JSON [{\"Key\":\"k\",\"Value\":\"v\"}].")
  List<String> tags;

  @Mixin WaitOptions wait;

  @Override
  protected ObjectNode request() {
    return new EndpointRequest().put("SecretId", secretId).tags("--tags", tags).json();
  }

  @Override
  public String operation() {
    return "TagResource";
  }

  @Override
  protected JsonNode execute() {
    List<Tag> added = Shorthand.tags("--tags", tags);
    Secrets secrets = secrets();
    ManagedSecret ms = secrets.requireLive(secretId);
    Checks.validate(ms, spec -> spec.tags = merged(spec.tags, added));
    ManagedSecret updated =
        secrets.patchSpec(
            ms,
            latest -> {
              ObjectNode patch = Json.object();
              patch.set("tags", specTags(merged(latest.getSpec().tags, added)));
              return patch;
            });
    if (wait.waits()) {
      secrets.awaitReady(
          updated.getMetadata().getName(), updated.getMetadata().getGeneration(), wait.timeout());
    }
    return null;
  }

  static List<Tag> merged(List<Tag> current, List<Tag> added) {
    List<Tag> out = new ArrayList<>();
    if (current != null) {
      for (Tag t : current) {
        out.add(new Tag(t.key, t.value));
      }
    }
    for (Tag a : added) {
      out.removeIf(t -> t.key.equals(a.key));
      out.add(new Tag(a.key, a.value));
    }
    return out;
  }

  /** Tags as the CRD spells them: [{key, value}]. */
  static JsonNode specTags(List<Tag> tags) {
    return Json.MAPPER.valueToTree(tags);
  }
}
