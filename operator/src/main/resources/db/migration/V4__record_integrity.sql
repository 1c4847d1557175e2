-- Schema version 4: a record carries its sequence number and its MAC (docs/ENVELOPE.md, record
-- integrity). `sequence` moves by one at every write of the record; `mac` is HMAC-SHA256, under a key
-- derived from the keyring's hash key, over the record's identity, dates, sequence and versions with
-- their staging labels. Records written before this version have sequence 0 and no MAC: the operator
-- accepts such a record once and gives it a MAC at its next write.

ALTER TABLE secret ADD COLUMN sequence bigint NOT NULL DEFAULT 0;
ALTER TABLE secret ADD COLUMN mac text;
