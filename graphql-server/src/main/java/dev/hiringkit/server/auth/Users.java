package dev.hiringkit.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.eclipse.jetty.util.component.LifeCycle;
import org.flywaydb.core.Flyway;

/**
 * The users of the server, with bcrypt password hashes, in the database so every server instance
 * sees them. A running server remembers the users it has looked up while its {@link #changeListener()}
 * hears of every change: a request then costs no database round trip to check its user.
 */
public final class Users {

    private static final int COST = 12;
    /** bcrypt's limit on what it hashes. */
    private static final int MAX_PASSWORD_BYTES = 72;
    /** Compared against when the user does not exist, so that a wrong name takes as long as a wrong password. */
    private static final byte[] DUMMY_HASH = BCrypt.withDefaults().hash(COST, "not a password".toCharArray());

    private final DataSource dataSource;
    private final Map<String, User> remembered = new ConcurrentHashMap<>();
    /** Counts the notices of change: a lookup that raced one does not remember what it read. */
    private final AtomicLong changes = new AtomicLong();
    private volatile boolean cacheTrusted;

    public Users(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Listens for changed users while it runs (a Jetty bean of the server); without it nothing is remembered. */
    public LifeCycle changeListener() {
        return new UserChangeListener(dataSource, this);
    }

    void trustCache(boolean trusted) {
        changes.incrementAndGet();
        cacheTrusted = trusted;
        remembered.clear();
    }

    /** Forgets a changed user; the empty name: everyone. */
    void forget(String username) {
        changes.incrementAndGet();
        if (username.isEmpty()) {
            remembered.clear();
        } else {
            remembered.remove(username);
        }
    }

    /** Creates or updates the server's tables. */
    public void migrate() {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/server").table("flyway_server_history")
                .baselineOnMigrate(true).baselineVersion("0").load().migrate();
    }

    public boolean isEmpty() {
        return query("SELECT count(*) FROM users", null, rs -> rs.getLong(1)).orElse(0L) == 0;
    }

    /** Adds a user; false when the name is taken. */
    public boolean add(String username, char[] password, Role role) {
        checkPassword(password);
        return update("INSERT INTO users (username, password_hash, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                username, hash(password), role.name()) == 1;
    }

    /** Sets a user's password; false when there is no such user. */
    public boolean setPassword(String username, char[] password) {
        checkPassword(password);
        return update("UPDATE users SET password_hash = ? WHERE username = ?", hash(password), username) == 1;
    }

    public boolean remove(String username) {
        boolean removed = update("DELETE FROM users WHERE username = ?", username) == 1;
        // The notice of the change comes a moment later; in this process the change is known now.
        forget(username);
        return removed;
    }

    /** The user, with its current role. */
    public Optional<User> find(String username) {
        User known = cacheTrusted ? remembered.get(username) : null;
        if (known != null) {
            return Optional.of(known);
        }
        long before = changes.get();
        Optional<User> user = query("SELECT username, role FROM users WHERE username = ?", username,
                rs -> new User(rs.getString(1), Role.valueOf(rs.getString(2))));
        if (user.isPresent() && cacheTrusted) {
            remembered.put(username, user.get());
            // A notice that came since the read may be about this user: drop what was read.
            if (changes.get() != before) {
                remembered.remove(username, user.get());
            }
        }
        return user;
    }

    /** The user when the password is right. */
    public Optional<User> authenticate(String username, char[] password) {
        Optional<String[]> row = query("SELECT password_hash, role FROM users WHERE username = ?", username,
                rs -> new String[] {rs.getString(1), rs.getString(2)});
        byte[] hash = row.map(r -> r[0].getBytes(StandardCharsets.UTF_8)).orElse(DUMMY_HASH);
        // bcrypt throws past its 72 bytes, and no stored password is longer: a longer one is simply wrong.
        boolean verified = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password)).remaining() <= MAX_PASSWORD_BYTES
                && BCrypt.verifyer().verify(password, hash).verified;
        return verified && row.isPresent() ? Optional.of(new User(username, Role.valueOf(row.get()[1])))
                : Optional.empty();
    }

    private static String hash(char[] password) {
        return BCrypt.withDefaults().hashToString(COST, password);
    }

    private static void checkPassword(char[] password) {
        if (password.length < 8) {
            throw new IllegalArgumentException("a password needs at least 8 characters");
        }
        if (password.length > 72) {
            throw new IllegalArgumentException("a password may have at most 72 characters (bcrypt's limit)");
        }
    }

    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> Optional<T> query(String sql, String parameter, RowMapper<T> mapper) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            if (parameter != null) {
                s.setString(1, parameter);
            }
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("users: " + e.getMessage(), e);
        }
    }

    private int update(String sql, String... parameters) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setString(i + 1, parameters[i]);
            }
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("users: " + e.getMessage(), e);
        }
    }
}
