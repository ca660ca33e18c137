package dev.hiringkit.archive;

import dev.hiringkit.Table;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A complete backup: its id (the UTC time it was taken and a random suffix, so ids sort by age), when
 * it was taken, and one Avro file per table. {@code replayed}: this is the backup an earlier request with
 * the same idempotency key took, returned without taking another.
 */
public record Backup(String id, Instant createdAt, String codec, List<TableFile> tables, boolean replayed) {

    public Backup {
        tables = List.copyOf(tables);
    }

    /** A backup as taken or listed. */
    public Backup(String id, Instant createdAt, String codec, List<TableFile> tables) {
        this(id, createdAt, codec, tables, false);
    }

    /** The file of one table, if this backup holds it. */
    public Optional<TableFile> table(Table table) {
        return tables.stream().filter(t -> t.table() == table).findFirst();
    }

    /**
     * One table's Avro object container file: its key in the archive, row count, size in bytes,
     * SHA-256 (hex) and the SHA-256 fingerprint of its Avro schema's parsing canonical form (hex).
     */
    public record TableFile(Table table, String key, long rows, long bytes, String sha256, String schemaFingerprint) {
    }
}
