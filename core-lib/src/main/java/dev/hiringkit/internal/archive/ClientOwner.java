package dev.hiringkit.internal.archive;

import java.util.Optional;

/**
 * A store that made its own client ({@code S3Archive.store(S3Location)}), which the kit it is given to
 * closes. Names no SDK type, so the kit can ask any store. Internal to HiringKit, not part of its API.
 */
public interface ClientOwner {

    /** The client this store made and nobody else closes; empty when the caller gave it. */
    Optional<AutoCloseable> ownedClient();
}
