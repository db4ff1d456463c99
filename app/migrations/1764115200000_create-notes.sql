-- Up Migration
CREATE TABLE notes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  text text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 2000),
  -- Millisecond precision, so a timestamp round-trips through a JavaScript Date exactly and
  -- keyset cursors built from it compare equal to the stored value.
  created_at timestamptz(3) NOT NULL DEFAULT now()
);

-- The table is created just above, in the same transaction: no other session can hold or wait
-- for a lock on it, so building its index blocks no one and needs no lock timeout (Squawk
-- already exempts it from CONCURRENTLY on those grounds).
-- squawk-ignore require-lock-timeout
CREATE INDEX notes_created_at_id_idx ON notes (created_at DESC, id DESC);

-- Down Migration
DROP TABLE notes;
