package dev.hiringkit.server.auth;

import java.util.UUID;

/**
 * A row of {@code users} or {@code clients} as a token is checked against it: an id never reused and
 * a version that every change to the row moves on (server migration V3).
 */
record Account(User.Kind kind, UUID id, int version, String name, Role role) {

    User user() {
        return new User(name, role, kind);
    }
}
