package dev.managedsecrets.operator.endpoint;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecretStatus;
import dev.managedsecrets.api.v1alpha1.ReplicaRegion;
import dev.managedsecrets.api.v1alpha1.RotationSpec;
import dev.managedsecrets.core.names.Names;
import dev.managedsecrets.core.replication.ReplicationRequests;
import dev.managedsecrets.core.secret.Incarnations;
import dev.managedsecrets.core.secret.SecretFilters;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import dev.managedsecrets.operator.endpoint.Authorizer.Need;
import dev.managedsecrets.operator.reconcile.KeptSpecFields;
import dev.managedsecrets.operator.replication.Replicas;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operations that describe secrets without their values: DescribeSecret, ListSecrets (the
 * caller's namespace; filters, sort order, pages) and ListSecretVersionIds.
 */
final class ListOperations {

  private static final List<String> SORT_BY =
      List.of("created-date", "last-accessed-date", "last-changed-date", "name");

  /** One page of secrets: their names (in the caller's namespace) and the next page's token. */
  record Page(List<ObjectNode> entries, List<String> names, String nextToken) {}

  private final Services s;

  ListOperations(Services services) {
    this.s = services;
  }

  Map<String, Operation> operations() {
    Map<String, Operation> ops = new LinkedHashMap<>();
    ops.put("DescribeSecret", this::describe);
    ops.put("ListSecrets", this::list);
    ops.put("ListSecretVersionIds", this::versions);
    return ops;
  }

  ObjectNode describe(Caller caller, Input in) {
    String secretId = Members.secretId(in);
    Lookup.Target t =
        s.lookup().authorized(caller.principal(), "DescribeSecret", secretId, Need.of("get"));
    StoredSecret r = t.record();
    ObjectNode out =
        entry(
            r.arn(),
            r.id().name(),
            t.object() == null ? KeptSpecFields.spec(r.kept()) : t.object().getSpec(),
            r.createdDate(),
            lastChanged(r, t.object()),
            LastAccessed.of(t.object()),
            r.deletedDate());
    if (t.object() != null) {
      rotation(out, t.object());
      replication(out, t.object(), true);
    }
    // A secret without versions (made without a value) has no VersionIdsToStages, as in AWS.
    if (!r.versionIdsToStages().isEmpty()) {
      out.set("VersionIdsToStages", Output.stages(r.versionIdsToStages()));
    }
    return out;
  }

  /**
   * DescribeSecret's and ListSecrets' rotation members, as AWS shows them: none for a secret whose
   * rotation was never set up; else RotationEnabled, the RotationRules of {@code spec.rotation},
   * and LastRotatedDate and NextRotationDate from the status.
   */
  private static void rotation(ObjectNode out, ManagedSecret ms) {
    RotationSpec rotation = ms.getSpec() == null ? null : ms.getSpec().rotation;
    ManagedSecretStatus status = ms.getStatus();
    String last = status == null ? null : status.lastRotatedDate;
    if (rotation == null && last == null) {
      return;
    }
    out.put("RotationEnabled", status != null && Boolean.TRUE.equals(status.rotationEnabled));
    if (rotation != null) {
      ObjectNode rules = out.putObject("RotationRules");
      if (rotation.automaticallyAfterDays != null) {
        rules.put("AutomaticallyAfterDays", rotation.automaticallyAfterDays);
      }
      Output.text(rules, "Duration", rotation.duration);
      Output.text(rules, "ScheduleExpression", rotation.scheduleExpression);
    }
    Output.time(out, "LastRotatedDate", instant(last));
    Output.time(out, "NextRotationDate", instant(status == null ? null : status.nextRotationDate));
  }

  /**
   * DescribeSecret's and ListSecrets' replication members, as AWS shows them: a replica's
   * PrimaryRegion (its primary's region); a primary with replica regions, PrimaryRegion (this
   * operator's region) and, in DescribeSecret, each region's ReplicationStatus; nothing for a
   * secret that is neither.
   */
  private void replication(ObjectNode out, ManagedSecret ms, boolean statuses) {
    Output.text(out, "PrimaryRegion", primaryRegion(ms));
    if (Replicas.isReplica(ms)) {
      return;
    }
    List<ReplicaRegion> regions = ms.getSpec() == null ? null : ms.getSpec().replicaRegions;
    if (regions == null || regions.isEmpty()) {
      return;
    }
    if (statuses) {
      out.set(
          "ReplicationStatus",
          Output.replication(
              ReplicationRequests.statuses(
                  regions, ms.getStatus() == null ? null : ms.getStatus().replicationStatus)));
    }
  }

  /**
   * The secret's PrimaryRegion as AWS shows it: a replica's primary's region; this operator's
   * region for a secret replicated to others; null for a secret that is neither.
   */
  private String primaryRegion(ManagedSecret ms) {
    if (Replicas.isReplica(ms)) {
      return Replicas.primaryRegion(ms);
    }
    List<ReplicaRegion> regions = ms.getSpec() == null ? null : ms.getSpec().replicaRegions;
    return regions == null || regions.isEmpty() ? null : s.regions().own();
  }

  /**
   * The later of the record's last new version and the status's LastChangedDate, which also moves
   * when the spec changes (description, tags, key).
   */
  private static Instant lastChanged(StoredSecret r, ManagedSecret ms) {
    Instant status =
        ms == null || ms.getStatus() == null ? null : instant(ms.getStatus().lastChangedDate);
    Instant record = r.lastChangedDate();
    if (status == null) {
      return record;
    }
    return record == null || status.isAfter(record) ? status : record;
  }

  /** The members DescribeSecret and ListSecrets share. */
  private static ObjectNode entry(
      String arn,
      String name,
      ManagedSecretSpec spec,
      Instant created,
      Instant changed,
      Instant accessed,
      Instant deleted) {
    ObjectNode out = Output.secret(arn, name);
    if (spec != null) {
      Output.text(out, "Description", spec.description);
      Output.text(out, "KmsKeyId", spec.kmsKeyId);
      // Never tagged: no Tags member; every tag removed: Tags [], as AWS answers.
      if (spec.tags != null) {
        out.set("Tags", Output.tags(spec.tags));
      }
    }
    Output.time(out, "LastChangedDate", changed);
    Output.time(out, "LastAccessedDate", accessed);
    Output.time(out, "DeletedDate", deleted);
    Output.time(out, "CreatedDate", created);
    return out;
  }

  ObjectNode list(Caller caller, Input in) {
    Integer maxResults = in.integer("MaxResults", 1, 100);
    Page page = page(caller, "ListSecrets", in, maxResults == null ? 100 : maxResults);
    ObjectNode out = Output.object();
    ArrayNode list = out.putArray("SecretList");
    page.entries().forEach(list::add);
    Output.text(out, "NextToken", page.nextToken());
    return out;
  }

  /**
   * One page of the caller's namespace's secrets that the filters choose, sorted as asked; the
   * caller must be allowed to list ManagedSecrets there.
   */
  Page page(Caller caller, String operation, Input in, int size) {
    String nextToken = in.optional("NextToken", 1, 4096);
    SecretFilters filters = filters(in);
    boolean planned = in.bool("IncludePlannedDeletion");
    String sortBy = in.string("SortBy");
    String sortOrder = in.string("SortOrder");
    if (sortBy != null && !SORT_BY.contains(sortBy)) {
      throw enumValue(sortBy, "sortBy", SORT_BY);
    }
    if (sortOrder != null && !List.of("asc", "desc").contains(sortOrder)) {
      throw enumValue(sortOrder, "sortOrder", List.of("asc", "desc"));
    }
    String namespace = caller.namespace();
    s.authorizer().require(caller.principal(), Need.of("list"), namespace, null, operation, "*");
    List<Listed> all = new ArrayList<>();
    // The operator's namespace lists nothing, as if it had no secret.
    boolean closed = s.lookup().closedNamespaces().closed(namespace);
    for (ManagedSecret ms : closed ? List.<ManagedSecret>of() : s.objects().list(namespace)) {
      ManagedSecretStatus status = ms.getStatus();
      if (ms.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      if (status == null || status.arn == null) {
        // Not reconciled yet (a CreateSecret that has just answered): listed from its record.
        unreconciled(namespace, ms).ifPresent(all::add);
        continue;
      }
      all.add(
          new Listed(
              Names.secretName(ms),
              status.arn,
              ms.getSpec(),
              ms,
              instant(status.createdDate),
              instant(status.lastChangedDate),
              LastAccessed.of(ms),
              null,
              status.versionIdsToStages == null ? Map.of() : status.versionIdsToStages,
              primaryRegion(ms)));
    }
    if (planned && !closed) {
      for (StoredSecret r : s.secrets().scheduledIn(namespace)) {
        all.add(
            new Listed(
                r.id().name(),
                r.arn(),
                KeptSpecFields.spec(r.kept()),
                null,
                r.createdDate(),
                r.lastChangedDate(),
                null,
                r.deletedDate(),
                r.versionIdsToStages(),
                null));
      }
    }
    Comparator<Listed> order =
        switch (sortBy == null ? "created-date" : sortBy) {
          case "name" -> Comparator.comparing(Listed::name);
          case "last-accessed-date" ->
              Comparator.comparing(
                  Listed::accessed, Comparator.nullsFirst(Comparator.naturalOrder()));
          case "last-changed-date" ->
              Comparator.comparing(
                  Listed::changedOrCreated, Comparator.nullsFirst(Comparator.naturalOrder()));
          default ->
              Comparator.comparing(
                  Listed::created, Comparator.nullsFirst(Comparator.naturalOrder()));
        };
    order = order.thenComparing(Listed::arn);
    if ("desc".equals(sortOrder)) {
      order = order.reversed();
    }
    List<Listed> chosen =
        all.stream().filter(l -> filters.matches(l.attributes())).sorted(order).toList();
    int from = offset(nextToken, chosen.size());
    int to = Math.min(chosen.size(), from + size);
    List<ObjectNode> entries = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Listed l : chosen.subList(from, to)) {
      ObjectNode e =
          entry(l.arn(), l.name(), l.spec(), l.created(), l.changed(), l.accessed(), l.deleted());
      if (l.object() != null) {
        rotation(e, l.object());
        replication(e, l.object(), false);
      }
      if (!l.stages().isEmpty()) {
        e.set("SecretVersionsToStages", Output.stages(l.stages()));
      }
      entries.add(e);
      names.add(l.name());
    }
    return new Page(entries, names, to < chosen.size() ? token(to) : null);
  }

  ObjectNode versions(Caller caller, Input in) {
    String secretId = Members.secretId(in);
    Integer maxResults = in.integer("MaxResults", 1, 100);
    String nextToken = in.optional("NextToken", 1, 4096);
    boolean deprecated = in.bool("IncludeDeprecated");
    Lookup.Target t =
        s.lookup().authorized(caller.principal(), "ListSecretVersionIds", secretId, Need.of("get"));
    // Newest first: the record lists its versions in the order they were made.
    List<StoredVersion> versions = new ArrayList<>();
    for (StoredVersion v : t.record().versions()) {
      if (deprecated || !v.stages().isEmpty()) {
        versions.add(0, v);
      }
    }
    int from = offset(nextToken, versions.size());
    int to = Math.min(versions.size(), from + (maxResults == null ? 100 : maxResults));
    ObjectNode out = Output.object();
    ArrayNode list = out.putArray("Versions");
    for (StoredVersion v : versions.subList(from, to)) {
      ObjectNode e = list.addObject();
      e.put("VersionId", v.versionId());
      // A version without labels (IncludeDeprecated) has no VersionStages member, as in AWS.
      if (!v.stages().isEmpty()) {
        e.set("VersionStages", Output.strings(v.stages()));
      }
      Output.time(e, "CreatedDate", v.createdDate());
      e.set("KmsKeyIds", Output.strings(List.of(v.kmsKeyArn())));
    }
    Output.text(out, "NextToken", to < versions.size() ? token(to) : null);
    out.put("ARN", t.arn());
    out.put("Name", t.name());
    return out;
  }

  private static String token(int offset) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(("o:" + offset).getBytes(StandardCharsets.UTF_8));
  }

  private static int offset(String token, int size) {
    if (token == null) {
      return 0;
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (!text.startsWith("o:")) {
        throw new IllegalArgumentException();
      }
      int offset = Integer.parseInt(text.substring(2));
      if (offset < 0 || offset > size) {
        throw new IllegalArgumentException();
      }
      return offset;
    } catch (IllegalArgumentException e) {
      throw new AwsException("InvalidNextTokenException", 400, "The NextToken value is invalid.");
    }
  }

  private static Instant instant(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  private static AwsException enumValue(String value, String member, List<String> allowed) {
    return AwsException.validation(
        "1 validation error detected: Value '"
            + value
            + "' at '"
            + member
            + "' failed to satisfy constraint: Member must satisfy enum value set: "
            + allowed);
  }

  /** The request's Filters, read from the wire and checked as AWS checks them. */
  private static SecretFilters filters(Input in) {
    List<Input> items = in.structures("Filters", 10);
    List<SecretFilters.Filter> out = new ArrayList<>();
    if (items != null) {
      for (Input f : items) {
        out.add(new SecretFilters.Filter(f.string("Key"), f.strings("Values", 10, 1, 512)));
      }
    }
    return SecretFilters.of(out);
  }

  /** A secret as ListSecrets sees it. */
  private record Listed(
      String name,
      String arn,
      ManagedSecretSpec spec,
      ManagedSecret object,
      Instant created,
      Instant changed,
      Instant accessed,
      Instant deleted,
      Map<String, List<String>> stages,
      String primaryRegion) {

    Instant changedOrCreated() {
      return changed != null ? changed : created;
    }

    String description() {
      return spec() == null ? null : spec().description;
    }

    /** What ListSecrets' filters look at. */
    SecretFilters.Attributes attributes() {
      return new SecretFilters.Attributes(
          name,
          description(),
          KeptSpecFields.tags(spec() == null ? null : spec().tags),
          primaryRegion);
    }
  }

  /** A ManagedSecret whose status has no ARN yet, listed from the record it holds, if any. */
  private Optional<Listed> unreconciled(String namespace, ManagedSecret ms) {
    return Incarnations.ownedBy(
            s.secrets().findByName(new SecretId(namespace, Names.secretName(ms))),
            ms.getMetadata().getUid())
        .filter(r -> !r.scheduledForDeletion())
        .map(
            r ->
                new Listed(
                    r.id().name(),
                    r.arn(),
                    ms.getSpec(),
                    ms,
                    r.createdDate(),
                    r.lastChangedDate(),
                    LastAccessed.of(ms),
                    null,
                    r.versionIdsToStages(),
                    primaryRegion(ms)));
  }
}
