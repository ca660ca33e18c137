package dev.hiringkit.server.cli;

import dev.hiringkit.HiringException;
import dev.hiringkit.HiringException.Code;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.s3.S3Archive;
import dev.hiringkit.archive.s3.S3Location;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3Client;

/** Where the data lives: options shared by every command that touches the database. */
final class DatabaseOptions {

    @Option(names = "--db-url", defaultValue = "${env:HIRING_DB_URL}",
            description = "JDBC URL of a PostgreSQL 14+ database (env HIRING_DB_URL; user and password from"
                    + " HIRING_DB_USER and HIRING_DB_PASSWORD). Without it, an embedded PostgreSQL keeps its data"
                    + " in --data-dir; while 'hiring serve' runs on that directory, commands use its database.")
    String dbUrl;

    @Option(names = "--data-dir", defaultValue = "${env:HIRING_DATA_DIR:-hiring-data}",
            description = "Directory of the embedded database and, by default, of the archive (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--archive", paramLabel = "DIR|s3://bucket/prefix", defaultValue = "${env:HIRING_ARCHIVE}",
            description = "Where rejects files and backups go: a directory or an S3 location (env HIRING_ARCHIVE;"
                    + " default: <data-dir>/archive).")
    String archive;

    @Option(names = "--log-file", paramLabel = "FILE", defaultValue = "${env:HIRING_LOG_FILE}",
            description = "Where warnings and the details (stack traces) of failures are logged (env HIRING_LOG_FILE;"
                    + " default: <data-dir>/logs/hiring.log). The terminal only gets one-line messages.")
    Path logFile;

    @Option(names = "--s3-endpoint", paramLabel = "URL", defaultValue = "${env:HIRING_S3_ENDPOINT}",
            description = "An S3-compatible store to use instead of AWS S3, such as http://localhost:9000 for MinIO,"
                    + " reached in path style (env HIRING_S3_ENDPOINT). Credentials and region come from the AWS"
                    + " SDK's defaults: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, an instance role;"
                    + " AWS_REGION (default us-east-1).")
    URI s3Endpoint;

    // A read replica: reports and lookups read there while it is caught up.
    @Option(names = "--db-read-url", paramLabel = "JDBC_URL", defaultValue = "${env:HIRING_DB_READ_URL}",
            description = {"JDBC URL of a hot standby of --db-url (streaming replication) for reports and lookups"
                    + " (env HIRING_DB_READ_URL; user and password from HIRING_DB_READ_USER and HIRING_DB_READ_PASSWORD,"
                    + " else those of --db-url). Writes and loads use --db-url; so do reads while the standby is more"
                    + " than --max-replica-lag behind or unreachable."})
    String dbReadUrl;

    @Option(names = "--max-replica-lag", paramLabel = "SECONDS", defaultValue = "${env:HIRING_MAX_REPLICA_LAG:-10}",
            description = "How far behind the primary --db-read-url may be for reads to use it (env HIRING_MAX_REPLICA_LAG;"
                    + " default: ${DEFAULT-VALUE}).")
    double maxReplicaLagSeconds;

    @Option(names = "--db-pooler", paramLabel = "none|transaction", defaultValue = "${env:HIRING_DB_POOLER:-none}",
            description = {"What --db-url reaches (env HIRING_DB_POOLER; default: ${DEFAULT-VALUE}): none, PostgreSQL itself or a"
                    + " pooler in session mode; transaction, a pooler in transaction mode such as PgBouncer's",
                    "pool_mode = transaction: then the driver makes no server-side prepared statements (prepareThreshold=0),"
                    + " and 'serve' hears of account changes on --db-listen-url, or else by polling."})
    String dbPooler;

    /** The file the command logs to. */
    Path logFile() {
        return logFile != null ? logFile : dataDir.resolve("logs").resolve("hiring.log");
    }

    /** Whether --db-url goes through a transaction pooler, where no session outlives a transaction. */
    boolean transactionPooler() {
        String pooler = dbPooler == null ? "none" : dbPooler.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (pooler) {
            case "none", "" -> false;
            case "transaction" -> true;
            default -> throw new HiringException(Code.INVALID_ARGUMENT, "--db-pooler is none or transaction, not '"
                    + dbPooler + "'");
        };
    }

    /** Whether S3 is configured: an S3 archive or an endpoint, which the archive and s3:// sources share. */
    boolean usesS3() {
        return s3Endpoint != null || archive != null && S3Location.isS3(archive);
    }

    /** A client for the configured S3 store; the caller closes it. */
    S3Client newS3Client() {
        return S3Archive.newClient(Optional.ofNullable(s3Endpoint));
    }

    /** The archive the options name, reached with {@code s3} when it is in S3. */
    ArchiveStore archiveStore(S3Client s3) {
        if (archive == null || archive.isBlank()) {
            return ArchiveStore.directory(dataDir.resolve("archive"));
        }
        return S3Location.isS3(archive) ? S3Archive.store(s3, S3Location.parse(archive)) : ArchiveStore.directory(Path.of(archive));
    }
}
