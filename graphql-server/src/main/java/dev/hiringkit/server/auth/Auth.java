package dev.hiringkit.server.auth;

import java.time.Duration;
import java.util.Optional;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * Sign-in and token checks for every way into the server: the GraphQL login mutation and POST /token for
 * users (password grant) and machine clients (client_credentials grant), Bearer headers with the server's
 * tokens or the identity provider's.
 */
public final class Auth {

    private final Users users;
    private final Clients clients;
    private final Tokens tokens;
    private final LoginThrottle throttle;
    private final AccountChanges accountChanges;

    public Auth(Users users, Clients clients, Tokens tokens, LoginThrottle throttle) {
        this(users, clients, tokens, throttle, AccountChanges.listen());
    }

    private Auth(Users users, Clients clients, Tokens tokens, LoginThrottle throttle, AccountChanges accountChanges) {
        this.users = users;
        this.clients = clients;
        this.tokens = tokens;
        this.throttle = throttle;
        this.accountChanges = accountChanges;
    }

    /**
     * The same, hearing of changed accounts as {@code accountChanges} says (by default
     * {@link AccountChanges#listen()}, on the server's pool): behind a transaction pooler, a direct
     * connection to listen on, or polling.
     */
    public Auth withAccountChanges(AccountChanges accountChanges) {
        return new Auth(users, clients, tokens, throttle, java.util.Objects.requireNonNull(accountChanges));
    }

    public Users users() {
        return users;
    }

    public Clients clients() {
        return clients;
    }

    /**
     * Follows changed users and clients while it runs (a Jetty bean of the server), so that their tokens
     * end on this server within milliseconds (listening) or a second or two (polling) of a change made
     * anywhere; without it nothing is remembered and every request reads its account from the database.
     */
    public LifeCycle changeListener() {
        return new AccountChangeListener(users.dataSource(), accountChanges, users.cache(), clients.cache());
    }

    /** The outcome of a sign-in: a token, or why not. */
    public sealed interface Login permits Granted, Refused, Throttled {
    }

    /** A token for the user or client, valid for {@code lifetime}. */
    public record Granted(User user, String token, Duration lifetime) implements Login {
    }

    /** Wrong name or password or secret (which one is not said). */
    public record Refused() implements Login {
    }

    /** Too many failures lately: try again after {@code retryAfter}, a whole number of seconds. */
    public record Throttled(Duration retryAfter) implements Login {
    }

    /**
     * Signs a user in, unless failures of this user from this address are being slowed down.
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
        Optional<Account> account = users.authenticate(username, password.toCharArray());
        if (account.isEmpty()) {
            throttle.failed(username, address);
            return new Refused();
        }
        throttle.succeeded(username, address);
        return granted(account.get());
    }

    /**
     * Signs a machine client in with its secret. Not throttled: a secret is 256 random bits, which no number
     * of guesses finds, and a throttle would let anyone who knows a pipeline's name lock it out.
     */
    public Login clientCredentials(String clientId, String secret) {
        return clients.authenticate(clientId, secret).<Login>map(this::granted).orElseGet(Refused::new);
    }

    private Granted granted(Account account) {
        return new Granted(account.user(), tokens.issue(account), tokens.lifetime());
    }

    /**
     * Who a bearer token stands for now. A token of the server names an account and its version: it
     * works only while that account exists with that version, so a removed, re-created or changed user or
     * client (password, secret, role) ends its tokens at once. A token of the identity provider stands for
     * the person and role it names.
     */
    public Optional<User> authenticate(String token) {
        return tokens.verify(token).flatMap(subject -> {
            if (subject instanceof Tokens.External external) {
                return Optional.of(external.user());
            }
            Tokens.Own own = (Tokens.Own) subject;
            Optional<Account> account = own.kind() == User.Kind.CLIENT ? clients.find(own.id()) : users.find(own.id());
            return account.filter(a -> a.version() == own.version()).map(Account::user);
        });
    }
}
