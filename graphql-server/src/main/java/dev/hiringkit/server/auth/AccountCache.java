package dev.hiringkit.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The accounts of one table a server has looked up, by id, kept only while the {@link AccountChangeListener}
 * hears of every change (or checks them all every poll interval): a request then costs no database round trip to check its token's account. While
 * it does not listen, nothing is kept and every lookup reads the database.
 */
final class AccountCache {

    /** Far more accounts than a company signs in with; past it the least used are dropped and read again. */
    private static final int MAX_ACCOUNTS = 10_000;

    private final Cache<UUID, Account> remembered = Caffeine.newBuilder().maximumSize(MAX_ACCOUNTS).build();
    /** Counts the notices of change: a lookup that raced one does not remember what it read. */
    private final AtomicLong changes = new AtomicLong();
    private volatile boolean trusted;

    void trust(boolean trusted) {
        changes.incrementAndGet();
        this.trusted = trusted;
        remembered.invalidateAll();
    }

    void forget(UUID id) {
        changes.incrementAndGet();
        remembered.invalidate(id);
    }

    void forgetAll() {
        changes.incrementAndGet();
        remembered.invalidateAll();
    }

    /** The id and version of each account remembered now, for a check against the stored ones. */
    Map<UUID, Integer> versions() {
        Map<UUID, Integer> versions = new HashMap<>();
        remembered.asMap().forEach((id, account) -> versions.put(id, account.version()));
        return versions;
    }

    Optional<Account> find(UUID id, Function<UUID, Optional<Account>> read) {
        Account known = trusted ? remembered.getIfPresent(id) : null;
        if (known != null) {
            return Optional.of(known);
        }
        long before = changes.get();
        Optional<Account> account = read.apply(id);
        if (account.isPresent() && trusted) {
            remembered.put(id, account.get());
            // A notice that came since the read may be about this account: drop what was read.
            if (changes.get() != before) {
                remembered.asMap().remove(id, account.get());
            }
        }
        return account;
    }
}
