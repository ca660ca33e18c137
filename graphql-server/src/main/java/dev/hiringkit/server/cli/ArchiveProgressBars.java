package dev.hiringkit.server.cli;

import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveProgress;
import dev.hiringkit.archive.Archiver;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar per table for {@code hiring backup} and {@code hiring restore} on a terminal. */
final class ArchiveProgressBars implements ArchiveProgress, AutoCloseable {

    private final String verb;
    private Table table;
    private ProgressBar bar;

    ArchiveProgressBars(String verb) {
        this.verb = verb;
    }

    /** The archiver, showing its progress in these bars when the output is a terminal. */
    Archiver on(Archiver archiver) {
        return System.console() != null ? archiver.withProgress(this) : archiver;
    }

    @Override
    public void rows(Table table, long rows, long expectedRows) {
        if (table != this.table) {
            close();
            this.table = table;
            bar = ProgressBar.builder()
                    .setTaskName(verb + " " + table.sqlName())
                    .setStyle(ProgressBarStyle.ASCII)
                    .setInitialMax(expectedRows)
                    .setUnit(" rows", 1)
                    .showSpeed()
                    .build();
        }
        // A backup's total is PostgreSQL's estimate until the table's last report, which is exact.
        if (expectedRows >= 0) {
            bar.maxHint(Math.max(expectedRows, rows));
        }
        bar.stepTo(rows);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
