-- Idempotency keys: a request sent again with its key (a client that lost the answer and retries) gets
-- the first answer back instead of running again. The key is written in the same transaction as the
-- operation's effect, so a key is stored if and only if its effect committed, and any process on the
-- database can replay it. Keys of different callers never collide: the scope is who sent the request
-- (made_by, as loads and rejections record it), '' for a library caller that names no one.
CREATE TABLE idempotency_keys (
    scope        varchar     NOT NULL,
    idempotency_key varchar  NOT NULL,
    -- what the key was used for (batch, load, backup, restore) and a SHA-256 of that request, in hex:
    -- the same key with another request is refused, never answered with the other request's result
    operation    varchar     NOT NULL,
    request_hash varchar     NOT NULL,
    -- the operation's answer as JSON (a batch's result; the id of a load, a backup, a restore's result)
    result       text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (scope, idempotency_key)
);

-- The purge deletes by expiry.
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);
