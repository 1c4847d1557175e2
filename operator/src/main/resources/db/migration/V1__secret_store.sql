-- The PostgreSQL store of the ManagedSecret operator, schema version 1.
-- Applied by Flyway when the operator starts (never by hand); see docs/STORES.md.
-- The store holds ciphertext and metadata only: envelopes are AES-256-GCM, keys live in the KMS.

-- One row per stored secret: its identity, owner and dates. `revision` is the concurrency token:
-- every write is conditional on it and increments it, so two writers from one revision never both win.
CREATE TABLE secret (
    namespace         text        NOT NULL,
    name              text        NOT NULL,
    arn               text        NOT NULL,
    owner_name        text,
    owner_uid         text,
    created_date      timestamptz NOT NULL,
    last_changed_date timestamptz,
    deleted_date      timestamptz,
    purge_after       timestamptz,
    revision          bigint      NOT NULL,
    CONSTRAINT secret_pk PRIMARY KEY (namespace, name),
    CONSTRAINT secret_revision_positive CHECK (revision > 0)
);

-- The purge job looks for secrets whose recovery window has passed.
CREATE INDEX secret_purge_after_idx ON secret (purge_after) WHERE purge_after IS NOT NULL;

-- One row per version's envelope (ciphertext). Written before, or in the same transaction as, the
-- record that points at it. An envelope that no version row points at is left by a write that lost
-- a race or failed; it is never read, and is removed by deleteVersions or purge.
CREATE TABLE version_envelope (
    namespace  text  NOT NULL,
    name       text  NOT NULL,
    version_id text  NOT NULL,
    envelope   bytea NOT NULL,
    CONSTRAINT version_envelope_pk PRIMARY KEY (namespace, name, version_id)
);

-- One row per version the record lists: its metadata, in the record's order (`position`, oldest first).
-- The foreign key to version_envelope makes it impossible for a record to point at a version whose
-- ciphertext is not stored.
CREATE TABLE secret_version (
    namespace    text        NOT NULL,
    name         text        NOT NULL,
    version_id   text        NOT NULL,
    position     integer     NOT NULL,
    created_date timestamptz NOT NULL,
    stages       text[]      NOT NULL,
    kms_key_arn  text,
    value_hash   text,
    input_hash   text,
    generated    jsonb       NOT NULL,
    CONSTRAINT secret_version_pk PRIMARY KEY (namespace, name, version_id),
    CONSTRAINT secret_version_position_uq UNIQUE (namespace, name, position),
    CONSTRAINT secret_version_secret_fk FOREIGN KEY (namespace, name)
        REFERENCES secret (namespace, name) ON DELETE CASCADE,
    CONSTRAINT secret_version_envelope_fk FOREIGN KEY (namespace, name, version_id)
        REFERENCES version_envelope (namespace, name, version_id)
);
