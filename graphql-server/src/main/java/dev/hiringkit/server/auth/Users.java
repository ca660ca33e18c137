package dev.hiringkit.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.hiringkit.Migrations;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The users of the server, with bcrypt password hashes, in the database so every server instance
 * sees them. Each has an id that is never reused and a version that a change of password or role moves
 * on; a token names both, so it stops working when its user is removed, re-created or changed. A running
 * server remembers the users it has looked up while it hears of every change (see {@link Auth#changeListener()}).
 */
public final class Users {

    private static final int COST = 12;
    /** bcrypt's limit on what it hashes. */
    private static final int MAX_PASSWORD_BYTES = 72;
    /** The server's tables, beside the library's; made once per class loader (it lists the jar). */
    private static final Migrations SCHEMA = Migrations.of("db/server", "flyway_server_history", Users.class);
    private static final String ACCOUNT = "SELECT id, version, username, role FROM users";

    private final AccountStatements sql;
    private final AccountCache cache = new AccountCache();

    public Users(DataSource dataSource) {
        this.sql = new AccountStatements(dataSource, "users");
    }

    DataSource dataSource() {
        return sql.dataSource();
    }

    AccountCache cache() {
        return cache;
    }

    /** Creates or updates the server's tables: users and machine clients. */
    public void migrate() {
        SCHEMA.migrate(sql.dataSource());
    }

    /** True when every migration of the server's tables that this build carries is applied. */
    public boolean isMigrated() {
        return SCHEMA.isMigrated(sql.dataSource());
    }

    public boolean isEmpty() {
        return sql.one("SELECT count(*) FROM users", rs -> rs.getLong(1)).orElse(0L) == 0;
    }

    /** Adds a user; false when the name is taken. */
    public boolean add(String username, char[] password, Role role) {
        checkPassword(password);
        return sql.update("INSERT INTO users (username, password_hash, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                username, hash(password), role.name()) == 1;
    }

    /** Sets a user's password, which ends the user's tokens; false when there is no such user. */
    public boolean setPassword(String username, char[] password) {
        checkPassword(password);
        return changed(sql.one("UPDATE users SET password_hash = ? WHERE username = ? RETURNING id",
                rs -> rs.getObject(1, UUID.class), hash(password), username));
    }

    /** Gives a user another role, which ends the user's tokens; false when there is no such user. */
    public boolean setRole(String username, Role role) {
        return changed(sql.one("UPDATE users SET role = ? WHERE username = ? RETURNING id",
                rs -> rs.getObject(1, UUID.class), role.name(), username));
    }

    /** Removes a user, whose tokens stop working at once; false when there is no such user. */
    public boolean remove(String username) {
        return changed(sql.one("DELETE FROM users WHERE username = ? RETURNING id", rs -> rs.getObject(1, UUID.class),
                username));
    }

    /** The notice of the change comes a moment later; in this process the change is known now. */
    private boolean changed(Optional<UUID> id) {
        id.ifPresent(cache::forget);
        return id.isPresent();
    }

    /** The user with this id as the database knows it now. */
    Optional<Account> find(UUID id) {
        return cache.find(id, key -> sql.one(ACCOUNT + " WHERE id = ?", rs -> account(rs, 1), key));
    }

    /**
     * The user when the password is right. Its version is the one read with the hash: a token issued for it
     * is refused if the password changed meanwhile.
     */
    Optional<Account> authenticate(String username, char[] password) {
        Optional<Stored> row = sql.one("SELECT password_hash, id, version, username, role FROM users WHERE username = ?",
                rs -> new Stored(rs.getString(1), account(rs, 2)), username);
        byte[] stored = row.map(r -> r.hash().getBytes(StandardCharsets.UTF_8)).orElseGet(() -> DummyHash.HASH);
        // bcrypt throws past its 72 bytes, and no stored password is longer: a longer one is simply wrong.
        boolean verified = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password)).remaining() <= MAX_PASSWORD_BYTES
                && BCrypt.verifyer().verify(password, stored).verified;
        return verified ? row.map(Stored::account) : Optional.empty();
    }

    private record Stored(String hash, Account account) {
    }

    /** The account in the columns id, version, username, role from {@code first} on. */
    private static Account account(ResultSet rs, int first) throws SQLException {
        return new Account(User.Kind.USER, rs.getObject(first, UUID.class), rs.getInt(first + 1),
                rs.getString(first + 2), Role.valueOf(rs.getString(first + 3)));
    }

    private static String hash(char[] password) {
        return BCrypt.withDefaults().hashToString(COST, password);
    }

    private static void checkPassword(char[] password) {
        if (password.length < 8) {
            throw new IllegalArgumentException("a password needs at least 8 characters");
        }
        if (StandardCharsets.UTF_8.encode(CharBuffer.wrap(password)).remaining() > MAX_PASSWORD_BYTES) {
            // bcrypt's limit is in bytes: 72 ASCII characters, fewer accented ones.
            throw new IllegalArgumentException("a password may have at most " + MAX_PASSWORD_BYTES
                    + " bytes in UTF-8 (bcrypt's limit)");
        }
    }

    /**
     * Compared against when the user does not exist, so that a wrong name takes as long as a wrong password.
     * Made on the first such login, not at start: a cost-12 hash is 0.25 s of CPU that held up every start.
     */
    private static final class DummyHash {
        static final byte[] HASH = BCrypt.withDefaults().hash(COST, "not a password".toCharArray());
    }
}
