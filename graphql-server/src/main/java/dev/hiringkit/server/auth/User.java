package dev.hiringkit.server.auth;

import java.util.Locale;

/**
 * Who a request acts for, with the role they have now: a user of the server, a machine client, or a
 * person (or service) signed in at the company's identity provider.
 */
public record User(String username, Role role, Kind kind) {

    /** Where the identity comes from. */
    public enum Kind {
        /** A user of the server ({@code hiring user}), signed in with a password. */
        USER,
        /** A machine client ({@code hiring client}), signed in with the client_credentials grant. */
        CLIENT,
        /** Signed in at the identity provider the server trusts ({@code --oidc-issuer}); no row of ours. */
        OIDC
    }

    /** The longest name recorded as {@link #madeBy()}: the library's limit. */
    private static final int MAX_MADE_BY = 256;

    /** A user of the server. */
    public User(String username, Role role) {
        this(username, role, Kind.USER);
    }

    /**
     * The name loads and batches record as who made them: {@code user:alice}, {@code client:nightly-etl}
     * or {@code oidc:jane@example.com}, so a person and a pipeline of the same name are told apart.
     */
    public String madeBy() {
        String name = kind.name().toLowerCase(Locale.ROOT) + ":" + username.replaceAll("\\p{Cntrl}", "?");
        return name.length() <= MAX_MADE_BY ? name : name.substring(0, MAX_MADE_BY);
    }
}
