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

/** UntagResource: removes tags from spec.tags by key. */
@Command(name = "untag-resource", description = "Removes tags by key (spec.tags); prints nothing.")
public final class UntagResource extends EndpointCommand {

  @Option(
      names = "--secret-id",
      required = true,
      paramLabel = "<id>",
      description = "The secret's name or ARN.")
  String secretId;

  @Option(
      names = "--tag-keys",
      required = true,
      arity = "1..*",
      paramLabel = "<key>",
      description = "k1 k2 ... or JSON [\"k1\",\"k2\"].")
  List<String> tagKeys;

  @Mixin WaitOptions wait;

  @Override
  protected ObjectNode request() {
    return new EndpointRequest()
        .put("SecretId", secretId)
        .strings("TagKeys", "--tag-keys", tagKeys)
        .json();
  }

  @Override
  public String operation() {
    return "UntagResource";
  }

  @Override
  protected JsonNode execute() {
    List<String> keys = Shorthand.strings("--tag-keys", tagKeys);
    Secrets secrets = secrets();
    ManagedSecret ms = secrets.requireLive(secretId);
    ManagedSecret updated =
        secrets.patchSpec(
            ms,
            latest -> {
              List<Tag> kept = new ArrayList<>();
              if (latest.getSpec().tags != null) {
                latest.getSpec().tags.stream()
                    .filter(t -> !keys.contains(t.key))
                    .forEach(kept::add);
              }
              ObjectNode patch = Json.object();
              if (kept.isEmpty() && latest.getSpec().tags == null) {
                patch.putNull("tags");
              } else if (kept.isEmpty()) {
                // An empty list, not none: AWS shows Tags [] once the last tag is removed.
                patch.set("tags", Json.MAPPER.createArrayNode());
              } else {
                patch.set("tags", TagResource.specTags(kept));
              }
              return patch;
            });
    if (wait.waits()) {
      secrets.awaitReady(
          updated.getMetadata().getName(), updated.getMetadata().getGeneration(), wait.timeout());
    }
    return null;
  }
}
