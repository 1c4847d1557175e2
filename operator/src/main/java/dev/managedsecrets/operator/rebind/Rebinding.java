package dev.managedsecrets.operator.rebind;

import dev.managedsecrets.core.crypto.KeyedHash;
import dev.managedsecrets.core.crypto.RecordMac;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.operator.kms.Keyring;
import dev.managedsecrets.operator.kms.KmsKeyPolicy;
import dev.managedsecrets.operator.store.AuthenticatedSecretStore;
import dev.managedsecrets.operator.store.SecretStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An administrator's re-binding of the stored secrets and KMS keys of one namespace incarnation to
 * another: after a backup was restored on a rebuilt cluster (where every namespace has a new uid),
 * or to give a namespace made again the secrets of the one that was deleted. Re-bound records and
 * keys keep everything (ARN, versions, generated values, key ids and material); only the
 * incarnation that holds them changes, so the ManagedSecrets and KmsKeys of the namespace as it is
 * now take them at their next reconcile, as their own. A name or KmsKey for which the new
 * incarnation already has a record or key of its own is left as it is, and reported. Records are
 * read and written as the operator does, authenticated under the keyring's key ({@link
 * AuthenticatedSecretStore}).
 */
public final class Rebinding {

  /** What a re-binding did, or would do: one line per record or key, without any secret byte. */
  public record Result(List<String> rebound, List<String> conflicts) {}

  /** An incarnation of a namespace that the store or the keyring knows. */
  public record Incarnation(String namespace, String uid, int secrets, int keys) {}

  private final SecretStore store;
  private final Keyring keyring;

  /**
   * @param store the operator's store
   * @param keyring the operator's keyring, whose hash key authenticates the store's records
   */
  public Rebinding(SecretStore store, Keyring keyring) {
    this.keyring = Objects.requireNonNull(keyring, "keyring");
    this.store =
        new AuthenticatedSecretStore(store, new RecordMac(new KeyedHash(keyring.hashKey())));
  }

  /** Every incarnation the store and the keyring know, by namespace and uid (none: "-"). */
  public List<Incarnation> incarnations() {
    Map<List<String>, int[]> counts =
        new TreeMap<>((a, b) -> String.join("\n", a).compareTo(String.join("\n", b)));
    for (StoredSecret s : store.list()) {
      counts.computeIfAbsent(key(s.id().namespace(), s.namespaceUid()), k -> new int[2])[0]++;
    }
    for (Keyring.OwnedKey k : keyring.ownedKeys()) {
      String namespace = KmsKeyPolicy.ownerNamespace(k.owner());
      counts.computeIfAbsent(key(namespace, k.namespaceUid()), x -> new int[2])[1]++;
    }
    List<Incarnation> out = new ArrayList<>();
    counts.forEach((k, c) -> out.add(new Incarnation(k.get(0), k.get(1), c[0], c[1])));
    return out;
  }

  /**
   * Re-binds what the incarnation {@code fromUid} of {@code namespace} holds to the incarnation
   * {@code toUid}; with {@code dryRun}, only says what it would do.
   */
  public Result rebind(String namespace, String fromUid, String toUid, boolean dryRun) {
    Objects.requireNonNull(fromUid, "fromUid");
    Objects.requireNonNull(toUid, "toUid");
    List<String> rebound = new ArrayList<>();
    List<String> conflicts = new ArrayList<>();
    for (StoredSecret s : store.list()) {
      if (!s.id().namespace().equals(namespace) || !s.heldBy(fromUid)) {
        continue;
      }
      String what = "secret " + s.id().name() + " (" + s.arn() + ")";
      StoredSecret own =
          store.findByName(s.id()).stream().filter(r -> r.heldBy(toUid)).findFirst().orElse(null);
      if (own != null) {
        conflicts.add(left(what, namespace, toUid, "secret of that name (" + own.arn() + ")"));
        continue;
      }
      if (!dryRun) {
        store.update(s.withNamespaceUid(toUid));
      }
      rebound.add("Re-bound " + what);
    }
    for (Keyring.OwnedKey k : keyring.ownedKeys()) {
      if (!KmsKeyPolicy.ownerNamespace(k.owner()).equals(namespace)
          || !fromUid.equals(k.namespaceUid())) {
        continue;
      }
      String what = "KMS key " + k.keyId() + " of KmsKey " + k.owner();
      boolean own =
          keyring.ownedKeys().stream()
              .anyMatch(o -> o.owner().equals(k.owner()) && toUid.equals(o.namespaceUid()));
      if (own) {
        conflicts.add(left(what, namespace, toUid, "key for that KmsKey"));
        continue;
      }
      if (!dryRun) {
        keyring.updateOwnedKey(k.keyId(), o -> o.withNamespaceUid(toUid));
      }
      rebound.add("Re-bound " + what);
    }
    return new Result(rebound, conflicts);
  }

  /**
   * Accepts the records of a store restored from a backup over newer ones (on the cluster the
   * backup was taken from, whose ManagedSecrets remember newer records): each record older than the
   * freshness anchor of its ARN (what the ManagedSecret's status last saw), or without the MAC the
   * anchor says it had, is written again with a sequence number past the anchor, so that the
   * ManagedSecret takes it as it is at its next reconcile. Records whose MAC fails stay refused
   * (the store leaves them out of its list, with a warning); the others are left as they are.
   *
   * @param anchors the anchors of the cluster's ManagedSecrets: ARN to status.recordSequence
   */
  public Result acceptRestored(Map<String, Long> anchors, boolean dryRun) {
    List<String> accepted = new ArrayList<>();
    for (StoredSecret s : store.list()) {
      Long anchor = anchors.get(s.arn());
      if (anchor == null || (s.authenticated() && s.sequence() >= anchor)) {
        continue;
      }
      if (!dryRun) {
        store.update(s.withSeal(anchor, s.mac()));
      }
      accepted.add(
          "Accepted the restored record of secret "
              + s.id().name()
              + " ("
              + s.arn()
              + "): sequence "
              + s.sequence()
              + ", its ManagedSecret last saw "
              + anchor);
    }
    return new Result(accepted, List.of());
  }

  private static String left(String what, String namespace, String uid, String own) {
    return "Left " + what + ": namespace " + namespace + " (uid " + uid + ") has its own " + own;
  }

  private static List<String> key(String namespace, String uid) {
    return List.of(namespace, uid == null ? "-" : uid);
  }
}
