package dev.managedsecrets.operator.projection;

import dev.managedsecrets.api.v1alpha1.ManagedSecret;
import dev.managedsecrets.api.v1alpha1.TargetSpec;
import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.names.Names;
import dev.managedsecrets.core.projection.PreviousKeys;
import dev.managedsecrets.core.projection.Projection;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.value.SecretValue;
import dev.managedsecrets.operator.cache.Caches;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfig;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The projected native Secret as a dependent resource: {@link #desired} is what it should hold for
 * the ManagedSecret's AWSCURRENT version, {@link #match} tells whether the live one still does, and
 * java-operator-sdk writes only when it does not. Chosen against the framework's defaults, so that
 * the contract holds:
 *
 * <ul>
 *   <li>No server-side apply: a create is a plain POST, so a foreign Secret of the same name (which
 *       the label-selected informer never sees) answers 409 and is reported, never taken over.
 *   <li>{@link #match} compares the keyed checksum of the live Secret, so an idle reconcile neither
 *       builds the desired Secret nor decrypts: no write, no KMS call. The version is read (and
 *       decrypted) only in {@link #desired}, that is, only to write.
 *   <li>A Secret's type is immutable: a type change deletes and creates it; so does any change of
 *       an immutable Secret's data (target.immutable), and turning immutable on or off. When the
 *       create fails (a policy that refuses the new type), the old Secret is put back before the
 *       failure is reported, so its consumers miss it only for the moment of each attempt.
 *   <li>target.deletionPolicy Retain keeps the Secret when the ManagedSecret is deleted, unowned
 *       and without the operator's labels and annotations, annotated {@value
 *       Projection#RETAINED_FROM_ANNOTATION}: only a ManagedSecret of that name takes it back (on
 *       the 409 of its create); for any other it stays foreign.
 *   <li>A Secret whose owner opted in with {@value Projection#MERGE_FROM_ANNOTATION} naming this
 *       ManagedSecret gets the managed keys merged in, without an owner reference; its other keys,
 *       labels, annotations and type stay. The keys merged are recorded ({@value
 *       Projection#MANAGED_KEYS_ANNOTATION}) and the checksum covers only them, so an idle
 *       reconcile writes nothing; the operator's label puts it in the informer, which maps it by
 *       the annotation.
 *   <li>The in-memory API server has no garbage collector: Secrets under old target names, and all
 *       of them on cleanup, are deleted explicitly ({@link #deleteStale}, {@link #deleteAll}).
 * </ul>
 *
 * It is invoked by the reconciler after the store write ({@link #project}), never before.
 */
public final class ProjectedSecret extends KubernetesDependentResource<Secret, ManagedSecret>
    implements Creator<Secret, ManagedSecret>, Updater<Secret, ManagedSecret> {

  /** What {@link #project} did to the Secret. */
  public enum Outcome {
    /** It held the version already. */
    UNCHANGED,
    /** It did not exist: it was created. */
    CREATED,
    /** It held another version: it was updated to this one. */
    UPDATED,
    /** It held this version but had drifted (edited by hand): it was put back. */
    REPAIRED,
    /**
     * It held this version; the previous version's keys were added, or removed when their grace
     * period ended (target.previousValue).
     */
    PREVIOUS_CHANGED,
    /** A Secret that opted in (managedsecrets.dev/merge-from) got the managed keys merged in. */
    MERGED,
    /** A Secret retained from a ManagedSecret of this name was taken back. */
    ADOPTED
  }

  /**
   * What {@link #project} did, and why the previous version's keys were left out of the Secret when
   * they were (a message that names no key; null otherwise).
   */
  public record Projected(Outcome outcome, String previousLeftOut) {}

  /**
   * What to project: the ManagedSecret's names (as the reconcile derived them), the version, and
   * its plaintext when the reconcile has it already (else {@code read} decrypts it, only to write);
   * the previous version projected beside it (null: none), which {@code readPrevious} decrypts,
   * only to write.
   */
  public record Version(
      Names names,
      String versionId,
      Supplier<SecretValue> read,
      SecretValue fresh,
      Projection.Previous previous,
      Supplier<SecretValue> readPrevious) {

    public Version(Names names, String versionId, Supplier<SecretValue> read, SecretValue fresh) {
      this(names, versionId, read, fresh, null, null);
    }
  }

  private static final String VERSION = ProjectedSecret.class.getName() + ".version";
  private static final String OUTCOME = ProjectedSecret.class.getName() + ".outcome";
  private static final String LEFT_OUT = ProjectedSecret.class.getName() + ".previousLeftOut";

  private final Projection projection;
  private final OwnWrites ownWrites = new OwnWrites();

  public ProjectedSecret(Projection projection) {
    super(Secret.class, "projected-secret");
    this.projection = projection;
    // Plain create and update, whatever the framework's defaults are (see the class comment).
    configureWith(new KubernetesDependentResourceConfig<>(false, false, null));
  }

  /**
   * The informer of projected Secrets, which this dependent reads and fills: only Secrets this
   * operator manages (by label), compact, mapped to their ManagedSecret by owner reference. The
   * watch events of the operator's own writes are not changes to act on.
   */
  public InformerEventSource<Secret, ManagedSecret> eventSource(
      String name, EventSourceContext<ManagedSecret> context) {
    var config =
        InformerEventSourceConfiguration.from(Secret.class, ManagedSecret.class)
            .withName(name)
            .withLabelSelector(Projection.MANAGED_BY_LABEL + "=" + Projection.MANAGED_BY)
            .withSecondaryToPrimaryMapper(ProjectedSecret::primaries)
            .withItemStore(Caches.compact())
            .withOnAddFilter(secret -> !ownWrites.isOwn(secret))
            .withOnUpdateFilter((before, after) -> !ownWrites.isOwn(after))
            .build();
    InformerEventSource<Secret, ManagedSecret> source = new InformerEventSource<>(config, context);
    setEventSource(source);
    return source;
  }

  private static final SecondaryToPrimaryMapper<Secret> BY_OWNER =
      Mappers.fromOwnerReferences(ManagedSecret.class);

  /** The ManagedSecrets of a Secret: its owner, or the one it was merged from. */
  static Set<ResourceID> primaries(Secret secret) {
    String mergedFrom = annotation(secret, Projection.MERGE_FROM_ANNOTATION);
    if (mergedFrom == null) {
      return BY_OWNER.toPrimaryResourceIDs(secret);
    }
    Set<ResourceID> ids = new HashSet<>();
    if (secret.getMetadata().getOwnerReferences() != null) {
      ids.addAll(BY_OWNER.toPrimaryResourceIDs(secret));
    }
    ids.add(new ResourceID(mergedFrom, secret.getMetadata().getNamespace()));
    return ids;
  }

  /** Makes the projected Secret hold {@code version}; returns what that took. */
  public Projected project(ManagedSecret ms, Context<ManagedSecret> context, Version version) {
    var attributes = context.managedWorkflowAndDependentResourceContext();
    attributes.put(VERSION, version);
    attributes.put(OUTCOME, Outcome.UNCHANGED);
    attributes.put(LEFT_OUT, null);
    reconcile(ms, context);
    return new Projected(
        attributes.getMandatory(OUTCOME, Outcome.class),
        attributes.get(LEFT_OUT, String.class).orElse(null));
  }

  /** The live Secret under the target name, if this ManagedSecret projected it. */
  @Override
  public Optional<Secret> getSecondaryResource(ManagedSecret ms, Context<ManagedSecret> context) {
    String target = version(context).names().target();
    return eventSource().orElseThrow().getSecondaryResources(ms).stream()
        .filter(s -> target.equals(s.getMetadata().getName()))
        .findFirst();
  }

  @Override
  protected ResourceID targetSecondaryResourceID(ManagedSecret ms, Context<ManagedSecret> context) {
    Names names = version(context).names();
    return new ResourceID(names.target(), names.namespace());
  }

  /** Whether the live Secret holds the version as this spec projects it: no decryption. */
  @Override
  public Matcher.Result<Secret> match(
      Secret live, ManagedSecret ms, Context<ManagedSecret> context) {
    Version version = version(context);
    return Matcher.Result.nonComputed(upToDate(live, ms, version.versionId(), version.previous()));
  }

  /**
   * The Secret for the version (and the previous one beside it): the one place a version is read to
   * be projected.
   */
  @Override
  protected Secret desired(ManagedSecret ms, Context<ManagedSecret> context) {
    Version version = version(context);
    SecretValue value = version.fresh() != null ? version.fresh() : version.read().get();
    Map<String, byte[]> data;
    try {
      data = projection.project(value, ms.getSpec().target);
    } finally {
      if (value != version.fresh()) {
        value.clear();
      }
    }
    if (version.previous() != null) {
      String leftOut = addPrevious(data, ms, version);
      if (leftOut != null) {
        context.managedWorkflowAndDependentResourceContext().put(LEFT_OUT, leftOut);
      }
    }
    return desired(ms, version.names(), version.versionId(), version.previous(), data);
  }

  /**
   * Adds the previous version's projected keys, suffixed, to {@code data}; returns why they were
   * left out when they do not project under the current target (a template naming a key it lacks, a
   * key a Secret can't hold, too large beside the current data), else null. The Secret still says
   * which previous version it was meant to hold, so that it is up to date until the grace period
   * ends.
   *
   * @throws SecretsManagerException InvalidParameterException when a suffixed key collides with a
   *     current key (the key suffix is to be changed)
   */
  private String addPrevious(Map<String, byte[]> data, ManagedSecret ms, Version version) {
    Map<String, byte[]> previous;
    SecretValue value = version.readPrevious().get();
    try {
      previous = projection.project(value, ms.getSpec().target);
    } catch (SecretsManagerException e) {
      return "The previous version does not project under the current target: " + e.getMessage();
    } finally {
      value.clear();
    }
    Map<String, byte[]> suffixed =
        PreviousKeys.suffixed(data.keySet(), previous, version.previous().keySuffix());
    if (!PreviousKeys.fit(data, suffixed)) {
      return "The previous version's keys and the current version's together would be larger"
          + " than the 1048576 bytes of a Secret.";
    }
    data.putAll(suffixed);
    return null;
  }

  /** The Secret the operator wants for this ManagedSecret, version and data. */
  public Secret desired(ManagedSecret ms, String versionId, Map<String, byte[]> data) {
    return desired(ms, Names.of(ms), versionId, null, data);
  }

  /**
   * The Secret the operator wants for this ManagedSecret, version, previous version beside it and
   * data (the previous version's suffixed keys included).
   */
  public Secret desired(
      ManagedSecret ms, String versionId, Projection.Previous previous, Map<String, byte[]> data) {
    return desired(ms, Names.of(ms), versionId, previous, data);
  }

  private Secret desired(
      ManagedSecret ms,
      Names names,
      String versionId,
      Projection.Previous previous,
      Map<String, byte[]> data) {
    Map<String, String> encoded = new TreeMap<>();
    data.forEach((k, v) -> encoded.put(k, Base64.getEncoder().encodeToString(v)));
    Map<String, String> annotations = Projection.annotations(ms, versionId, previous);
    annotations.put(
        Projection.CHECKSUM_ANNOTATION, projection.checksum(ms, versionId, previous, encoded));
    return new SecretBuilder()
        .withNewMetadata()
        .withName(names.target())
        .withNamespace(names.namespace())
        .withLabels(Projection.labels(ms))
        .withAnnotations(annotations)
        .withOwnerReferences(ownerReference(ms))
        .endMetadata()
        .withType(Projection.type(ms))
        .withImmutable(Projection.immutable(ms) ? Boolean.TRUE : null)
        .withData(encoded)
        .build();
  }

  /**
   * Creates the Secret. When the name is taken (409: the cache has not seen our Secret yet, or it
   * is someone else's), reads what is there: ours is updated, a foreign one is refused.
   */
  @Override
  public Secret create(Secret desired, ManagedSecret ms, Context<ManagedSecret> context) {
    try {
      Secret created = ownWrites.write(desired, () -> super.create(desired, ms, context));
      outcome(context, Outcome.CREATED);
      return created;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      Secret live =
          context
              .getClient()
              .secrets()
              .inNamespace(desired.getMetadata().getNamespace())
              .withName(desired.getMetadata().getName())
              .get();
      if (live == null) {
        throw e; // deleted meanwhile: retried
      }
      if (!ownedBy(live, ms) && !mergedBy(live, ms) && !retainedFor(live, ms)) {
        throw notOurs(desired.getMetadata().getName());
      }
      Version version = version(context);
      return upToDate(live, ms, version.versionId(), version.previous())
          ? live
          : update(live, desired, ms, context);
    }
  }

  /**
   * Updates the Secret in place, or replaces it (delete and create under the same name) when the
   * update is one the API server refuses: another type (types are immutable), immutable turned on
   * or off, or other data in an immutable Secret.
   */
  @Override
  public Secret update(
      Secret live, Secret desired, ManagedSecret ms, Context<ManagedSecret> context) {
    if (mergedBy(live, ms)) {
      return merge(live, desired, ms, context);
    }
    Outcome outcome =
        retainedFor(live, ms)
            ? Outcome.ADOPTED
            : outcome(live, desired, version(context).versionId());
    Secret written;
    if (replaced(live, desired)) {
      context.getClient().resource(live).delete();
      try {
        written = ownWrites.write(desired, () -> super.create(desired, ms, context));
      } catch (RuntimeException e) {
        // The consumers keep the Secret they had: it is put back before the failure is reported.
        putBack(live, context, e);
        throw e;
      }
    } else {
      // Labels and annotations others added stay; ours, the owner and the data are set, and the
      // previous version's annotations go with its keys.
      Map<String, String> wanted = desired.getMetadata().getAnnotations();
      Map<String, String> annotations = new TreeMap<>();
      if (live.getMetadata().getAnnotations() != null) {
        annotations.putAll(live.getMetadata().getAnnotations());
      }
      PREVIOUS_ANNOTATIONS.forEach(annotations::remove);
      annotations.remove(Projection.RETAINED_FROM_ANNOTATION);
      annotations.putAll(wanted);
      Secret updated =
          new SecretBuilder(live)
              .editMetadata()
              .addToLabels(desired.getMetadata().getLabels())
              .withAnnotations(annotations)
              .withOwnerReferences(desired.getMetadata().getOwnerReferences())
              .endMetadata()
              .withData(desired.getData())
              .withStringData(null)
              .build();
      written =
          ownWrites.write(
              updated,
              () ->
                  context
                      .getClient()
                      .secrets()
                      .inNamespace(live.getMetadata().getNamespace())
                      .resource(updated)
                      .update());
    }
    outcome(context, outcome);
    return written;
  }

  /**
   * Merges the managed keys of {@code desired} into {@code live}, a Secret that opted in: the keys
   * merged before and no longer in the value go, the others stay; the Secret's type, owners and
   * other labels and annotations stay, the operator's are set.
   *
   * @throws SecretsManagerException InvalidParameterException when the ManagedSecret asks for what
   *     a merge can't give (another type, immutable, labels or annotations of its own), the Secret
   *     is immutable, or a key of the value is one of the Secret's own
   */
  private Secret merge(
      Secret live, Secret desired, ManagedSecret ms, Context<ManagedSecret> context) {
    String name = live.getMetadata().getName();
    TargetSpec target = ms.getSpec().target;
    if (target != null && target.type != null && !target.type.equals(live.getType())) {
      throw new UnmergeableSecretException(
          "Secret "
              + name
              + " is of type "
              + live.getType()
              + ": the keys merged into it can't make it "
              + target.type
              + ". Remove target.type or set it to the Secret's type.");
    }
    if (Projection.immutable(ms)) {
      throw new UnmergeableSecretException(
          "Secret "
              + name
              + " is merged into (managedsecrets.dev/merge-from), not replaced: remove"
              + " target.immutable.");
    }
    if (target != null
        && ((target.labels != null && !target.labels.isEmpty())
            || (target.annotations != null && !target.annotations.isEmpty()))) {
      throw new UnmergeableSecretException(
          "Secret "
              + name
              + " is merged into (managedsecrets.dev/merge-from): its labels and annotations are"
              + " its owner's. Remove target.labels and target.annotations.");
    }
    if (Boolean.TRUE.equals(live.getImmutable())) {
      throw new UnmergeableSecretException(
          "Secret " + name + " is immutable: no keys can be merged into it.");
    }
    Set<String> before = managedKeys(live);
    Map<String, String> data = new TreeMap<>(data(live));
    before.forEach(data::remove);
    long taken = desired.getData().keySet().stream().filter(data::containsKey).count();
    if (taken > 0) {
      // Key names are part of the value: the message counts, it does not name them.
      throw new UnmergeableSecretException(
          taken
              + " of the "
              + desired.getData().size()
              + " keys to merge into Secret "
              + name
              + " are keys of its own, which the operator does not overwrite. Remove them from"
              + " the Secret or from the value.");
    }
    data.putAll(desired.getData());
    Map<String, String> annotations = new TreeMap<>();
    if (live.getMetadata().getAnnotations() != null) {
      annotations.putAll(live.getMetadata().getAnnotations());
    }
    PREVIOUS_ANNOTATIONS.forEach(annotations::remove);
    annotations.putAll(desired.getMetadata().getAnnotations());
    annotations.put(
        Projection.MANAGED_KEYS_ANNOTATION,
        String.join(",", new TreeSet<>(desired.getData().keySet())));
    Outcome outcome =
        annotation(live, Projection.CHECKSUM_ANNOTATION) == null
            ? Outcome.MERGED
            : outcome(live, desired, version(context).versionId());
    Secret merged =
        new SecretBuilder(live)
            .editMetadata()
            .addToLabels(desired.getMetadata().getLabels())
            .withAnnotations(annotations)
            .endMetadata()
            .withData(data)
            .withStringData(null)
            .build();
    Secret written = ownWrites.write(merged, () -> context.getClient().resource(merged).update());
    outcome(context, outcome);
    return written;
  }

  /** The keys the operator merged into a Secret, as recorded on it. */
  static Set<String> managedKeys(Secret secret) {
    String keys = annotation(secret, Projection.MANAGED_KEYS_ANNOTATION);
    Set<String> out = new TreeSet<>();
    if (keys != null) {
      for (String k : keys.split(",")) {
        if (!k.isEmpty()) {
          out.add(k);
        }
      }
    }
    return out;
  }

  /** The managed keys of a merged Secret's data. */
  private static Map<String, String> managedData(Secret secret) {
    Map<String, String> out = new TreeMap<>();
    Map<String, String> data = data(secret);
    for (String k : managedKeys(secret)) {
      if (data.containsKey(k)) {
        out.put(k, data.get(k));
      }
    }
    return out;
  }

  /** Whether {@code live} can't be updated to {@code desired} in place: it is replaced. */
  static boolean replaced(Secret live, Secret desired) {
    boolean liveImmutable = Boolean.TRUE.equals(live.getImmutable());
    return !Objects.equals(live.getType(), desired.getType())
        || liveImmutable != Boolean.TRUE.equals(desired.getImmutable())
        || (liveImmutable && !Objects.equals(data(live), data(desired)));
  }

  private static Map<String, String> data(Secret secret) {
    return secret.getData() == null ? Map.of() : secret.getData();
  }

  private static final List<String> PREVIOUS_ANNOTATIONS =
      List.of(Projection.PREVIOUS_VERSION_ANNOTATION, Projection.PREVIOUS_UNTIL_ANNOTATION);

  /**
   * What an update of {@code live} to {@code desired} is: another version; the same version with
   * the previous version's keys added or removed; or the same version put back.
   */
  private static Outcome outcome(Secret live, Secret desired, String versionId) {
    if (!Objects.equals(versionOf(live), versionId)) {
      return Outcome.UPDATED;
    }
    for (String key : PREVIOUS_ANNOTATIONS) {
      if (!Objects.equals(annotation(live, key), annotation(desired, key))) {
        return Outcome.PREVIOUS_CHANGED;
      }
    }
    return Outcome.REPAIRED;
  }

  /** Creates {@code live} again as it was, after a replacement of it failed. */
  private void putBack(Secret live, Context<ManagedSecret> context, RuntimeException failure) {
    Secret again =
        new SecretBuilder(live)
            .editMetadata()
            .withResourceVersion(null)
            .withUid(null)
            .withCreationTimestamp(null)
            .withManagedFields()
            .endMetadata()
            .build();
    try {
      ownWrites.write(again, () -> context.getClient().resource(again).create());
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /** Nothing of the framework's own: the desired Secret carries every label and reference. */
  @Override
  protected void addMetadata(
      boolean forMatch, Secret actual, Secret target, ManagedSecret ms, Context<ManagedSecret> c) {}

  /**
   * Deletes the Secrets this ManagedSecret projected under a target name it no longer uses, and
   * takes its keys out of those it merged into.
   */
  public void deleteStale(ManagedSecret ms, Names names, Context<ManagedSecret> context) {
    for (Secret s : eventSource().orElseThrow().getSecondaryResources(ms)) {
      if (s.getMetadata().getName().equals(names.target())) {
        continue;
      }
      if (ownedBy(s, ms)) {
        context.getClient().resource(s).delete();
      } else if (mergedBy(s, ms)) {
        release(ms, s.getMetadata().getName(), names.namespace(), false, context);
      }
    }
  }

  /**
   * Releases every Secret this ManagedSecret projected or merged into (it is being deleted), as
   * target.deletionPolicy says: Delete deletes those it owns and takes its keys out of those it
   * merged into; Retain keeps both, without its owner reference, labels and annotations (an owned
   * one annotated {@value Projection#RETAINED_FROM_ANNOTATION}).
   */
  public void releaseAll(ManagedSecret ms, Names names, Context<ManagedSecret> context) {
    boolean retain = Projection.retained(ms);
    Set<String> released = new TreeSet<>();
    for (Secret s : eventSource().orElseThrow().getSecondaryResources(ms)) {
      if (ownedBy(s, ms) || mergedBy(s, ms)) {
        released.add(s.getMetadata().getName());
      }
    }
    // The target may be missing from the cache (just created by another replica): looked up too.
    released.add(names.target());
    for (String name : released) {
      release(ms, name, names.namespace(), retain, context);
    }
  }

  /** Releases the Secret {@code name} as it is now, if it is this ManagedSecret's. */
  private void release(
      ManagedSecret ms, String name, String namespace, boolean retain, Context<ManagedSecret> c) {
    Secret live = c.getClient().secrets().inNamespace(namespace).withName(name).get();
    if (live == null) {
      return;
    }
    boolean owned = ownedBy(live, ms);
    if (!owned && !(mergedBy(live, ms) && managedByUs(live))) {
      return;
    }
    if (owned && !retain) {
      c.getClient().resource(live).delete();
      return;
    }
    Map<String, String> labels = new TreeMap<>();
    if (live.getMetadata().getLabels() != null) {
      labels.putAll(live.getMetadata().getLabels());
    }
    labels.remove(Projection.MANAGED_BY_LABEL);
    labels.remove(Projection.SECRET_NAME_LABEL);
    Map<String, String> annotations = new TreeMap<>();
    if (live.getMetadata().getAnnotations() != null) {
      annotations.putAll(live.getMetadata().getAnnotations());
    }
    OPERATOR_ANNOTATIONS.forEach(annotations::remove);
    Map<String, String> data = new TreeMap<>(data(live));
    if (owned) {
      annotations.put(Projection.RETAINED_FROM_ANNOTATION, ms.getMetadata().getName());
    } else if (!retain) {
      managedKeys(live).forEach(data::remove);
      annotations.remove(Projection.MANAGED_KEYS_ANNOTATION);
    } // else the record stays: a ManagedSecret of this name merging again takes its keys back
    Secret released =
        new SecretBuilder(live)
            .editMetadata()
            .withLabels(labels)
            .withAnnotations(annotations)
            .withOwnerReferences(
                live.getMetadata().getOwnerReferences() == null
                    ? List.of()
                    : live.getMetadata().getOwnerReferences().stream()
                        .filter(r -> !Objects.equals(r.getUid(), ms.getMetadata().getUid()))
                        .toList())
            .endMetadata()
            .withData(data)
            .withStringData(null)
            .build();
    c.getClient().resource(released).update();
  }

  /** The annotations the operator sets on a Secret, besides the record of merged keys. */
  private static final List<String> OPERATOR_ANNOTATIONS =
      List.of(
          Projection.VERSION_ANNOTATION,
          Projection.CHECKSUM_ANNOTATION,
          Projection.TAGS_ANNOTATION,
          Projection.PREVIOUS_VERSION_ANNOTATION,
          Projection.PREVIOUS_UNTIL_ANNOTATION);

  /**
   * True when the live Secret holds exactly what was projected for this version and spec: its
   * checksum covers the version, the target's shape and the data as it is now.
   */
  public boolean upToDate(Secret live, ManagedSecret ms, String versionId) {
    return upToDate(live, ms, versionId, null);
  }

  /**
   * True when the live Secret holds exactly what was projected for this version, with this previous
   * version beside it (null: none), and spec. Nothing is decrypted to tell.
   */
  public boolean upToDate(
      Secret live, ManagedSecret ms, String versionId, Projection.Previous previous) {
    Map<String, String> liveAnnotations = live.getMetadata().getAnnotations();
    if (liveAnnotations == null) {
      return false;
    }
    // A merged Secret: the checksum covers the keys merged in, and the type is the Secret's own.
    boolean merged = mergedBy(live, ms);
    String expected =
        projection.checksum(
            ms, versionId, previous, merged ? managedData(live) : new TreeMap<>(data(live)));
    TargetSpec target = ms.getSpec().target;
    return KeyedHash.same(expected, liveAnnotations.get(Projection.CHECKSUM_ANNOTATION))
        && (merged
            ? target == null || target.type == null || target.type.equals(live.getType())
            : Objects.equals(Projection.type(ms), live.getType()))
        && Projection.immutable(ms) == (!merged && Boolean.TRUE.equals(live.getImmutable()))
        && containsAll(live.getMetadata().getLabels(), Projection.labels(ms))
        && containsAll(liveAnnotations, Projection.annotations(ms, versionId, previous))
        && (previous != null
            || PREVIOUS_ANNOTATIONS.stream().noneMatch(liveAnnotations::containsKey))
        && (merged || ownedBy(live, ms));
  }

  /**
   * True when the Secret opted in to the keys of this ManagedSecret ({@value
   * Projection#MERGE_FROM_ANNOTATION} names it) and is not its own.
   */
  public static boolean mergedBy(Secret secret, ManagedSecret ms) {
    return !ownedBy(secret, ms)
        && ms.getMetadata().getName().equals(annotation(secret, Projection.MERGE_FROM_ANNOTATION));
  }

  /**
   * True when the Secret was retained from a ManagedSecret of this one's name ({@value
   * Projection#RETAINED_FROM_ANNOTATION}) and has no controller now: this one may take it back.
   */
  public static boolean retainedFor(Secret secret, ManagedSecret ms) {
    return ms.getMetadata()
            .getName()
            .equals(annotation(secret, Projection.RETAINED_FROM_ANNOTATION))
        && (secret.getMetadata().getOwnerReferences() == null
            || secret.getMetadata().getOwnerReferences().stream()
                .noneMatch(r -> Boolean.TRUE.equals(r.getController())));
  }

  /** True when the Secret has this ManagedSecret as its controller. */
  public static boolean ownedBy(Secret secret, ManagedSecret ms) {
    return secret.getMetadata().getOwnerReferences() != null
        && secret.getMetadata().getOwnerReferences().stream()
            .anyMatch(
                r ->
                    Boolean.TRUE.equals(r.getController())
                        && Objects.equals(r.getUid(), ms.getMetadata().getUid()));
  }

  /** True when the Secret says it is managed by this operator, whoever its owner is. */
  public static boolean managedByUs(Secret secret) {
    Map<String, String> labels = secret.getMetadata().getLabels();
    return labels != null && Projection.MANAGED_BY.equals(labels.get(Projection.MANAGED_BY_LABEL));
  }

  static OwnerReference ownerReference(ManagedSecret ms) {
    return new OwnerReferenceBuilder()
        .withApiVersion(ms.getApiVersion())
        .withKind(ms.getKind())
        .withName(ms.getMetadata().getName())
        .withUid(ms.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  private static String versionOf(Secret secret) {
    return annotation(secret, Projection.VERSION_ANNOTATION);
  }

  private static String annotation(Secret secret, String key) {
    Map<String, String> annotations = secret.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  private static Version version(Context<ManagedSecret> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .getMandatory(VERSION, Version.class);
  }

  private static void outcome(Context<ManagedSecret> context, Outcome outcome) {
    context.managedWorkflowAndDependentResourceContext().put(OUTCOME, outcome);
  }

  /**
   * The target name is held by a Secret this ManagedSecret does not own: nothing is written until
   * that Secret is gone (which the label-selected informer does not see: look again later).
   */
  public static final class ForeignSecretException extends SecretsManagerException {
    ForeignSecretException(String message) {
      super(AwsError.RESOURCE_EXISTS_EXCEPTION, message);
    }
  }

  /**
   * A Secret that opted in to a merge can't take it as the ManagedSecret asks (InvalidParameter):
   * nothing is written; looked at again later, as the Secret may change without an event.
   */
  public static final class UnmergeableSecretException extends SecretsManagerException {
    UnmergeableSecretException(String message) {
      super(AwsError.INVALID_PARAMETER_EXCEPTION, message);
    }
  }

  private static SecretsManagerException notOurs(String name) {
    return new ForeignSecretException(
        "Secret "
            + name
            + " already exists and is not managed by this ManagedSecret. The operator never"
            + " overwrites or adopts a Secret it does not own: delete that Secret, set"
            + " target.name to another name, or have the Secret's owner annotate it"
            + " managedsecrets.dev/merge-from with this ManagedSecret's name to have the keys"
            + " merged into it.");
  }

  private static boolean containsAll(Map<String, String> live, Map<String, String> wanted) {
    if (live == null) {
      return wanted.isEmpty();
    }
    for (Map.Entry<String, String> e : wanted.entrySet()) {
      if (!Objects.equals(live.get(e.getKey()), e.getValue())) {
        return false;
      }
    }
    return true;
  }
}
