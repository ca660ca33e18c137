package dev.hiringkit.server.auth;

import java.time.Duration;
import java.util.Optional;

/** Sign-in and token checks for every way into the server (GraphQL login, POST /token, Bearer headers). */
public final class Auth {

    private final Users users;
    private final Tokens tokens;
    private final LoginThrottle throttle;

    public Auth(Users users, Tokens tokens, LoginThrottle throttle) {
        this.users = users;
        this.tokens = tokens;
        this.throttle = throttle;
    }

    public Users users() {
        return users;
    }

    /** The outcome of a sign-in: a token, or why not. */
    public sealed interface Login permits Granted, Refused, Throttled {
    }

    /** A token for the user, valid for {@code lifetime}. */
    public record Granted(User user, String token, Duration lifetime) implements Login {
    }

    /** Wrong user name or password (which one is not said). */
    public record Refused() implements Login {
    }

    /** Too many failures lately: try again after {@code retryAfter}. */
    public record Throttled(Duration retryAfter) implements Login {
    }

    /**
     * Signs in, unless failures of this user from this address are being slowed down.
     *
     * @throws IllegalArgumentException when the name or password holds U+0000: PostgreSQL cannot store it,
     *     so no user can have it, and the request is malformed rather than a failed sign-in
     */
    public Login login(String username, String password, String address) {
        if (username.indexOf('\0') >= 0 || password.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("The user name and password cannot contain the character U+0000.");
        }
        Duration wait = throttle.waitFor(username, address);
        if (!wait.isZero()) {
            return new Throttled(wait);
        }
        Optional<User> user = users.authenticate(username, password.toCharArray());
        if (user.isEmpty()) {
            throttle.failed(username, address);
            return new Refused();
        }
        throttle.succeeded(username, address);
        return new Granted(user.get(), tokens.issue(user.get()), tokens.lifetime());
    }

    /**
     * The user a bearer token stands for, as the database knows it now: a deleted user's tokens stop
     * working at once, and a changed role applies to tokens already issued.
     */
    public Optional<User> authenticate(String token) {
        return tokens.verify(token).flatMap(users::find);
    }
}
