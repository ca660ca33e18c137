-- Who may load (or restore) a table: a lease that is a row, not a session's advisory lock, so that it
-- holds through a transaction pooler (PgBouncer in transaction mode), where a client's statements run
-- on whichever server session is free. A load takes the row with one upsert that succeeds only when
-- the row is absent or expired, renews it while it runs (and in every chunk's transaction, which fails
-- if another holder took it), and deletes it at the end; a process that died leaves a lease that
-- expires by itself, so a resumed load can take it. A restore takes the rows in its own transaction:
-- they stay locked, and so unavailable, until it ends. Times are the database's (now()), never a
-- client's clock.
CREATE TABLE table_leases (
    table_name  varchar     PRIMARY KEY,
    holder      uuid        NOT NULL,
    expires_at  timestamptz NOT NULL
);
