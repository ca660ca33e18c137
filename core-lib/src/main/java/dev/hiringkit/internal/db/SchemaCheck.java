package dev.hiringkit.internal.db;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Tells, in one query, whether a database is already what Flyway would make of it: every versioned
 * migration this build carries recorded as applied and successful, and (for the core schema) the keys
 * and index that {@code afterMigrate.sql} puts back in place and valid. Flyway's own run (loading ~1,100
 * classes, validating every script's checksum, a lock, afterMigrate) took 0.2-0.4 s of each command's
 * start where this takes one round trip; when it cannot tell (no history table, a repeatable migration,
 * a class path it cannot list, a failed migration), the caller runs Flyway as before. It does not
 * compare checksums: a migration edited after it was applied is only found by a Flyway run.
 * Internal to HiringKit, not part of its API.
 */
public final class SchemaCheck {

    /** Flyway's default file names: V1__schema.sql, V1.2__x.sql; R__x.sql is repeatable. */
    private static final Pattern VERSIONED = Pattern.compile("V([0-9]+(?:[._][0-9]+)*)__.*\\.sql");

    /**
     * The keys and index that afterMigrate.sql restores after a killed bulk load (see {@link SchemaKeys}):
     * the primary key present, the foreign keys present and validated, the index valid (a failed CREATE
     * INDEX CONCURRENTLY leaves one that is not), and no bulk load's guard left. Keep in step with
     * afterMigrate.sql.
     */
    public static final String CORE_KEYS_IN_PLACE = """
            EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass('hired_employees') AND contype = 'p')
            AND NOT EXISTS (SELECT 1 FROM pg_trigger
              WHERE tgrelid = to_regclass('hired_employees') AND tgname = 'hired_employees_bulk_load_guard')
            AND (SELECT count(*) FROM pg_constraint
              WHERE conrelid = to_regclass('hired_employees')
                AND conname IN ('hired_employees_department_fk', 'hired_employees_job_fk') AND convalidated) = 2
            AND EXISTS (SELECT 1 FROM pg_index
              WHERE indexrelid = to_regclass('hired_employees_datetime_idx') AND indisvalid)""";

    private final String location;
    private final String historyTable;
    private final String extraCondition;
    private final Optional<List<List<Integer>>> carried;

    /**
     * @param location       the migrations' class path folder, e.g. {@code db/migration}
     * @param historyTable   Flyway's table for them
     * @param extraCondition a SQL boolean expression that must hold too, e.g. {@link #CORE_KEYS_IN_PLACE}; null: none
     * @param anchor         a class loaded from the same jar or folder as the migrations
     */
    public SchemaCheck(String location, String historyTable, String extraCondition, Class<?> anchor) {
        this.location = location;
        this.historyTable = historyTable;
        this.extraCondition = extraCondition;
        this.carried = versions(location, anchor);
    }

    /** The versions of the migrations this build carries, sorted; empty when they cannot be listed. */
    Optional<List<List<Integer>>> carried() {
        return carried;
    }

    /**
     * True when nothing is left for Flyway to do; false when a migration is missing, failed, a key is
     * missing, or it cannot tell. Reads only.
     */
    public boolean isCurrent(DataSource dataSource) {
        return check(dataSource, true);
    }

    /** True when every migration this build carries is applied (the keys aside); false when it cannot tell. */
    public boolean isMigrated(DataSource dataSource) {
        return check(dataSource, false);
    }

    private boolean check(DataSource dataSource, boolean withExtra) {
        if (carried.isEmpty()) {
            return false;
        }
        // Flyway's history table (its name configurable, outside the generated code) and a check written as SQL.
        String sql = "SELECT array_agg(version) FILTER (WHERE success AND version IS NOT NULL),"
                + " bool_and(success)"
                + (withExtra && extraCondition != null ? ", (" + extraCondition + ")" : ", true")
                + " FROM " + historyTable;
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            try (ResultSet rs = statement.executeQuery(sql)) {
                if (!rs.next() || !rs.getBoolean(2) || !rs.getBoolean(3) || rs.getArray(1) == null) {
                    return false;
                }
                List<List<Integer>> applied = new ArrayList<>();
                for (Object version : (Object[]) rs.getArray(1).getArray()) {
                    applied.add(parse((String) version));
                }
                return applied.containsAll(carried.get());
            }
        } catch (SQLException e) {
            // No history table yet (42P01), or no hired_employees: Flyway's run says what is wrong, if anything.
            return false;
        }
    }

    private static List<Integer> parse(String version) {
        List<Integer> parts = new ArrayList<>();
        for (String part : version.split("[._]")) {
            parts.add(Integer.parseInt(part));
        }
        // 1 and 1.0 are one version to Flyway.
        while (parts.size() > 1 && parts.get(parts.size() - 1) == 0) {
            parts.remove(parts.size() - 1);
        }
        return List.copyOf(parts);
    }

    /**
     * Lists the folder where the anchor class was loaded from: a jar (opened again through the JDK's shared
     * zip cache, so its directory is not read twice) or a folder of classes.
     */
    static Optional<List<List<Integer>>> versions(String location, Class<?> anchor) {
        try {
            URL source = anchor.getProtectionDomain().getCodeSource().getLocation();
            Path path = Paths.get(source.toURI());
            List<String> names = new ArrayList<>();
            if (Files.isDirectory(path)) {
                Path dir = path.resolve(location);
                if (!Files.isDirectory(dir)) {
                    return Optional.empty();
                }
                try (Stream<Path> files = Files.list(dir)) {
                    files.forEach(f -> names.add(f.getFileName().toString()));
                }
            } else {
                String prefix = location + "/";
                try (JarFile jar = new JarFile(path.toFile())) {
                    for (var entries = jar.entries(); entries.hasMoreElements(); ) {
                        JarEntry entry = entries.nextElement();
                        String name = entry.getName();
                        if (name.startsWith(prefix) && name.indexOf('/', prefix.length()) < 0 && !entry.isDirectory()) {
                            names.add(name.substring(prefix.length()));
                        }
                    }
                }
            }
            List<List<Integer>> versions = new ArrayList<>();
            for (String name : names) {
                if (name.startsWith("R__")) {
                    return Optional.empty(); // repeatable: only Flyway knows whether its checksum changed
                }
                Matcher versioned = VERSIONED.matcher(name);
                if (versioned.matches()) {
                    versions.add(parse(versioned.group(1)));
                }
            }
            return versions.isEmpty() ? Optional.empty() : Optional.of(versions);
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return Optional.empty(); // e.g. a jar inside a jar: Flyway finds the scripts its own way
        }
    }

    @Override
    public String toString() {
        return "SchemaCheck[" + location + " in " + historyTable + "]";
    }
}
