package dev.hiringkit.server.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the data lives: options shared by every command that touches the database. */
final class DatabaseOptions {

    @Option(names = "--db-url", defaultValue = "${env:HIRING_DB_URL}",
            description = "JDBC URL of a PostgreSQL 14+ database (env HIRING_DB_URL; user and password from"
                    + " HIRING_DB_USER and HIRING_DB_PASSWORD). Without it, an embedded PostgreSQL keeps its data"
                    + " in --data-dir.")
    String dbUrl;

    @Option(names = "--data-dir", defaultValue = "${env:HIRING_DATA_DIR:-hiring-data}",
            description = "Directory of the embedded database and, by default, of the archive (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--archive", defaultValue = "${env:HIRING_ARCHIVE}",
            description = "Archive directory for rejects files and backups (env HIRING_ARCHIVE; default: <data-dir>/archive).")
    Path archive;

    Path archiveDirectory() {
        return archive != null ? archive : dataDir.resolve("archive");
    }
}
