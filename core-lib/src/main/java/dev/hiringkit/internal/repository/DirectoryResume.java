package dev.hiringkit.internal.repository;

import dev.hiringkit.HiringException.Code;
import dev.hiringkit.HiringException;
import dev.hiringkit.Table;
import dev.hiringkit.internal.csv.CsvReader;
import dev.hiringkit.internal.db.DatabaseFailures;
import dev.hiringkit.internal.jooq.tables.records.LoadsRecord;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.repository.LoadStatus;
import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jooq.exception.DataAccessException;

/**
 * Makes a directory load that stopped part-way resume where it stopped when it is run again. Its files
 * are loaded one after the other, each in a load of its own; say the database went away during the third
 * (or before it began). Run again, the third resumes after its last committed chunk, and the first two,
 * already loaded, must not be loaded a second time: every row of theirs would come back as a DUPLICATE_ID
 * rejection, and the loads and rejections would no longer be those of one clean run.
 *
 * <p>A file before the one the run stopped in (a load not DONE, or none) is skipped only if its last load
 * completed in the same run (each load of the run started as the one before it ended) and the file still
 * holds exactly the bytes that load read (same records, size and checksum). Anything else is loaded
 * again, as always; so is every file when the last run completed, or with {@link LoadOptions#restart()}.
 */
final class DirectoryResume {

    /**
     * How long after a load of the run ended the next one may start and still be of the same run: it may
     * wait for another load's lock (10 seconds) and for its source to open. Start times are stored in
     * whole seconds, so one may also seem to start up to a second before the previous one ended.
     */
    private static final Duration SAME_RUN = Duration.ofMinutes(1);

    /** One file of a directory load: its table, its source as the loads table names it, how to read it. */
    record File(Table table, String source, Opener opener) {
    }

    /** Opens a file of the directory. */
    @FunctionalInterface
    interface Opener {
        InputStream open() throws IOException;
    }

    private final LoadLog loads;

    DirectoryResume(LoadLog loads) {
        this.loads = loads;
    }

    /**
     * The files, among {@code files} (in load order), that need no loading because the run that stopped
     * part-way loaded them already, with the results recorded for them; empty when no load of the
     * directory was interrupted.
     */
    Map<Table, LoadResult> loadedBeforeTheStop(List<File> files) {
        List<LoadsRecord> last = new ArrayList<>();
        int stopped = -1;
        for (File file : files) {
            LoadsRecord load = lastLoad(file);
            last.add(load);
            if (load == null || LoadLog.status(load) != LoadStatus.DONE) {
                stopped = last.size() - 1;
                break;
            }
        }
        Map<Table, LoadResult> loaded = new EnumMap<>(Table.class);
        for (int i = stopped - 1; i >= 0; i--) {
            LoadsRecord load = last.get(i);
            if (load == null || LoadLog.status(load) != LoadStatus.DONE || !sameRun(load, last.get(i + 1))
                    || !sameBytes(files.get(i), load)) {
                break;
            }
            loaded.put(files.get(i).table(), LoadLog.result(load));
        }
        return loaded;
    }

    private LoadsRecord lastLoad(File file) {
        try {
            return loads.last(file.table(), file.source());
        } catch (DataAccessException e) {
            SQLException cause = e.getCause(SQLException.class);
            throw cause != null ? DatabaseFailures.translate("Reading the loads of " + file.source() + " failed", cause)
                    : new HiringException(Code.DATABASE_ERROR, "Reading the loads of " + file.source() + " failed: "
                            + e.getMessage(), e);
        }
    }

    /**
     * Whether {@code next} started as {@code done} ended: the two are loads of one directory run. A next
     * file never loaded is the one the run stopped before.
     */
    private static boolean sameRun(LoadsRecord done, LoadsRecord next) {
        if (next == null) {
            return true;
        }
        OffsetDateTime ended = done.getFinishedAt();
        OffsetDateTime started = next.getStartedAt();
        return ended != null && !started.isBefore(ended.minusSeconds(1)) && !started.isAfter(ended.plus(SAME_RUN));
    }

    /** Whether the file holds exactly what {@code load} read: its records, bytes and checksum. */
    private static boolean sameBytes(File file, LoadsRecord load) {
        try (InputStream in = file.opener().open(); CsvReader reader = new CsvReader(in)) {
            while (reader.next()) {
                // counting records, bytes and checksum as a load does
            }
            return reader.records() == load.getRecordsDone() && reader.bytesRead() == load.getBytesDone()
                    && reader.checksum() == load.getPrefixCrc();
        } catch (IOException e) {
            return false; // loaded again, which reports what is wrong with the file
        }
    }
}
