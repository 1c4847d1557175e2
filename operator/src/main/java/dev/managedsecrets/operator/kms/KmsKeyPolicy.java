package dev.managedsecrets.operator.kms;

import dev.managedsecrets.api.v1alpha1.KmsKey;
import dev.managedsecrets.api.v1alpha1.KmsKeySpec;
import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.core.secret.SecretsManagerException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of KmsKey resources, as pure functions: what a reference names, who may use a key,
 * which key holds an alias, the key's state, and when its material rotates. No I/O.
 */
public final class KmsKeyPolicy {

  /** Any new value of this annotation on a KmsKey rotates its material once. */
  public static final String ROTATE_ANNOTATION = "managedsecrets.dev/rotate-key";

  /** The longest value of {@link #ROTATE_ANNOTATION}; a longer one is refused unread. */
  public static final int MAX_ROTATE_REQUEST_LENGTH = 256;

  /** Rotations on request in a key's life, as AWS KMS allows RotateKeyOnDemand. */
  public static final int MAX_ON_DEMAND_ROTATIONS = 25;

  /**
   * The longest KmsKey namespace and name, as Kubernetes allows them (a DNS label, a DNS
   * subdomain): the keyring records the key under namespace/name, at most 317 characters.
   */
  public static final int MAX_NAMESPACE_LENGTH = 63;

  public static final int MAX_NAME_LENGTH = 253;

  public static final int DEFAULT_ROTATION_PERIOD_DAYS = 365;
  public static final int DEFAULT_PENDING_WINDOW_DAYS = 30;

  private static final Pattern ALIAS = Pattern.compile("alias/[a-zA-Z0-9/_-]{1,250}");
  private static final Pattern KEY_ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /** What a kmsKeyId names. */
  public enum Reference {
    /** alias/...: an alias of a KmsKey in the ManagedSecret's namespace (or the default key). */
    ALIAS,
    /** arn:...: a key ARN, of a key in any namespace. */
    ARN,
    /** A key id (a UUID), of a key in any namespace. */
    KEY_ID,
    /** Anything else: the name of a KmsKey in the ManagedSecret's namespace. */
    NAME
  }

  private KmsKeyPolicy() {}

  public static Reference kind(String reference) {
    if (reference.startsWith("alias/")) {
      return Reference.ALIAS;
    }
    if (reference.startsWith("arn:")) {
      return Reference.ARN;
    }
    if (KEY_ID.matcher(reference).matches()) {
      return Reference.KEY_ID;
    }
    return Reference.NAME;
  }

  /** The namespace/name a KmsKey is recorded under in the keyring. */
  public static String owner(KmsKey key) {
    return owner(key.getMetadata().getNamespace(), key.getMetadata().getName());
  }

  public static String owner(String namespace, String name) {
    return namespace + "/" + name;
  }

  public static String ownerNamespace(String owner) {
    return owner.substring(0, owner.indexOf('/'));
  }

  public static boolean enabled(KmsKey key) {
    return spec(key).enabled == null || spec(key).enabled;
  }

  public static int rotationPeriodInDays(KmsKey key) {
    Integer days = spec(key).rotationPeriodInDays;
    return days == null ? DEFAULT_ROTATION_PERIOD_DAYS : days;
  }

  /**
   * The digest of the rotate-key annotation's value ({@link Keyring#requestDigest}), or null
   * without one: what the keyring records of a request, and what tells a new request from one
   * handled.
   *
   * @throws SecretsManagerException InvalidParameterException when the value is longer than {@link
   *     #MAX_ROTATE_REQUEST_LENGTH}
   */
  public static String rotationRequest(KmsKey key) {
    String value = rotateAnnotation(key);
    return value == null ? null : Keyring.requestDigest(value);
  }

  public static int pendingWindowInDays(KmsKey key) {
    Integer days = spec(key).pendingWindowInDays;
    return days == null ? DEFAULT_PENDING_WINDOW_DAYS : days;
  }

  /**
   * The namespaces that may use a key: its own, and those its spec lists. Its own namespace is
   * always allowed: whoever may create the KmsKey may create ManagedSecrets beside it anyway.
   */
  public static Set<String> allowedNamespaces(KmsKey key) {
    Set<String> out = new LinkedHashSet<>();
    out.add(key.getMetadata().getNamespace());
    if (spec(key).allowedNamespaces != null) {
      out.addAll(spec(key).allowedNamespaces);
    }
    return out;
  }

