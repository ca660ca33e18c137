-- The sign-in throttle's counts, shared by every server instance: behind a balancer, N instances each
-- counting on their own would give a guesser N times the attempts. One row per user name and address
-- with a recent failure; a success deletes it, and rows an hour old are deleted as failures come.
CREATE TABLE login_failures (
    username       varchar     NOT NULL,
    address        varchar     NOT NULL,
    failures       integer     NOT NULL,
    last_failed_at timestamptz NOT NULL,
    PRIMARY KEY (username, address)
);
CREATE INDEX login_failures_last_failed_at_idx ON login_failures (last_failed_at);
