-- Servers remember the users they have looked up. Any change to a user, by any path (the command
-- line, another server, plain SQL), tells them to forget that user; an empty payload: forget all.
CREATE FUNCTION notify_user_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('hiring_users', '');
    ELSE
        PERFORM pg_notify('hiring_users', OLD.username);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION notify_user_change();
CREATE TRIGGER users_truncated AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_user_change();
