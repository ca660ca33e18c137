-- The server's own tables, migrated apart from the library's (history in flyway_server_history).
CREATE TABLE users (
    username      varchar     PRIMARY KEY,
    password_hash varchar     NOT NULL,
    role          varchar     NOT NULL CHECK (role IN ('READER', 'WRITER', 'ADMIN')),
    created_at    timestamptz NOT NULL DEFAULT now()
);
