package dev.hiringkit.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Stops a load of hired_employees half-way for as long as a test wants: the checkpoint of its second
 * chunk (the update of its {@code loads} row) waits for an advisory lock this holds, so the first chunk
 * is committed and the second waits in its open transaction. Meanwhile the test stops the database or
 * the server, or watches the load's progress; then it {@link #release releases} the load and
 * {@link #remove removes} the trigger.
 */
public final class SecondChunkHold implements AutoCloseable {

    private static final int LOCK = 4242;

    private final DataSource database;
    private final Connection holder;

    private SecondChunkHold(DataSource database, Connection holder) {
        this.database = database;
        this.holder = holder;
    }

    /** Installs the trigger in {@code database} (migrated) and takes the lock its loads will wait for. */
    public static SecondChunkHold install(DataSource database) throws SQLException {
        try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE FUNCTION hold_second_chunk() RETURNS trigger LANGUAGE plpgsql AS"
                    + " $$ BEGIN PERFORM pg_advisory_xact_lock_shared(" + LOCK + "); RETURN NEW; END $$");
            s.execute("CREATE TRIGGER hold_second_chunk BEFORE UPDATE ON loads FOR EACH ROW WHEN"
                    + " (NEW.table_name = 'hired_employees' AND OLD.records_done > 0"
                    + " AND NEW.records_done > OLD.records_done) EXECUTE FUNCTION hold_second_chunk()");
        }
        Connection holder = database.getConnection();
        try (Statement s = holder.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + LOCK + ")");
        } catch (SQLException e) {
            holder.close();
            throw e;
        }
        return new SecondChunkHold(database, holder);
    }

    /** Lets the held chunk, and every later one, commit. */
    public void release() throws SQLException {
        try (Statement s = holder.createStatement()) {
            s.execute("SELECT pg_advisory_unlock(" + LOCK + ")");
        }
    }

    /** Drops the trigger, through a connection of its own: also after the database was restarted. */
    public void remove() throws SQLException {
        try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TRIGGER hold_second_chunk ON loads");
            s.execute("DROP FUNCTION hold_second_chunk()");
        }
    }

    /** Gives the holding connection back (a lock still held goes with its session). */
    @Override
    public void close() throws SQLException {
        holder.close();
    }
}
