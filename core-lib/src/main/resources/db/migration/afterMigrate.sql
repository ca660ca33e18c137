-- Runs after every migration, and at the end of every bulk load: a large load drops the foreign keys
-- and the report index of hired_employees for speed (into a table smaller than its source, the primary
-- key too) behind a guard that refuses every other writer, and this puts back whatever is missing and
-- removes the guard, also after a load that was killed. Safe to run at any time.

-- One at a time: instances starting together each run this, and two that both find a key missing would
-- both add it (the second fails: "already exists"). A transaction lock, so it also works through
-- PgBouncer's transaction pooling; the script runs in one transaction (Flyway's, or one round trip).
-- Taken with PERFORM, in the block: a SELECT's result is a table Flyway prints at every migration.
DO $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('hiringkit.afterMigrate'));
    -- The primary key first: the cheapest to build (one sort of the ids), and the one a writer needs back.
    -- Only the load's rows entered while it was gone, each id once: a duplicate here is a fault to stop on.
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conrelid = 'hired_employees'::regclass AND contype = 'p') THEN
        IF to_regclass('hired_employees_pkey') IS NULL THEN
            ALTER TABLE hired_employees ADD CONSTRAINT hired_employees_pkey PRIMARY KEY (id);
        ELSE
            -- Built by a load beside the report index, to attach (SchemaKeys.restoreAfterBulkLoad).
            ALTER TABLE hired_employees ADD CONSTRAINT hired_employees_pkey PRIMARY KEY USING INDEX hired_employees_pkey;
        END IF;
    END IF;
    -- The guard of a load without its keys (SchemaKeys): once the keys are back, writers are welcome.
    IF EXISTS (SELECT 1 FROM pg_trigger
               WHERE tgrelid = 'hired_employees'::regclass AND tgname = 'hired_employees_bulk_load_guard') THEN
        DROP TRIGGER hired_employees_bulk_load_guard ON hired_employees;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conrelid = 'hired_employees'::regclass AND conname = 'hired_employees_department_fk') THEN
        ALTER TABLE hired_employees ADD CONSTRAINT hired_employees_department_fk
            FOREIGN KEY (department_id) REFERENCES departments (id) NOT VALID;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conrelid = 'hired_employees'::regclass AND conname = 'hired_employees_job_fk') THEN
        ALTER TABLE hired_employees ADD CONSTRAINT hired_employees_job_fk
            FOREIGN KEY (job_id) REFERENCES jobs (id) NOT VALID;
    END IF;
END
$$;

-- Checks every row in one pass (a join, not a trigger per row); a no-op on a valid constraint.
ALTER TABLE hired_employees VALIDATE CONSTRAINT hired_employees_department_fk;
ALTER TABLE hired_employees VALIDATE CONSTRAINT hired_employees_job_fk;

-- The catalog is asked first rather than CREATE INDEX IF NOT EXISTS, whose NOTICE "relation ... already
-- exists, skipping" Flyway prints as a warning on every migration, starting with a brand-new database's.
DO $$
BEGIN
    IF to_regclass('hired_employees_datetime_idx') IS NULL THEN
        CREATE INDEX hired_employees_datetime_idx
            ON hired_employees (datetime) INCLUDE (department_id, job_id);
    END IF;
END
$$;
