-- Schema version 6: while a secret is scheduled for deletion its record keeps the description and tags
-- of the deleted ManagedSecret (docs/STORES.md), so that DescribeSecret and ListSecrets show them as AWS
-- does and RestoreSecret brings them back. Covered by the record's MAC. NULL while the secret is live
-- (its ManagedSecret holds them) and in records written before this version. Text, not jsonb: a description
-- may hold any character, NUL too, which jsonb refuses.

ALTER TABLE secret ADD COLUMN kept text;