  /**
   * What the CRD's schema and CEL rules refuse at apply time, checked again for objects that did
   * not pass through them, and the provider, which only the operator knows.
   *
   * @throws SecretsManagerException ValidationException or InvalidParameterException
   */
  public static void validate(KmsKey key, Set<String> providers) {
    length("metadata.namespace", key.getMetadata().getNamespace(), MAX_NAMESPACE_LENGTH);
    length("metadata.name", key.getMetadata().getName(), MAX_NAME_LENGTH);
    rotateAnnotation(key);
    KmsKeySpec spec = spec(key);
    length("description", spec.description, 8192);
    if (spec.aliases != null) {
      for (String alias : spec.aliases) {
        if (alias == null || !ALIAS.matcher(alias).matches()) {
          throw SecretsManagerException.validation(
              "Alias "
                  + alias
                  + " is not valid: an alias is alias/ followed by 1-250 of letters, digits and"
                  + " /_-.");
        }
        if (ProviderKms.DEFAULT_ALIAS.equals(alias)) {
          throw SecretsManagerException.invalidParameter(
              "Alias "
                  + ProviderKms.DEFAULT_ALIAS
                  + " is reserved for the operator's default key: choose another alias.");
        }
      }
    }
    range("rotationPeriodInDays", spec.rotationPeriodInDays, 90, 2560);
    range("pendingWindowInDays", spec.pendingWindowInDays, 7, 30);
    if (spec.provider != null && !providers.contains(spec.provider)) {
      throw SecretsManagerException.invalidParameter(
          "Provider "
              + spec.provider
              + " is not configured on the operator; configured providers: "
              + String.join(", ", providers.stream().sorted().toList())
              + ".");
    }
  }

  /**
   * The KmsKey of a namespace that holds an alias: the oldest live one that claims it (by creation
   * time, then name), as the older ManagedSecret keeps a secret name. Keys being deleted release
   * their aliases.
   */
  public static Optional<KmsKey> aliasHolder(Collection<KmsKey> namespaceKeys, String alias) {
    return namespaceKeys.stream()
        .filter(k -> k.getMetadata().getDeletionTimestamp() == null)
        .filter(k -> spec(k).aliases != null && spec(k).aliases.contains(alias))
        .min(OLDEST_FIRST);
  }

  /** The aliases of a key that it holds, in its spec's order. */
  public static List<String> heldAliases(KmsKey key, Collection<KmsKey> namespaceKeys) {
    return aliases(key).stream()
        .filter(a -> aliasHolder(namespaceKeys, a).map(h -> same(h, key)).orElse(false))
        .toList();
  }

  /** The aliases a key claims that an older key of its namespace holds, with their holder. */
  public static Map<String, KmsKey> aliasConflicts(KmsKey key, Collection<KmsKey> namespaceKeys) {
    Map<String, KmsKey> out = new LinkedHashMap<>();
    for (String alias : aliases(key)) {
      aliasHolder(namespaceKeys, alias)
          .filter(h -> !same(h, key))
          .ifPresent(holder -> out.put(alias, holder));
    }
    return out;
  }

  /**
   * The state a key is in now. While its KmsKey exists, the spec says Enabled or Disabled (even
   * over a recorded pending deletion: the KmsKey was re-created inside the window, which cancels
   * it); a KmsKey being deleted makes it PendingDeletion; without a KmsKey the keyring's record
   * holds. A pending deletion whose window has passed is never cancelled.
   *
   * @param resource the live KmsKey of the key's owner, or null when there is none
   */
  public static KeyState state(Keyring.OwnedKey key, KmsKey resource, Instant now) {
    boolean windowOver =
        key.state() == KeyState.PENDING_DELETION
            && key.deletionDate() != null
            && !key.deletionDate().isAfter(now);
    if (resource == null || windowOver) {
      return key.state();
    }
    if (resource.getMetadata().getDeletionTimestamp() != null) {
      return KeyState.PENDING_DELETION;
    }
    return enabled(resource) ? KeyState.ENABLED : KeyState.DISABLED;
  }

  /**
   * When the key's material rotates next on its own: a rotation period after automatic rotation was
   * turned on or last rotated the key; null while it is off. Rotations on request (the annotation)
   * do not move it, as in AWS KMS.
   */
  public static Instant nextRotation(Keyring.OwnedKey key, KmsKey resource) {
    if (!Boolean.TRUE.equals(spec(resource).enableKeyRotation) || key.rotationStart() == null) {
      return null;
    }
    return key.rotationStart().plus(Duration.ofDays(rotationPeriodInDays(resource)));
  }

