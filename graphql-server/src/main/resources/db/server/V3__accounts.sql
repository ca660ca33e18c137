-- Tokens name an account by an id that is never reused (random, so no sequence restart can hand it
-- out again) and a version that any change to the account's row moves on (password or secret, role,
-- name). A user removed and added again is a new id; a changed password or role is a new version:
-- tokens of the old ones are refused.
ALTER TABLE users ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE users ADD CONSTRAINT users_id_key UNIQUE (id);
ALTER TABLE users ADD COLUMN version integer NOT NULL DEFAULT 1;

-- Machine clients (pipelines) sign in with the OAuth2 client_credentials grant. Their secrets are
-- 256 random bits, so a SHA-256 of them is as safe as bcrypt and costs microseconds, not 250 ms.
CREATE TABLE clients (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name          varchar     NOT NULL UNIQUE,
    secret_sha256 varchar     NOT NULL,
    role          varchar     NOT NULL CHECK (role IN ('READER', 'WRITER', 'ADMIN')),
    version       integer     NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    secret_set_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION bump_account_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW IS DISTINCT FROM OLD THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER users_version BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION bump_account_version();
CREATE TRIGGER clients_version BEFORE UPDATE ON clients
    FOR EACH ROW EXECUTE FUNCTION bump_account_version();

-- Servers remember the accounts they have looked up, by id. Any change to one, by any path (the command
-- line, another server, plain SQL), tells them to forget it: the payload is 'users:<id>' or
-- 'clients:<id>'; an empty payload: forget all.
CREATE FUNCTION notify_account_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('hiring_accounts', '');
    ELSE
        PERFORM pg_notify('hiring_accounts', TG_TABLE_NAME || ':' || OLD.id);
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER users_changed ON users;
DROP TRIGGER users_truncated ON users;
DROP FUNCTION notify_user_change();
CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION notify_account_change();
CREATE TRIGGER users_truncated AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_account_change();
CREATE TRIGGER clients_changed AFTER UPDATE OR DELETE ON clients
    FOR EACH ROW EXECUTE FUNCTION notify_account_change();
CREATE TRIGGER clients_truncated AFTER TRUNCATE ON clients
    FOR EACH STATEMENT EXECUTE FUNCTION notify_account_change();
