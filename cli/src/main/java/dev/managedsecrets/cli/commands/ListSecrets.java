package dev.managedsecrets.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.cli.aws.ListFilters;
import dev.managedsecrets.cli.aws.Responses;
import dev.managedsecrets.cli.aws.Shorthand;
import dev.managedsecrets.cli.output.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** ListSecrets: the ManagedSecrets of the namespace, filtered as AWS filters. */
@Command(
    name = "list-secrets",
    description = "Lists the secrets of the namespace, oldest first (--sort-order desc: newest).")
public final class ListSecrets extends EndpointCommand {

  /** --sort-order: by creation. */
  public enum SortOrder {
    asc,
    desc
  }

  @Option(
      names = "--filters",
      arity = "1..*",
      paramLabel = "<filter>",
      description =
          "Key=name,Values=prod/ ... or JSON [{\"Key\":\"name\",\"Values\":[\"prod/\"]}].")
  List<String> filters;

  @Option(
      names = "--include-planned-deletion",
      negatable = true,
      description = "Also list ManagedSecrets that are being deleted.")
  boolean includePlannedDeletion;

  @Option(names = "--sort-order", paramLabel = "asc|desc", description = "By creation date.")
  SortOrder sortOrder;

  @Override
  public String operation() {
    return "ListSecrets";
  }

  /** Every page, as the plugin prints every secret at once. */
  @Override
  protected JsonNode throughEndpoint() {
    ObjectNode request = Json.object();
    ArrayNode list = request.putArray("Filters");
    for (Shorthand.Filter f :
        filters == null ? List.<Shorthand.Filter>of() : Shorthand.filters("--filters", filters)) {
      ObjectNode one = list.addObject().put("Key", f.key());
      f.values().forEach(one.putArray("Values")::add);
    }
    if (includePlannedDeletion) {
      request.put("IncludePlannedDeletion", true);
    }
    if (sortOrder != null) {
      request.put("SortOrder", sortOrder.name());
    }
    ObjectNode out = Json.object();
    ArrayNode all = out.putArray("SecretList");
    while (true) {
      JsonNode page = through.call(root, operation(), request);
      page.path("SecretList").forEach(all::add);
      String next = page.path("NextToken").asText("");
      if (next.isEmpty()) {
        return out;
      }
      request.put("NextToken", next);
    }
  }

  @Override
  protected JsonNode execute() {
    ListFilters filter =
        ListFilters.of(filters == null ? List.of() : Shorthand.filters("--filters", filters));
    List<ManagedSecret> all = new ArrayList<>(secrets().list());
    if (sortOrder == SortOrder.desc) {
      Collections.reverse(all);
    }
    ObjectNode out = Json.object();
    ArrayNode list = out.putArray("SecretList");
    for (ManagedSecret ms : all) {
      if (Secrets.deleting(ms) && !includePlannedDeletion) {
        continue;
      }
      if (filter.matches(ms)) {
        list.add(Responses.listEntry(ms));
      }
    }
    return out;
  }
}
