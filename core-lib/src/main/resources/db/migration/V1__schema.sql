-- The three tables of the hiring records. Ids come from the source files, so they are not generated.
CREATE TABLE departments (
    id         integer PRIMARY KEY CHECK (id > 0),
    department text    NOT NULL
);

CREATE TABLE jobs (
    id  integer PRIMARY KEY CHECK (id > 0),
    job text    NOT NULL
);

CREATE TABLE hired_employees (
    id            integer     PRIMARY KEY CHECK (id > 0),
    name          text        NOT NULL,
    datetime      timestamptz NOT NULL,
    department_id integer     NOT NULL,
    job_id        integer     NOT NULL,
    CONSTRAINT hired_employees_department_fk FOREIGN KEY (department_id) REFERENCES departments (id),
    CONSTRAINT hired_employees_job_fk FOREIGN KEY (job_id) REFERENCES jobs (id)
);

-- Both reports filter on a half-open UTC range of datetime and group by the two ids:
-- this index answers them without touching the table.
CREATE INDEX hired_employees_datetime_idx
    ON hired_employees (datetime) INCLUDE (department_id, job_id);

-- One row per historical load: its checkpoint lets a crashed load resume where it stopped.
CREATE TABLE loads (
    id              uuid        PRIMARY KEY,
    table_name      varchar     NOT NULL,
    source          varchar     NOT NULL,
    status          varchar     NOT NULL CHECK (status IN ('RUNNING', 'DONE', 'FAILED')),
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz,
    records_done    bigint      NOT NULL DEFAULT 0,
    bytes_done      bigint      NOT NULL DEFAULT 0,
    prefix_crc      bigint      NOT NULL DEFAULT 0,
    inserted        bigint      NOT NULL DEFAULT 0,
    rejected        bigint      NOT NULL DEFAULT 0,
    rejected_by_code jsonb      NOT NULL DEFAULT '{}',
    rejects_file    text
);

CREATE INDEX loads_source_idx ON loads (table_name, source, status);

-- Every record that broke a data rule, from a file load or a batch, with all of its reasons.
CREATE TABLE rejections (
    id            bigserial   PRIMARY KEY,
    load_id       uuid        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('LOAD', 'BATCH')),
    source        varchar     NOT NULL,
    table_name    text        NOT NULL,
    record_number bigint      NOT NULL,
    raw_record    text        NOT NULL,
    reasons       jsonb       NOT NULL,
    rejected_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX rejections_load_idx ON rejections (load_id, record_number);
CREATE INDEX rejections_source_idx ON rejections (source);
