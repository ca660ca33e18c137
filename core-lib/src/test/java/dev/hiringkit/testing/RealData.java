package dev.hiringkit.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The challenge's real CSV files, read where they stand (never copied into the project). */
public final class RealData {

    private RealData() {
    }

    /** The directory from {@code -Dhiring.data.dir}, by default {@code ../shared/data/globant}; it must exist. */
    public static Path dir() {
        Path dir = Path.of(System.getProperty("hiring.data.dir", "../shared/data/globant"));
        if (!Files.isRegularFile(dir.resolve("hired_employees.csv"))) {
            throw new IllegalStateException("The real data files are missing: expected " + dir.toAbsolutePath()
                    + "/hired_employees.csv (set -Dhiring.data.dir)");
        }
        return dir;
    }
}
