package dev.managedsecrets.core.validation;

import dev.managedsecrets.api.v1alpha1.DatabaseEngine;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.ManagedSecretSpec;
import dev.managedsecrets.api.v1alpha1.PreviousValueSpec;
import dev.managedsecrets.api.v1alpha1.ReplicaRegion;
import dev.managedsecrets.api.v1alpha1.RolloutRestartTarget;
import dev.managedsecrets.api.v1alpha1.SecretType;
import dev.managedsecrets.api.v1alpha1.Tag;
import dev.managedsecrets.core.names.Names;
import dev.managedsecrets.core.rotation.RotationRules;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.ValueOwner;
import dev.managedsecrets.core.template.TemplateEngine;
import dev.managedsecrets.core.value.ValueSize;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every rule of a ManagedSecret spec, in one place, with AWS's exception names and texts. The CRD
 * schema rejects most of these at apply time already; this is what holds when it cannot (other API
 * servers, objects stored before a schema change).
 */
public final class SpecValidator {

  /** AWS's bound of a secret value, in bytes. */
  public static final int MAX_VALUE_BYTES = ValueSize.MAX_BYTES;

  /** The longest sealed value's text: a value of 65536 bytes sealed (see SealedValue). */
  public static final int MAX_SEALED_CHARACTERS = 87600;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9/_+=.@-]{1,512}");
  private static final Pattern SECRET_KEY = Pattern.compile("[-._a-zA-Z0-9]{1,253}");
  private static final Pattern GRACE_PERIOD = Pattern.compile(PreviousValueSpec.GRACE_PERIOD);
  private static final Pattern KEY_SUFFIX = Pattern.compile(PreviousValueSpec.KEY_SUFFIX);

  /** The key suffix of target.previousValue when it gives none. */
  public static final String DEFAULT_KEY_SUFFIX = "_PREVIOUS";

  private static final int MAX_ROLLOUT_RESTARTS = 20;

  /** The most replica regions a secret may have. */
  public static final int MAX_REPLICA_REGIONS = 10;

  private static final Pattern REGION = Pattern.compile(ReplicaRegion.REGION);

  /** AWS's answer to a replica region that cannot be one. */
  public static final String INVALID_REPLICA_REGION = "Invalid replica region.";

  private static final Set<String> WORKLOAD_KINDS =
      Set.of("Deployment", "StatefulSet", "DaemonSet");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Set<String> DATABASE_KEYS = Set.of("engine", "host", "port", "dbname");
  private static final Set<String> DATABASE_KEYS_WITH_SSLMODE =
      Set.of("engine", "host", "port", "dbname", "sslmode");

  private SpecValidator() {}

  /**
   * Validates the spec, without the operator's regions: replica regions are checked for their shape
   * only (clients that do not know the operator's configuration).
   *
   * @throws SecretsManagerException the first rule broken, with AWS's exception name
   */
  public static void validate(ManagedSecret ms) {
    validate(ms, Names.of(ms));
  }

  /**
   * Validates the spec, whose names were derived already, without the operator's regions: replica
   * regions are checked for their shape only.
   *
   * @throws SecretsManagerException the first rule broken, with AWS's exception name
   */
  public static void validate(ManagedSecret ms, Names names) {
    validate(ms, names, null);
  }

  /**
   * Validates the spec, whose names were derived already, and its replica regions against the
   * operator's own region and its peers.
   *
   * @param regions the operator's regions; null: replica regions are checked for their shape only
   * @throws SecretsManagerException the first rule broken, with AWS's exception name
   */
  public static void validate(ManagedSecret ms, Names names, Regions regions) {
    ManagedSecretSpec spec = ms.getSpec() == null ? new ManagedSecretSpec() : ms.getSpec();
    String name = names.secretName();
    if (!NAME.matcher(name).matches()) {
      throw SecretsManagerException.validation(
          "Invalid name. Must be a valid name containing alphanumeric characters, or any of the"
              + " following: -/_+=.@!");
    }
    maxLength("description", spec.description, 2048);
    maxLength("kmsKeyId", spec.kmsKeyId, 2048);
    if (spec.secretString != null && spec.secretBinary != null) {
      throw SecretsManagerException.invalidParameter(
          "You can't specify both a binary secret value and a string secret value in the same"
              + " secret.");
    }
    value(spec);
    valueSource(spec);
    tags(spec.tags);
    replicaRegions(spec.replicaRegions, regions);
    if (spec.clientRequestToken != null
        && (spec.clientRequestToken.length() < 32 || spec.clientRequestToken.length() > 64)) {
      throw SecretsManagerException.validation(
          "1 validation error detected: Value at 'clientRequestToken' failed to satisfy"
              + " constraint: Member must have length between 32 and 64");
    }
    stages(spec.versionStages);
    deletion(spec);
    if (spec.rotation != null) {
      RotationRules.of(spec).requireRotatable(spec);
    }
    target(ms, names);
  }

  private static void stages(Map<String, String> stages) {
    if (stages == null) {
      return;
    }
    if (stages.size() > 20) {
      throw new SecretsManagerException(
          dev.managedsecrets.core.secret.AwsError.LIMIT_EXCEEDED_EXCEPTION,
          "A secret can have at most 20 staging labels across its versions.");
    }
    for (Map.Entry<String, String> e : stages.entrySet()) {
      if (e.getKey().isEmpty() || e.getKey().length() > 256) {
        throw SecretsManagerException.validation(
            "1 validation error detected: Value at 'versionStages' failed to satisfy constraint:"
                + " Member must have length between 1 and 256");
      }
      if (e.getKey().equals("AWSPREVIOUS") || e.getKey().equals("AWSPENDING")) {
        throw SecretsManagerException.invalidParameter(
            e.getKey() + " is moved by the operator, not by versionStages.");
      }
      if (e.getValue() == null || e.getValue().isEmpty() || e.getValue().length() > 64) {
        throw SecretsManagerException.invalidParameter(
            "versionStages." + e.getKey() + " must name a VersionId (1-64 characters).");
      }
    }
  }

  private static void value(ManagedSecretSpec spec) {
    int whole =
        (spec.secretString != null ? 1 : 0)
            + (spec.secretBinary != null ? 1 : 0)
            + (spec.fromSecret != null ? 1 : 0)
            + (spec.sealedSecretString != null ? 1 : 0)
            + (spec.sealedSecretBinary != null ? 1 : 0);
    boolean keyValues =
        spec.data != null
            || spec.sealedData != null
            || spec.generate != null
            || spec.database != null;
    if (whole > 1) {
      throw SecretsManagerException.invalidParameter(
          "Only one of secretString, secretBinary, fromSecret, sealedSecretString and"
              + " sealedSecretBinary may be set.");
    }
    if (whole == 1 && keyValues) {
      throw SecretsManagerException.invalidParameter(
          "A whole value (secretString, secretBinary, fromSecret, sealedSecretString or"
              + " sealedSecretBinary) can't be combined with key/value fields (data, sealedData,"
              + " generate, database).");
    }
    sealed(spec);
    if (spec.secretString != null) {
      if (spec.secretString.isEmpty()
          || spec.secretString.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
              > MAX_VALUE_BYTES) {
        throw SecretsManagerException.validation(
            "1 validation error detected: Value at 'secretString' failed to satisfy constraint:"
                + " Member must have length between 1 and 65536");
      }
    }
    if (spec.secretBinary != null) {
      byte[] decoded;
      try {
        decoded = Base64.getDecoder().decode(spec.secretBinary);
      } catch (IllegalArgumentException e) {
        throw SecretsManagerException.invalidParameter(
            "secretBinary is not valid base64: encode the bytes with standard base64.");
      }
      if (decoded.length == 0 || decoded.length > MAX_VALUE_BYTES) {
        throw SecretsManagerException.validation(
            "1 validation error detected: Value at 'secretBinary' failed to satisfy constraint:"
                + " Member must have length between 1 and 65536");
      }
    }
    if (spec.fromSecret != null
        && (spec.fromSecret.name == null
            || !DNS_SUBDOMAIN.matcher(spec.fromSecret.name).matches())) {
      throw SecretsManagerException.invalidParameter(
          "fromSecret.name must name a Secret in the ManagedSecret's namespace.");
    }
    if (spec.database != null) {
      if (spec.database.engine == null || spec.database.host == null) {
        throw SecretsManagerException.invalidParameter("database needs engine and host.");
      }
      DatabaseEngine engine = DatabaseEngine.fromValue(spec.database.engine);
      if (engine == null) {
        throw SecretsManagerException.invalidParameter(
            "database.engine "
                + spec.database.engine
                + " is not supported: use postgres, aurora-postgresql, mysql, aurora-mysql,"
                + " mariadb, oracle, sqlserver, mongo or redshift.");
      }
      if (engine == DatabaseEngine.ORACLE && spec.database.dbname == null) {
        throw SecretsManagerException.invalidParameter(
            "database.dbname is required for engine oracle.");
      }
    }
    // Key names are part of the value: a clash names the fields, not the key.
    Set<String> data = spec.data == null ? Set.of() : spec.data.keySet();
    Set<String> sealedData = spec.sealedData == null ? Set.of() : spec.sealedData.keySet();
    GenerateRules.check(spec.generate);
    Set<String> generate = GenerateRules.keys(spec.generate);
    Set<String> database =
        spec.database == null
            ? Set.of()
            : spec.database.sslmode == null ? DATABASE_KEYS : DATABASE_KEYS_WITH_SSLMODE;
    clash("data", data, "generate", generate);
    clash("data", data, "database", database);
    clash("generate", generate, "database", database);
    clash("data", data, "sealedData", sealedData);
    clash("sealedData", sealedData, "generate", generate);
    clash("sealedData", sealedData, "database", database);
  }

  private static void valueSource(ManagedSecretSpec spec) {
    if (spec.valueSource == null) {
      return;
    }
    if (!ValueOwner.STORE.equals(spec.valueSource) && !ValueOwner.SPEC.equals(spec.valueSource)) {
      throw SecretsManagerException.invalidParameter(
          "valueSource must be Spec or Store; it is " + spec.valueSource + ".");
    }
    if (ValueOwner.store(spec)
        && (ValueOwner.specField(spec).isPresent()
            || spec.versionStages != null
            || spec.clientRequestToken != null)) {
      throw SecretsManagerException.invalidParameter(
          "valueSource Store keeps the value in the store: it can't be combined with a value field"
              + " (secretString, secretBinary, fromSecret, data, generate, database,"
              + " sealedData, sealedSecretString, sealedSecretBinary),"
              + " versionStages or clientRequestToken.");
    }
  }

  /** The sealed fields' bounds and scope (whether they open is the operator's to find). */
  private static void sealed(ManagedSecretSpec spec) {
    if (spec.sealedScope != null
        && !spec.sealedScope.equals("strict")
        && !spec.sealedScope.equals("namespace-wide")) {
      throw SecretsManagerException.invalidParameter(
          "sealedScope must be strict or namespace-wide.");
    }
    maxSealed("sealedSecretString", spec.sealedSecretString);
    maxSealed("sealedSecretBinary", spec.sealedSecretBinary);
    if (spec.sealedData == null) {
      return;
    }
    if (spec.sealedData.size() > 256) {
      throw SecretsManagerException.validation(
          "1 validation error detected: Value at 'sealedData' failed to satisfy constraint:"
              + " Member must have at most 256 keys");
    }
    for (Map.Entry<String, String> e : spec.sealedData.entrySet()) {
      if (e.getKey().isEmpty() || e.getKey().length() > 253) {
        throw SecretsManagerException.validation(
            "1 validation error detected: Value at 'sealedData' failed to satisfy constraint:"
                + " keys must have length between 1 and 253");
      }
      maxSealed("sealedData", e.getValue());
    }
  }

  private static void maxSealed(String field, String text) {
    if (text != null && (text.isEmpty() || text.length() > MAX_SEALED_CHARACTERS)) {
      throw SecretsManagerException.validation(
          "1 validation error detected: Value at '"
              + field
              + "' failed to satisfy constraint: Member must have length between 1 and "
              + MAX_SEALED_CHARACTERS);
    }
  }

  private static void clash(String a, Set<String> first, String b, Set<String> second) {
    if (first.stream().anyMatch(second::contains)) {
      throw SecretsManagerException.invalidParameter(
          a
              + " and "
              + b
              + " have a key in common: give each key once (data, sealedData, generate and database"
              + " make one JSON object).");
    }
  }

  private static void tags(List<Tag> tags) {
    if (tags == null) {
      return;
    }
    if (tags.size() > 50) {
      throw SecretsManagerException.validation(
          "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must"
              + " have length less than or equal to 50");
    }
    Set<String> seen = new HashSet<>();
    for (Tag t : tags) {
      if (t.key == null || t.key.isEmpty() || t.key.length() > 128) {
        throw SecretsManagerException.validation(
            "1 validation error detected: Value at 'tags.key' failed to satisfy constraint: Member"
                + " must have length between 1 and 128");
      }
      if (t.value != null && t.value.length() > 256) {
        throw SecretsManagerException.validation(
            "1 validation error detected: Value at 'tags.value' failed to satisfy constraint:"
                + " Member must have length less than or equal to 256");
      }
      if (t.key.toLowerCase(java.util.Locale.ROOT).startsWith("aws:")) {
        throw SecretsManagerException.invalidParameter(
            "Tag key " + t.key + " starts with aws:, which is reserved for AWS use.");
      }
      if (!seen.add(t.key)) {
        throw SecretsManagerException.invalidParameter("Tag key " + t.key + " is given twice.");
      }
    }
  }

  /**
   * Replica regions, bounded as the CRD bounds them; with the operator's regions, each must be one
   * of its peers (never its own region).
   */
  /**
   * The rules of {@code spec.replicaRegions}: at most {@link #MAX_REPLICA_REGIONS}, each region of
   * the right shape and listed once, with a key of 1-2048 characters when one is named, and, with
   * {@code regions}, each a peer region and never the own one.
   *
   * @param regions the operator's regions; null: the shape only
   * @throws SecretsManagerException the first rule broken, with AWS's exception name
   */
  public static void replicaRegions(List<ReplicaRegion> replicas, Regions regions) {
    if (replicas == null) {
      return;
    }
    if (replicas.size() > MAX_REPLICA_REGIONS) {
      throw SecretsManagerException.validation(
          "1 validation error detected: Value at 'replicaRegions' failed to satisfy constraint:"
              + " Member must have length less than or equal to "
              + MAX_REPLICA_REGIONS);
    }
    Set<String> seen = new HashSet<>();
    for (ReplicaRegion r : replicas) {
      if (r == null || r.region == null || !REGION.matcher(r.region).matches()) {
        throw SecretsManagerException.invalidParameter(INVALID_REPLICA_REGION);
      }
      maxLength("replicaRegions.kmsKeyId", r.kmsKeyId, 2048);
      if (r.kmsKeyId != null && r.kmsKeyId.isEmpty()) {
        throw SecretsManagerException.validation(
            "1 validation error detected: Value at 'replicaRegions.kmsKeyId' failed to satisfy"
                + " constraint: Member must have length greater than or equal to 1");
      }
      if (!seen.add(r.region)) {
        throw SecretsManagerException.invalidParameter(
            "Each replica region may be listed only once.");
      }
      if (regions != null) {
        peer(r.region, regions);
      }
    }
  }

  private static void peer(String region, Regions regions) {
    if (region.equals(regions.own())) {
      throw SecretsManagerException.invalidParameter(INVALID_REPLICA_REGION);
    }
    if (regions.isPeer(region)) {
      return;
    }
    throw SecretsManagerException.invalidParameter(
        regions.peers().isEmpty()
            ? "Replica region "
                + region
                + " is not a peer region of this operator, which has none: list the regions it may"
                + " replicate to in the chart value config.replication.peers."
            : "Replica region "
                + region
                + " is not a peer region of this operator; its peer regions are "
                + String.join(", ", regions.peers())
                + " (the chart value config.replication.peers).");
  }

  private static void deletion(ManagedSecretSpec spec) {
    if (spec.recoveryWindowInDays != null
        && (spec.recoveryWindowInDays < 7 || spec.recoveryWindowInDays > 30)) {
      throw SecretsManagerException.invalidParameter(
          "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
    }
    if (Boolean.TRUE.equals(spec.forceDeleteWithoutRecovery) && spec.recoveryWindowInDays != null) {
      throw SecretsManagerException.invalidParameter(
          "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
  }

  private static void target(ManagedSecret ms, Names names) {
    String name = names.target();
    if (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
      throw SecretsManagerException.invalidParameter(
          "target.name " + name + " is not a valid Secret name (a DNS subdomain).");
    }
    var target = ms.getSpec() == null ? null : ms.getSpec().target;
    if (target != null && target.type != null && SecretType.fromValue(target.type) == null) {
      throw SecretsManagerException.invalidParameter(
          "target.type "
              + target.type
              + " can't be projected: use Opaque, kubernetes.io/basic-auth,"
              + " kubernetes.io/dockerconfigjson, kubernetes.io/tls or kubernetes.io/ssh-auth.");
    }
    if (target != null && target.template != null) {
      for (String key : target.template.keySet()) {
        if (!SECRET_KEY.matcher(key).matches()) {
          throw SecretsManagerException.invalidParameter(
              "target.template key " + key + " is not a valid Secret key ([-._a-zA-Z0-9]+).");
        }
      }
    }
    if (target != null && target.templates != null) {
      templates(target);
    }
    if (target != null) {
      rolloutRestart(target.rolloutRestart);
      previousValue(
          target.previousValue,
          target.templates != null && target.templates.data != null
              ? target.templates.data
              : target.template);
    }
  }

  /** target.templates: the language's version, valid keys, and not beside target.template. */
  private static void templates(dev.managedsecrets.api.v1alpha1.TargetSpec target) {
    if (target.template != null) {
      throw SecretsManagerException.invalidParameter(
          "Use target.template ({{key}} substitution) or target.templates (the template language),"
              + " not both.");
    }
    if (!TemplateEngine.V1.equals(target.templates.engineVersion)) {
      throw SecretsManagerException.invalidParameter(
          "target.templates.engineVersion must be v1, the template language's one version.");
    }
    if (target.templates.data == null || target.templates.data.isEmpty()) {
      throw SecretsManagerException.invalidParameter(
          "target.templates.data must hold at least one Secret key and its template.");
    }
    for (String key : target.templates.data.keySet()) {
      if (!SECRET_KEY.matcher(key).matches()) {
        throw SecretsManagerException.invalidParameter(
            "target.templates.data key " + key + " is not a valid Secret key ([-._a-zA-Z0-9]+).");
      }
    }
  }

  /**
   * target.previousValue, bounded as the CRD bounds it; a template key that, suffixed, is another
   * template key would collide whenever a previous version is projected: refused now.
   */
  private static void previousValue(PreviousValueSpec spec, Map<String, String> templates) {
    if (spec == null) {
      return;
    }
    if (spec.gracePeriod != null && !GRACE_PERIOD.matcher(spec.gracePeriod).matches()) {
      throw SecretsManagerException.invalidParameter(
          "target.previousValue.gracePeriod must be a whole number of minutes or hours from 1m to"
              + " 720h, such as 90m or 24h.");
    }
    if (spec.keySuffix != null && !KEY_SUFFIX.matcher(spec.keySuffix).matches()) {
      throw SecretsManagerException.invalidParameter(
          "target.previousValue.keySuffix must be 1-63 characters of a Secret key"
              + " ([-._a-zA-Z0-9]).");
    }
    String suffix = spec.keySuffix == null ? DEFAULT_KEY_SUFFIX : spec.keySuffix;
    if (templates != null) {
      for (String key : templates.keySet()) {
        if (templates.containsKey(key + suffix)) {
          throw SecretsManagerException.invalidParameter(
              "target.template key "
                  + key
                  + suffix
                  + " is the key of the previous version's "
                  + key
                  + " under target.previousValue.keySuffix: choose another keySuffix.");
        }
      }
    }
  }

  /** The workloads of target.rolloutRestart, bounded as the CRD bounds them. */
  private static void rolloutRestart(List<RolloutRestartTarget> targets) {
    if (targets == null) {
      return;
    }
    if (targets.size() > MAX_ROLLOUT_RESTARTS) {
      throw SecretsManagerException.invalidParameter(
          "target.rolloutRestart has " + targets.size() + " entries; at most 20 are allowed.");
    }
    for (RolloutRestartTarget t : targets) {
      if (t == null || t.kind == null || !WORKLOAD_KINDS.contains(t.kind)) {
        throw SecretsManagerException.invalidParameter(
            "target.rolloutRestart kind must be Deployment, StatefulSet or DaemonSet.");
      }
      if ((t.name == null) == (t.selector == null)) {
        throw SecretsManagerException.invalidParameter(
            "A rolloutRestart entry needs exactly one of name and selector.");
      }
      if (t.name != null && (t.name.length() > 253 || !DNS_SUBDOMAIN.matcher(t.name).matches())) {
        throw SecretsManagerException.invalidParameter(
            "target.rolloutRestart name " + t.name + " is not a valid workload name.");
      }
      if (t.selector != null && !labels(t.selector.matchLabels)) {
        throw SecretsManagerException.invalidParameter(
            "target.rolloutRestart selector.matchLabels must have 1-16 labels, keys of 1-317"
                + " characters and values of at most 63.");
      }
    }
  }

  private static boolean labels(Map<String, String> labels) {
    return labels != null
        && !labels.isEmpty()
        && labels.size() <= 16
        && labels.entrySet().stream()
            .allMatch(
                e ->
                    !e.getKey().isEmpty()
                        && e.getKey().length() <= 317
                        && e.getValue() != null
                        && e.getValue().length() <= 63);
  }

  private static void maxLength(String field, String value, int max) {
    if (value != null && value.length() > max) {
      throw SecretsManagerException.validation(
          "1 validation error detected: Value at '"
              + field
              + "' failed to satisfy constraint: Member must have length less than or equal to "
              + max);
    }
  }

  /** True when a string is a valid key of a Secret's data. */
  public static boolean isSecretKey(String key) {
    return SECRET_KEY.matcher(key).matches();
  }
}
