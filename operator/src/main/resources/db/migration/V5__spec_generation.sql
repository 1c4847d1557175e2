-- Schema version 5: a record carries the ManagedSecret (its uid) and the generation of its spec whose
-- reconcile last added a version, moved a label or re-encrypted versions (docs/STORES.md). A writer
-- still acting on an older generation of the same ManagedSecret (a second operator whose informer is
-- a change behind) sees that its view is behind and writes nothing. Both are covered by the record's
-- MAC. Records written before this version have neither (NULL): the next such write of the operator
-- records them.

ALTER TABLE secret ADD COLUMN spec_uid text;
ALTER TABLE secret ADD COLUMN spec_generation bigint;
ALTER TABLE secret ADD CONSTRAINT secret_spec_generation_whole
    CHECK ((spec_uid IS NULL) = (spec_generation IS NULL) AND (spec_generation IS NULL OR spec_generation > 0));
