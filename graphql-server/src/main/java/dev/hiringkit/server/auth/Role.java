package dev.hiringkit.server.auth;

import java.util.Locale;

/** What a user may do; each role may do everything the one before it may. */
public enum Role {
    /** Queries and reports. */
    READER,
    /** Also ingest, uploads and historical loads. */
    WRITER,
    /** Also backups and restores. */
    ADMIN;

    public boolean allows(Role needed) {
        return compareTo(needed) >= 0;
    }

    public static Role parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown role '" + name + "': expected reader, writer or admin");
        }
    }
}
