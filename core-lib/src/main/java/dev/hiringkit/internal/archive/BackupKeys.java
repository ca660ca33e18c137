package dev.hiringkit.internal.archive;

import dev.hiringkit.Table;
import java.util.regex.Pattern;

/** Where a backup's files lie in the archive store: {@code backups/<id>/<table>.avro} and its manifest. */
final class BackupKeys {

    static final String PREFIX = "backups/";
    static final String MANIFEST = "manifest.json";
    /** The time, then (since this version) a random suffix: two backups in one millisecond never share an id. */
    static final Pattern ID = Pattern.compile("\\d{8}T\\d{9}Z(-[0-9a-f]{4})?");

    private BackupKeys() {
    }

    static String manifest(String id) {
        return PREFIX + id + "/" + MANIFEST;
    }

    static String file(String id, Table table) {
        return PREFIX + id + "/" + table.sqlName() + ".avro";
    }

    /** The prefix under which every file of the backup lies. */
    static String folder(String id) {
        return PREFIX + id + "/";
    }
}
