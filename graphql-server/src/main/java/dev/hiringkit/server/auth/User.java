package dev.hiringkit.server.auth;

/** A signed-in user: the name and the role the database gives it now. */
public record User(String username, Role role) {
}
