-- Schema version 2: each listed version's envelope size, so that what a namespace keeps (its versions
-- and their bytes, for the namespace's quota) is counted from secret_version alone, through the
-- primary key's leading column, without reading an envelope. Versions stored before version 2 get
-- their size once, here. The default lets an operator of schema version 1 still write rows during a
-- rolling upgrade.
ALTER TABLE secret_version ADD COLUMN envelope_size integer NOT NULL DEFAULT 0;

UPDATE secret_version v SET envelope_size = octet_length(e.envelope)
FROM version_envelope e
WHERE e.namespace = v.namespace AND e.name = v.name AND e.version_id = v.version_id;
