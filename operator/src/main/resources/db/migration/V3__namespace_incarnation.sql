-- Schema version 3: a record belongs to the namespace incarnation that made it, not to the
-- namespace's name (docs/STORES.md). A namespace deleted and made again under the same name is a new
-- incarnation, with a new uid: its secrets are new records beside the old incarnation's, which stay
-- until their recovery window ends.
--
-- `incarnation` is the uid of the namespace incarnation that made a record, part of every key, so the
-- records and envelopes of two incarnations of one name never meet; '' for records made before this
-- version. `namespace_uid` is the incarnation that holds the record: the one that made it, the one an
-- administrator re-bound it to, or (NULL) none yet, for a record made before this version, which the
-- first incarnation of its namespace that claims it takes.

ALTER TABLE secret_version DROP CONSTRAINT secret_version_secret_fk;
ALTER TABLE secret_version DROP CONSTRAINT secret_version_envelope_fk;
ALTER TABLE secret_version DROP CONSTRAINT secret_version_position_uq;
ALTER TABLE secret_version DROP CONSTRAINT secret_version_pk;
ALTER TABLE version_envelope DROP CONSTRAINT version_envelope_pk;
ALTER TABLE secret DROP CONSTRAINT secret_pk;

ALTER TABLE secret ADD COLUMN incarnation text NOT NULL DEFAULT '';
ALTER TABLE secret ADD COLUMN namespace_uid text;
ALTER TABLE version_envelope ADD COLUMN incarnation text NOT NULL DEFAULT '';
ALTER TABLE secret_version ADD COLUMN incarnation text NOT NULL DEFAULT '';

ALTER TABLE secret ADD CONSTRAINT secret_pk PRIMARY KEY (namespace, name, incarnation);
ALTER TABLE version_envelope
    ADD CONSTRAINT version_envelope_pk PRIMARY KEY (namespace, name, incarnation, version_id);
ALTER TABLE secret_version
    ADD CONSTRAINT secret_version_pk PRIMARY KEY (namespace, name, incarnation, version_id);
ALTER TABLE secret_version
    ADD CONSTRAINT secret_version_position_uq UNIQUE (namespace, name, incarnation, position);
ALTER TABLE secret_version
    ADD CONSTRAINT secret_version_secret_fk FOREIGN KEY (namespace, name, incarnation)
        REFERENCES secret (namespace, name, incarnation) ON DELETE CASCADE;
ALTER TABLE secret_version
    ADD CONSTRAINT secret_version_envelope_fk FOREIGN KEY (namespace, name, incarnation, version_id)
        REFERENCES version_envelope (namespace, name, incarnation, version_id);