  public static boolean rotationDue(Keyring.OwnedKey key, KmsKey resource, Instant now) {
    Instant next = nextRotation(key, resource);
    return next != null && !next.isAfter(now);
  }

  /**
   * True when a ManagedSecret uses the key: its AWSCURRENT version is sealed under it
   * (status.kmsKeyId), or its kmsKeyId names it (an alias or name of the key's namespace, its key
   * id or ARN).
   *
   * @param aliases the aliases the key holds
   */
  public static boolean uses(
      ManagedSecret ms, KmsKey key, String keyId, String arn, Collection<String> aliases) {
    if (ms.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    if (arn != null && ms.getStatus() != null && arn.equals(ms.getStatus().kmsKeyId)) {
      return true;
    }
    String reference = ms.getSpec() == null ? null : ms.getSpec().kmsKeyId;
    if (reference == null) {
      return false;
    }
    boolean sameNamespace =
        key.getMetadata().getNamespace().equals(ms.getMetadata().getNamespace());
    return switch (kind(reference)) {
      case ALIAS -> sameNamespace && aliases.contains(reference);
      case NAME -> sameNamespace && reference.equals(key.getMetadata().getName());
      case KEY_ID -> reference.equals(keyId);
      case ARN -> reference.equals(arn);
    };
  }

  /** At most this many ManagedSecrets are listed in status.usedBy. */
  public static final int USED_BY_LIMIT = 50;

  /** namespace/name of the ManagedSecrets, sorted, at most {@link #USED_BY_LIMIT}. */
  public static List<String> usedBy(Collection<ManagedSecret> users) {
    List<String> names = new ArrayList<>();
    for (ManagedSecret ms : users) {
      names.add(owner(ms.getMetadata().getNamespace(), ms.getMetadata().getName()));
    }
    names.sort(Comparator.naturalOrder());
    return names.size() > USED_BY_LIMIT ? names.subList(0, USED_BY_LIMIT) : names;
  }

  private static final Comparator<KmsKey> OLDEST_FIRST =
      Comparator.comparing(
              (KmsKey k) ->
                  k.getMetadata().getCreationTimestamp() == null
                      ? Instant.MAX
                      : Instant.parse(k.getMetadata().getCreationTimestamp()))
          .thenComparing(k -> k.getMetadata().getName());

  private static boolean same(KmsKey a, KmsKey b) {
    return a.getMetadata().getName().equals(b.getMetadata().getName())
        && a.getMetadata().getNamespace().equals(b.getMetadata().getNamespace());
  }

  private static List<String> aliases(KmsKey key) {
    return spec(key).aliases == null ? List.of() : spec(key).aliases;
  }

  private static KmsKeySpec spec(KmsKey key) {
    return key.getSpec() == null ? new KmsKeySpec() : key.getSpec();
  }

  /** The rotate-key annotation's value, refused by its length alone when it is too long. */
  private static String rotateAnnotation(KmsKey key) {
    Map<String, String> annotations = key.getMetadata().getAnnotations();
    String value = annotations == null ? null : annotations.get(ROTATE_ANNOTATION);
    if (value != null && value.length() > MAX_ROTATE_REQUEST_LENGTH) {
      throw SecretsManagerException.invalidParameter(
          "The annotation "
              + ROTATE_ANNOTATION
              + " is "
              + value.length()
              + " characters long; at most "
              + MAX_ROTATE_REQUEST_LENGTH
              + " are allowed. The key is not rotated: set a short value, such as a date or a"
              + " counter.");
    }
    return value;
  }

  private static void length(String field, String value, int max) {
    if (value != null && value.length() > max) {
      throw SecretsManagerException.validation(
          "1 validation error detected: Value at '"
              + field
              + "' failed to satisfy constraint: Member must have length less than or equal to "
              + max);
    }
  }

  private static void range(String field, Integer value, int min, int max) {
    if (value != null && (value < min || value > max)) {
      throw SecretsManagerException.validation(
          "1 validation error detected: Value at '"
              + field
              + "' failed to satisfy constraint: Member must have value between "
              + min
              + " and "
              + max);
    }
  }
}
