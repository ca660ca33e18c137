package dev.hiringkit.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Machine clients, such as the pipelines that send batches: each has a name, a role and a secret it signs
 * in with through the OAuth2 client_credentials grant. The secret is generated here, shown once and kept
 * only as a SHA-256 hash. Like {@link Users}, a client has an id never reused and a version that a new
 * secret or role moves on, so removing a client or rotating its secret ends its tokens at once.
 */
public final class Clients {

    /** A client as {@code hiring client list} shows it. */
    public record Client(String name, Role role, Instant createdAt, Instant secretSetAt) {
    }

    /** 256 random bits: guessing one is hopeless, so a fast hash guards it as well as bcrypt would. */
    private static final int SECRET_BYTES = 32;
    /**
     * Names a client id can carry in a Basic header or a form without quoting, and a log line without
     * confusion.
     */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final String ACCOUNT = "SELECT id, version, name, role FROM clients";

    private final AccountStatements sql;
    private final AccountCache cache = new AccountCache();
    private final SecureRandom random = new SecureRandom();

    public Clients(DataSource dataSource) {
        this.sql = new AccountStatements(dataSource, "clients");
    }

    AccountCache cache() {
        return cache;
    }

    /**
     * Adds a client and returns its secret, which is stored only hashed: the one chance to see it. Empty
     * when the name is taken.
     *
     * @throws IllegalArgumentException for a name other than 1 to 64 letters, digits, dots, dashes and
     *     underscores, starting with a letter or digit
     */
    public Optional<String> add(String name, Role role) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a client name is 1 to 64 letters, digits, '.', '-' or '_', starting"
                    + " with a letter or digit; not '" + name + "'");
        }
        String secret = newSecret();
        int added = sql.update("INSERT INTO clients (name, secret_sha256, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                name, DigestUtils.sha256Hex(secret), role.name());
        return added == 1 ? Optional.of(secret) : Optional.empty();
    }

    /** Gives the client a new secret, returned once; its tokens and its old secret stop working. Empty: no such client. */
    public Optional<String> rotate(String name) {
        String secret = newSecret();
        Optional<UUID> id = sql.one("UPDATE clients SET secret_sha256 = ?, secret_set_at = now() WHERE name = ?"
                + " RETURNING id", rs -> rs.getObject(1, UUID.class), DigestUtils.sha256Hex(secret), name);
        id.ifPresent(cache::forget);
        return id.map(changed -> secret);
    }

    /** Removes the client; its tokens stop working at once. False when there is no such client. */
    public boolean remove(String name) {
        Optional<UUID> id = sql.one("DELETE FROM clients WHERE name = ? RETURNING id", rs -> rs.getObject(1, UUID.class),
                name);
        id.ifPresent(cache::forget);
        return id.isPresent();
    }

    /** Every client, by name. */
    public List<Client> list() {
        return sql.list("SELECT name, role, created_at, secret_set_at FROM clients ORDER BY name",
                rs -> new Client(rs.getString(1), Role.valueOf(rs.getString(2)), rs.getTimestamp(3).toInstant(),
                        rs.getTimestamp(4).toInstant()));
    }

    /** The client with this id as the database knows it now. */
    Optional<Account> find(UUID id) {
        return cache.find(id, key -> sql.one(ACCOUNT + " WHERE id = ?", Clients::account, key));
    }

    /** The client when the secret is right; the comparison takes the same time wherever the hashes differ. */
    Optional<Account> authenticate(String name, String secret) {
        if (!NAME.matcher(name).matches()) {
            return Optional.empty(); // no client has it: no need to ask the database
        }
        Optional<Stored> row = sql.one("SELECT secret_sha256, id, version, name, role FROM clients WHERE name = ?",
                rs -> new Stored(rs.getString(1), account(rs, 2)), name);
        byte[] given = DigestUtils.sha256Hex(secret).getBytes(StandardCharsets.US_ASCII);
        byte[] stored = row.map(r -> r.hash().getBytes(StandardCharsets.US_ASCII)).orElse(new byte[given.length]);
        return MessageDigest.isEqual(given, stored) ? row.map(Stored::account) : Optional.empty();
    }

    private record Stored(String hash, Account account) {
    }

    private static Account account(ResultSet rs) throws SQLException {
        return account(rs, 1);
    }

    /** The account in the columns id, version, name, role from {@code first} on. */
    private static Account account(ResultSet rs, int first) throws SQLException {
        return new Account(User.Kind.CLIENT, rs.getObject(first, UUID.class), rs.getInt(first + 1),
                rs.getString(first + 2), Role.valueOf(rs.getString(first + 3)));
    }

    private String newSecret() {
        byte[] bytes = new byte[SECRET_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
