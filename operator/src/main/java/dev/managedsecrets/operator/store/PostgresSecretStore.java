package dev.managedsecrets.operator.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.zaxxer.hikari.HikariDataSource;
import dev.managedsecrets.core.secret.AwsError;
import dev.managedsecrets.core.secret.KeptMetadata;
import dev.managedsecrets.core.secret.SecretId;
import dev.managedsecrets.core.secret.SecretsManagerException;
import dev.managedsecrets.core.secret.SpecGeneration;
import dev.managedsecrets.core.secret.StoredSecret;
import dev.managedsecrets.core.secret.StoredVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The store on a PostgreSQL server: one row per secret (table {@code secret}), one per listed
 * version ({@code secret_version}) and one per envelope ({@code version_envelope}); {@link
 * PostgresStoreStartup} opens it, with the schema migrated. Every write is one transaction; a
 * record changes only by an UPDATE conditional on its {@code revision}, which takes the row lock,
 * so two writers from one revision never both win; and a foreign key makes it impossible for a
 * record to list a version whose envelope is not stored.
 *
 * <p>Times are kept to the microsecond (PostgreSQL's resolution). Connections come from a Hikari
 * pool: while the server is down every call fails with {@link StoreUnavailableException} after the
 * connection timeout, and the pool reconnects when it is back.
 */
public final class PostgresSecretStore implements SecretStore {

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

  private static final String SELECT_RECORDS =
      "SELECT s.namespace, s.name, s.incarnation, s.namespace_uid, s.arn, s.owner_name,"
          + " s.owner_uid, s.created_date,"
          + " s.last_changed_date, s.deleted_date, s.purge_after, s.spec_uid, s.spec_generation,"
          + " s.revision, s.sequence, s.mac, s.kept,"
          + " v.version_id,"
          + " v.created_date AS version_created_date, v.stages, v.kms_key_arn, v.value_hash,"
          + " v.input_hash, v.generated, v.envelope_size"
          + " FROM {s}.secret s LEFT JOIN {s}.secret_version v"
          + " ON v.namespace = s.namespace AND v.name = s.name AND v.incarnation = s.incarnation";

  /**
   * A new record, unless the name has one that the new record's incarnation could claim: one it
   * holds, or one that no incarnation holds yet.
   */
  private static final String INSERT_SECRET =
      "INSERT INTO {s}.secret (namespace, name, incarnation, namespace_uid, arn, owner_name,"
          + " owner_uid, created_date, last_changed_date, deleted_date, purge_after, spec_uid,"
          + " spec_generation, sequence, mac, kept, revision)"
          + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1"
          + " WHERE NOT EXISTS (SELECT 1 FROM {s}.secret"
          + " WHERE namespace = ? AND name = ? AND (namespace_uid IS NULL OR namespace_uid = ?))";

  private static final String UPDATE_SECRET =
      "UPDATE {s}.secret SET arn = ?, owner_name = ?, owner_uid = ?, namespace_uid = ?,"
          + " created_date = ?, last_changed_date = ?, deleted_date = ?, purge_after = ?,"
          + " spec_uid = ?, spec_generation = ?, sequence = ?, mac = ?, kept = ?,"
          + " revision = revision + 1"
          + " WHERE namespace = ? AND name = ? AND incarnation = ? AND revision = ?";

  private static final String INSERT_VERSION =
      "INSERT INTO {s}.secret_version (namespace, name, incarnation, version_id, position,"
          + " created_date, stages, kms_key_arn, value_hash, input_hash, generated, envelope_size)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), ?)";

  /** What a namespace keeps: an index range of secret_version's primary key, no envelope read. */
  private static final String USAGE =
      "SELECT count(*), coalesce(sum(envelope_size), 0) FROM {s}.secret_version"
          + " WHERE namespace = ?";

  /** Replaces an envelope only while no version row points at it: versions are immutable. */
  private static final String UPSERT_ENVELOPE =
      "INSERT INTO {s}.version_envelope AS e (namespace, name, incarnation, version_id, envelope)"
          + " VALUES (?, ?, ?, ?, ?)"
          + " ON CONFLICT (namespace, name, incarnation, version_id)"
          + " DO UPDATE SET envelope = EXCLUDED.envelope"
          + " WHERE NOT EXISTS (SELECT 1 FROM {s}.secret_version v WHERE v.namespace = e.namespace"
          + " AND v.name = e.name AND v.incarnation = e.incarnation"
          + " AND v.version_id = e.version_id)";

  private static final String DELETE_UNLISTED_ENVELOPES =
      "DELETE FROM {s}.version_envelope e WHERE e.namespace = ? AND e.name = ?"
          + " AND e.incarnation = ? AND e.version_id = ANY (?) AND NOT EXISTS (SELECT 1"
          + " FROM {s}.secret_version v WHERE v.namespace = e.namespace AND v.name = e.name"
          + " AND v.incarnation = e.incarnation AND v.version_id = e.version_id)";

  private final HikariDataSource dataSource;
  private final String schemaVersion;
  private final String quotedSchema;

  /** A store on an open pool whose schema is at {@code schemaVersion}. */
  PostgresSecretStore(HikariDataSource dataSource, String schemaVersion, String schema) {
    this.dataSource = dataSource;
    this.schemaVersion = schemaVersion;
    this.quotedSchema = '"' + schema + '"';
  }

  /**
   * Every statement names the schema: the session's search_path (which a URL or the role may set)
   * never decides which tables are used.
   */
  private String sql(String template) {
    return template.replace("{s}", quotedSchema);
  }

  /** The schema version this store runs on (Flyway's version of the last applied migration). */
  public String schemaVersion() {
    return schemaVersion;
  }

  @Override
  public Optional<StoredSecret> find(SecretId id) {
    return inTransaction("reading " + id, c -> readRecord(c, id));
  }

  @Override
  public List<StoredSecret> findByName(SecretId id) {
    return inTransaction(
        "reading " + id,
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  sql(
                      SELECT_RECORDS
                          + " WHERE s.namespace = ? AND s.name = ?"
                          + " ORDER BY s.incarnation, v.position"))) {
            ps.setString(1, id.namespace());
            ps.setString(2, id.name());
            return decode(ps);
          }
        });
  }

  @Override
  public StoredSecret create(StoredSecret secret) {
    SecretId id = secret.id();
    requireDistinctVersions(secret);
    return inTransaction(
        "creating " + id,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql(INSERT_SECRET))) {
            int next = bindRecord(ps, secret, 1);
            ps.setString(next++, id.namespace());
            ps.setString(next++, id.name());
            ps.setString(next, secret.namespaceUid());
            if (ps.executeUpdate() != 1) {
              throw new StoreConflictException(
                  "A record of " + id + " that its incarnation could claim exists");
            }
          } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
              throw new StoreConflictException("The record of " + id + " already exists");
            }
            throw e;
          }
          insertVersions(c, secret);
          return readRecord(c, id).orElseThrow();
        });
  }

  @Override
  public StoredSecret update(StoredSecret secret) {
    long revision = revision(secret);
    requireDistinctVersions(secret);
    return inTransaction(
        "updating " + secret.id(),
        c -> {
          updateRecord(c, secret, revision);
          return readRecord(c, secret.id()).orElseThrow();
        });
  }

  @Override
  public StoredSecret addVersion(StoredSecret listed, String versionId, byte[] envelope) {
    if (listed.version(versionId).isEmpty()) {
      throw new IllegalArgumentException(
          "the record of " + listed.id() + " does not list version " + versionId);
    }
    long revision = revision(listed);
    requireDistinctVersions(listed);
    StoredSecret next = listed.withEnvelopeSizes(Map.of(versionId, envelope.length));
    return inTransaction(
        "adding version " + versionId + " to " + next.id(),
        c -> {
          // The conditional UPDATE comes first: it takes the row lock, so a writer that lost the
          // race writes nothing at all, not even its envelope.
          updateRecordRow(c, next, revision);
          upsertEnvelope(c, next.id(), versionId, envelope);
          replaceVersions(c, next);
          return readRecord(c, next.id()).orElseThrow();
        });
  }

  /**
   * Re-encryption in one transaction: the conditional update of the record, the new envelopes in
   * place of the old ones, and the versions' new key ARNs commit together or not at all.
   */
  @Override
  public StoredSecret replaceEnvelopes(StoredSecret listed, Map<String, byte[]> envelopes) {
    long revision = revision(listed);
    requireDistinctVersions(listed);
    Map<String, Integer> sizes = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> e : envelopes.entrySet()) {
      if (listed.version(e.getKey()).isEmpty()) {
        throw new IllegalArgumentException(
            "the record of " + listed.id() + " does not list version " + e.getKey());
      }
      sizes.put(e.getKey(), e.getValue().length);
    }
    StoredSecret next = listed.withEnvelopeSizes(sizes);
    return inTransaction(
        "re-encrypting " + envelopes.size() + " versions of " + next.id(),
        c -> {
          updateRecordRow(c, next, revision);
          try (PreparedStatement ps =
              c.prepareStatement(
                  sql(
                      "UPDATE {s}.version_envelope SET envelope = ? WHERE namespace = ?"
                          + " AND name = ? AND incarnation = ? AND version_id = ?"))) {
            for (Map.Entry<String, byte[]> e : envelopes.entrySet()) {
              ps.setBytes(1, e.getValue());
              ps.setString(2, next.id().namespace());
              ps.setString(3, next.id().name());
              ps.setString(4, next.id().incarnation());
              ps.setString(5, e.getKey());
              if (ps.executeUpdate() != 1) {
                throw new StoreConflictException(
                    "Version " + e.getKey() + " of " + next.id() + " is not stored");
              }
            }
          }
          replaceVersions(c, next);
          return readRecord(c, next.id()).orElseThrow();
        });
  }

  @Override
  public void writeVersion(SecretId id, String versionId, byte[] envelope) {
    inTransaction(
        "writing version " + versionId + " of " + id,
        c -> {
          upsertEnvelope(c, id, versionId, envelope);
          return null;
        });
  }

  @Override
  public byte[] readVersion(SecretId id, String versionId) {
    byte[] envelope =
        inTransaction(
            "reading version " + versionId + " of " + id,
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      sql(
                          "SELECT envelope FROM {s}.version_envelope WHERE namespace = ?"
                              + " AND name = ? AND incarnation = ? AND version_id = ?"))) {
                ps.setString(1, id.namespace());
                ps.setString(2, id.name());
                ps.setString(3, id.incarnation());
                ps.setString(4, versionId);
                try (ResultSet rs = ps.executeQuery()) {
                  return rs.next() ? rs.getBytes(1) : null;
                }
              }
            });
    if (envelope == null) {
      throw new SecretsManagerException(
          AwsError.RESOURCE_NOT_FOUND_EXCEPTION,
          "Secrets Manager can't find the specified secret value for VersionId: " + versionId);
    }
    return envelope;
  }

  @Override
  public void deleteVersions(SecretId id, List<String> versionIds) {
    if (versionIds.isEmpty()) {
      return;
    }
    inTransaction(
        "deleting " + versionIds.size() + " versions of " + id,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql(DELETE_UNLISTED_ENVELOPES))) {
            ps.setString(1, id.namespace());
            ps.setString(2, id.name());
            ps.setString(3, id.incarnation());
            ps.setArray(4, c.createArrayOf("text", versionIds.toArray()));
            ps.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public void purge(StoredSecret read) {
    SecretId id = read.id();
    inTransaction(
        "purging " + id,
        c -> {
          // secret_version rows go with their secret (ON DELETE CASCADE).
          try (PreparedStatement ps =
              c.prepareStatement(
                  sql(
                      "DELETE FROM {s}.secret"
                          + " WHERE namespace = ? AND name = ? AND incarnation = ? AND revision = ?"))) {
            ps.setString(1, id.namespace());
            ps.setString(2, id.name());
            ps.setString(3, id.incarnation());
            ps.setLong(4, Long.parseLong(read.revision()));
            if (ps.executeUpdate() != 1 && readRecord(c, id).isPresent()) {
              throw new StoreConflictException(
                  "The record of " + id + " changed since it was read");
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  sql(
                      "DELETE FROM {s}.version_envelope"
                          + " WHERE namespace = ? AND name = ? AND incarnation = ?"))) {
            ps.setString(1, id.namespace());
            ps.setString(2, id.name());
            ps.setString(3, id.incarnation());
            ps.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public List<StoredSecret> list() {
    return inTransaction(
        "listing secrets",
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  sql(
                      SELECT_RECORDS
                          + " ORDER BY s.namespace, s.name, s.incarnation, v.position"))) {
            return decode(ps);
          }
        });
  }

  @Override
  public Usage usage(String namespace) {
    return inTransaction(
        "counting the versions of namespace " + namespace,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql(USAGE))) {
            ps.setString(1, namespace);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return new Usage(rs.getLong(1), rs.getLong(2));
            }
          }
        });
  }

  @Override
  public void close() {
    dataSource.close();
  }

  // ---- writes ----

  private void updateRecord(Connection c, StoredSecret secret, long revision) throws SQLException {
    updateRecordRow(c, secret, revision);
    replaceVersions(c, secret);
  }

  private void updateRecordRow(Connection c, StoredSecret secret, long revision)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql(UPDATE_SECRET))) {
      ps.setString(1, secret.arn());
      ps.setString(2, secret.ownerName());
      ps.setString(3, secret.ownerUid());
      ps.setString(4, secret.namespaceUid());
      ps.setObject(5, time(secret.createdDate()));
      ps.setObject(6, time(secret.lastChangedDate()));
      ps.setObject(7, time(secret.deletedDate()));
      ps.setObject(8, time(secret.purgeAfter()));
      int next = bindSpecGeneration(ps, secret.specGeneration(), 9);
      ps.setLong(next++, secret.sequence());
      ps.setString(next++, secret.mac());
      ps.setString(next++, kept(secret.kept()));
      ps.setString(next++, secret.id().namespace());
      ps.setString(next++, secret.id().name());
      ps.setString(next++, secret.id().incarnation());
      ps.setLong(next, revision);
      if (ps.executeUpdate() != 1) {
        throw new StoreConflictException("The record of " + secret.id() + " changed meanwhile");
      }
    }
  }

  private void replaceVersions(Connection c, StoredSecret secret) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            sql(
                "DELETE FROM {s}.secret_version"
                    + " WHERE namespace = ? AND name = ? AND incarnation = ?"))) {
      ps.setString(1, secret.id().namespace());
      ps.setString(2, secret.id().name());
      ps.setString(3, secret.id().incarnation());
      ps.executeUpdate();
    }
    insertVersions(c, secret);
  }

  private void insertVersions(Connection c, StoredSecret secret) throws SQLException {
    if (secret.versions().isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(sql(INSERT_VERSION))) {
      int position = 0;
      for (StoredVersion v : secret.versions()) {
        ps.setString(1, secret.id().namespace());
        ps.setString(2, secret.id().name());
        ps.setString(3, secret.id().incarnation());
        ps.setString(4, v.versionId());
        ps.setInt(5, position++);
        ps.setObject(6, time(v.createdDate()));
        ps.setArray(7, c.createArrayOf("text", v.stages().toArray()));
        ps.setString(8, v.kmsKeyArn());
        ps.setString(9, v.valueHash());
        ps.setString(10, v.inputHash());
        ps.setString(11, json(v.generated()));
        ps.setInt(12, v.envelopeSize());
        ps.addBatch();
      }
      ps.executeBatch();
    } catch (SQLException e) {
      if ("23503".equals(sqlState(e))) {
        throw new StoreConflictException(
            "The record of "
                + secret.id()
                + " would list a version whose ciphertext is not stored; it was not written");
      }
      throw e;
    }
  }

  private void upsertEnvelope(Connection c, SecretId id, String versionId, byte[] envelope)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql(UPSERT_ENVELOPE))) {
      ps.setString(1, id.namespace());
      ps.setString(2, id.name());
      ps.setString(3, id.incarnation());
      ps.setString(4, versionId);
      ps.setBytes(5, envelope);
      if (ps.executeUpdate() != 1) {
        throw new StoreConflictException(
            "Version "
                + versionId
                + " of "
                + id
                + " is already stored and listed; versions are"
                + " immutable");
      }
    }
  }

  /** Binds the record's columns from {@code first} on; returns the next parameter's index. */
  private static int bindRecord(PreparedStatement ps, StoredSecret s, int first)
      throws SQLException {
    int i = first;
    ps.setString(i++, s.id().namespace());
    ps.setString(i++, s.id().name());
    ps.setString(i++, s.id().incarnation());
    ps.setString(i++, s.namespaceUid());
    ps.setString(i++, s.arn());
    ps.setString(i++, s.ownerName());
    ps.setString(i++, s.ownerUid());
    ps.setObject(i++, time(s.createdDate()));
    ps.setObject(i++, time(s.lastChangedDate()));
    ps.setObject(i++, time(s.deletedDate()));
    ps.setObject(i++, time(s.purgeAfter()));
    i = bindSpecGeneration(ps, s.specGeneration(), i);
    ps.setLong(i++, s.sequence());
    ps.setString(i++, s.mac());
    ps.setString(i++, kept(s.kept()));
    return i;
  }

  /** The JSON of the metadata a record keeps (key order as written), or null. */
  private static String kept(KeptMetadata kept) {
    if (kept == null) {
      return null;
    }
    try {
      return JSON.writeValueAsString(kept);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static KeptMetadata kept(SecretId id, String json) {
    if (json == null) {
      return null;
    }
    try {
      return JSON.readValue(json, KeptMetadata.class);
    } catch (IOException | RuntimeException e) {
      throw RecordCodec.unreadable(id, "its kept description and tags are not readable");
    }
  }

  /** Binds spec_uid and spec_generation at {@code first}; returns the next parameter's index. */
  private static int bindSpecGeneration(PreparedStatement ps, SpecGeneration spec, int first)
      throws SQLException {
    ps.setString(first, spec == null ? null : spec.uid());
    ps.setObject(first + 1, spec == null ? null : spec.generation(), Types.BIGINT);
    return first + 2;
  }

  private static long revision(StoredSecret secret) {
    if (secret.revision() == null) {
      throw new IllegalArgumentException("update needs the revision it was read at");
    }
    try {
      return Long.parseLong(secret.revision());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "revision " + secret.revision() + " of " + secret.id() + " is not from this store");
    }
  }

  private static void requireDistinctVersions(StoredSecret secret) {
    Set<String> seen = new HashSet<>();
    for (StoredVersion v : secret.versions()) {
      if (!seen.add(v.versionId())) {
        throw new IllegalArgumentException(
            "the record of " + secret.id() + " lists version " + v.versionId() + " twice");
      }
    }
  }

  // ---- reads ----

  private Optional<StoredSecret> readRecord(Connection c, SecretId id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            sql(
                SELECT_RECORDS
                    + " WHERE s.namespace = ? AND s.name = ? AND s.incarnation = ?"
                    + " ORDER BY v.position"))) {
      ps.setString(1, id.namespace());
      ps.setString(2, id.name());
      ps.setString(3, id.incarnation());
      return decode(ps).stream().findFirst();
    }
  }

  /** Decodes the rows of SELECT_RECORDS (one per version, grouped by secret, in order). */
  private static List<StoredSecret> decode(PreparedStatement ps) throws SQLException {
    Map<SecretId, StoredSecret> heads = new LinkedHashMap<>();
    Map<SecretId, List<StoredVersion>> versions = new LinkedHashMap<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        SecretId id =
            new SecretId(
                rs.getString("namespace"), rs.getString("name"), rs.getString("incarnation"));
        if (!heads.containsKey(id)) {
          heads.put(
              id,
              new StoredSecret(
                  id,
                  rs.getString("arn"),
                  rs.getString("owner_name"),
                  rs.getString("owner_uid"),
                  rs.getString("namespace_uid"),
                  instant(rs, "created_date"),
                  instant(rs, "last_changed_date"),
                  instant(rs, "deleted_date"),
                  instant(rs, "purge_after"),
                  List.of(),
                  specGeneration(rs, id),
                  Long.toString(rs.getLong("revision")),
                  rs.getLong("sequence"),
                  rs.getString("mac"),
                  kept(id, rs.getString("kept"))));
          versions.put(id, new ArrayList<>());
        }
        String versionId = rs.getString("version_id");
        if (versionId != null) {
          Array stages = rs.getArray("stages");
          versions
              .get(id)
              .add(
                  new StoredVersion(
                      versionId,
                      instant(rs, "version_created_date"),
                      Arrays.asList((String[]) stages.getArray()),
                      rs.getString("kms_key_arn"),
                      rs.getString("value_hash"),
                      rs.getString("input_hash"),
                      map(id, rs.getString("generated")),
                      0,
                      rs.getInt("envelope_size")));
          stages.free();
        }
      }
    }
    List<StoredSecret> out = new ArrayList<>();
    heads.forEach(
        (id, head) -> out.add(head.withVersions(versions.get(id), head.lastChangedDate())));
    return out;
  }

  // ---- connections and errors ----

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Runs one transaction: committed when {@code work} returns, rolled back when it throws. */
  private <T> T inTransaction(String action, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      try {
        T out = work.run(c);
        c.commit();
        return out;
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      }
    } catch (SQLException e) {
      throw translate(action, e);
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // The connection is broken; the server rolls the transaction back when it ends.
    }
  }

  /** Maps an SQL failure to the store's exceptions; messages carry ids and SQL states only. */
  private static RuntimeException translate(String action, SQLException e) {
    String state = sqlState(e);
    if (state != null
        && (state.equals("23505")
            || state.equals("23503")
            || state.equals("40001")
            || state.equals("40P01"))) {
      return new StoreConflictException(
          "Another writer got there first while " + action + " (SQLState " + state + ")");
    }
    return new StoreUnavailableException(
        "The PostgreSQL store failed while "
            + action
            + " (SQLState "
            + (state == null ? "none" : state)
            + "); retrying",
        e);
  }

  static String sqlState(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        return s.getSQLState();
      }
    }
    return null;
  }

  // ---- values ----

  private static OffsetDateTime time(Instant i) {
    return i == null ? null : i.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
  }

  private static SpecGeneration specGeneration(ResultSet rs, SecretId id) throws SQLException {
    String uid = rs.getString("spec_uid");
    long generation = rs.getLong("spec_generation");
    if (uid == null) {
      return null;
    }
    if (generation < 1) {
      throw RecordCodec.unreadable(id, "its spec generation is not readable");
    }
    return new SpecGeneration(uid, generation);
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  private static String json(Map<String, String> map) {
    try {
      return JSON.writeValueAsString(map);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> map(SecretId id, String json) {
    if (json == null) {
      return Map.of();
    }
    try {
      return JSON.readValue(json, STRING_MAP);
    } catch (IOException e) {
      throw RecordCodec.unreadable(id, "a version's generated keys are not readable JSON");
    }
  }
}
