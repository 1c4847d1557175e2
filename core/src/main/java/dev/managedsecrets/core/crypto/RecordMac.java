package dev.managedsecrets.core.crypto;

import dev.managedsecrets.core.secret.KeptMetadata;
import dev.managedsecrets.core.secret.SpecGeneration;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The MAC of a store record: HMAC-SHA256, under a key derived from the keyring's hash key, over the
 * record's identity (its id in the store, ARN, holding incarnation, owner), its dates, its sequence
 * number, every version it lists with its staging labels, KMS key ARN and keyed hashes, and the
 * ManagedSecret uid and spec generation that last wrote it ({@link StoredSecret#specGeneration}: a
 * record that carries one is hashed under its own domain label, so records written before it keep
 * the MAC they have and no field can be dropped without the MAC failing), and the description and
 * tags a record keeps while it is scheduled for deletion ({@link StoredSecret#kept}, under a domain
 * of its own for the same reason). Whoever can write the store but does not hold the keyring can't
 * change any of it, or move a record to another id, without the MAC failing; the sequence number
 * lets a newer record be told from an older one that is authentic too (the freshness anchor, which
 * lives outside the store, holds the newest the operator saw).
 *
 * <p>Not covered: the store's bookkeeping of where and how large each envelope is (the revision,
 * each version's envelope size and envelope revision), which the store sets itself; each envelope
 * is authenticated on its own (format 2 binds it to the record). Times count to the microsecond,
 * what every store keeps.
 */
public final class RecordMac {

  static final String KEY_LABEL = "managedsecrets record mac v1";
  private static final String DOMAIN = "managedsecrets record v1";

  /** The domain of a record that carries the spec generation that wrote it. */
  private static final String DOMAIN_WITH_SPEC = "managedsecrets record v2";

  /** The domain of a record that keeps a deleted ManagedSecret's description and tags. */
  private static final String DOMAIN_WITH_KEPT = "managedsecrets record v3";

  private static final byte[] NULL = new byte[0];

  private final KeyedHash mac;

  /** A record MAC under the key derived from the keyring's hash key. */
  public RecordMac(KeyedHash hashKey) {
    this.mac = hashKey.derive(KEY_LABEL);
  }

  /** The record at {@code sequence}, with its MAC. */
  public StoredSecret seal(StoredSecret record, long sequence) {
    return record.withSeal(sequence, mac(record, sequence));
  }

  /** True when the record carries a MAC and it is the record's, at the sequence it carries. */
  public boolean verifies(StoredSecret record) {
    return record.authenticated() && KeyedHash.same(record.mac(), mac(record, record.sequence()));
  }

  private String mac(StoredSecret r, long sequence) {
    List<byte[]> parts = new ArrayList<>();
    add(parts, r.id().namespace(), r.id().name(), r.id().incarnation());
    add(parts, r.arn(), r.namespaceUid(), r.ownerName(), r.ownerUid());
    add(parts, time(r.createdDate()), time(r.lastChangedDate()));
    add(parts, time(r.deletedDate()), time(r.purgeAfter()));
    add(parts, Long.toString(sequence), Integer.toString(r.versions().size()));
    for (StoredVersion v : r.versions()) {
      add(parts, v.versionId(), time(v.createdDate()), v.kmsKeyArn());
      add(parts, v.valueHash(), v.inputHash(), Integer.toString(v.stages().size()));
      v.stages().forEach(stage -> add(parts, stage));
      Map<String, String> generated = new TreeMap<>(v.generated());
      add(parts, Integer.toString(generated.size()));
      generated.forEach((key, hash) -> add(parts, key, hash));
    }
    SpecGeneration spec = r.specGeneration();
    KeptMetadata kept = r.kept();
    if (spec == null && kept == null) {
      return mac.hash(DOMAIN, parts.toArray(byte[][]::new));
    }
    if (spec == null) {
      add(parts, null, null);
    } else {
      add(parts, spec.uid(), Long.toString(spec.generation()));
    }
    if (kept == null) {
      return mac.hash(DOMAIN_WITH_SPEC, parts.toArray(byte[][]::new));
    }
    add(parts, kept.description(), kept.kmsKeyId(), Integer.toString(kept.tags().size()));
    kept.tags().forEach(tag -> add(parts, tag.key(), tag.value()));
    return mac.hash(DOMAIN_WITH_KEPT, parts.toArray(byte[][]::new));
  }

  /** Each part length-prefixed by the keyed hash; a null is empty, any string has a "=" first. */
  private static void add(List<byte[]> parts, String... values) {
    for (String value : values) {
      parts.add(value == null ? NULL : ("=" + value).getBytes(StandardCharsets.UTF_8));
    }
  }

  private static String time(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.MICROS).toString();
  }
}
