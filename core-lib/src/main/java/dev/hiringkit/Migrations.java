package dev.hiringkit;

import dev.hiringkit.internal.ApiBoundary;
import dev.hiringkit.internal.db.SchemaCheck;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * An application's own Flyway migrations, kept beside HiringKit's tables in the same schema (the server's
 * users, say): migrated and checked as {@link HiringKit#migrate()} and {@link HiringKit#isMigrated()} do
 * HiringKit's, in a history table of their own. A database already current costs one query, not a Flyway
 * run. Their history starts at version 0 on a schema that already holds other tables.
 *
 * <pre>{@code
 * Migrations mine = Migrations.of("db/app", "flyway_app_history", MyApp.class);
 * mine.migrate(dataSource);
 * }</pre>
 */
public final class Migrations {

    private final String location;
    private final String historyTable;
    private final SchemaCheck check;

    private Migrations(String location, String historyTable, Class<?> anchor) {
        this.location = location;
        this.historyTable = historyTable;
        this.check = new SchemaCheck(location, historyTable, null, anchor);
    }

    /**
     * The migrations in the class path folder {@code location} ({@code V1__name.sql}, ... as Flyway names
     * them), recorded in {@code historyTable}. {@code anchor} is a class from the same jar or folder as the
     * scripts, where they are listed for the one-query check. Make one per class loader: listing a large jar
     * takes time.
     */
    public static Migrations of(String location, String historyTable, Class<?> anchor) {
        return new Migrations(location, historyTable, anchor);
    }

    /** Applies what is not applied yet; safe to call at every start, from several processes at once. */
    public void migrate(DataSource dataSource) {
        try {
            if (!check.isCurrent(dataSource)) {
                flyway(dataSource).migrate();
            }
        } catch (RuntimeException e) {
            throw ApiBoundary.translate("Migrating " + location, e);
        }
    }

    /** True when every migration this build carries is applied (or a newer build's schema is there). */
    public boolean isMigrated(DataSource dataSource) {
        try {
            return check.isMigrated(dataSource) || flyway(dataSource).info().pending().length == 0;
        } catch (RuntimeException e) {
            throw ApiBoundary.translate("Checking " + location, e);
        }
    }

    private Flyway flyway(DataSource dataSource) {
        return Flyway.configure().dataSource(dataSource).locations("classpath:" + location).table(historyTable)
                .baselineOnMigrate(true).baselineVersion("0").load();
    }
}
