package dev.hiringkit.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jsonwebtoken.JwsHeader;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.LocatorAdapter;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PublicJwk;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity provider's signing keys, read from its JWKS document (found through its OpenID discovery
 * document unless given) and kept in memory. They are read again when a token names a key not among them
 * (the provider rotated its keys), at most once per {@code minInterval} so that tokens with made-up key ids
 * cannot make the server hammer the provider, and when they are older than {@code maxAge}, so that a key
 * the provider withdrew stops being accepted. When the provider cannot be reached, the keys already read
 * stay in use.
 */
final class JwksKeys extends LocatorAdapter<Key> {

    private static final Logger LOG = LoggerFactory.getLogger(JwksKeys.class);
    /** A JWKS of a few keys is a few KB; a document over this is not one. */
    private static final int MAX_DOCUMENT_BYTES = 1 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Snapshot(Map<String, PublicJwk<?>> keys, Instant readAt) {
    }

    private final String issuer;
    private final HttpClient http;
    private final Clock clock;
    private final Duration minInterval;
    private final Duration maxAge;
    private final List<Consumer<Set<String>>> removalListeners = new CopyOnWriteArrayList<>();
    /** Given, or found through discovery on first use. */
    private volatile URI jwksUri;
    private volatile Snapshot snapshot;
    /** When keys were last asked for, successfully or not: the rate limit counts attempts. */
    private Instant lastAttempt;

    JwksKeys(String issuer, URI jwksUri, Clock clock, Duration minInterval, Duration maxAge) {
        this.issuer = issuer;
        this.jwksUri = jwksUri;
        this.clock = clock;
        this.minInterval = minInterval;
        this.maxAge = maxAge;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    void onKeysRemoved(Consumer<Set<String>> listener) {
        removalListeners.add(listener);
    }

    @Override
    protected Key locate(JwsHeader header) {
        String keyId = header.getKeyId();
        if (keyId == null) {
            throw new JwtException("the token names no key (kid)");
        }
        PublicJwk<?> jwk = find(keyId);
        if (jwk == null) {
            throw new JwtException("the provider publishes no key '" + keyId + "'");
        }
        if (jwk.getAlgorithm() != null && !jwk.getAlgorithm().equals(header.getAlgorithm())) {
            throw new JwtException("key '" + keyId + "' is for " + jwk.getAlgorithm() + ", not " + header.getAlgorithm());
        }
        return jwk.toKey();
    }

    /** The key with this id, reading the keys again when it is unknown or they are old, as the rate allows. */
    private PublicJwk<?> find(String keyId) {
        Instant now = clock.instant();
        Snapshot known = snapshot;
        if (known != null && known.keys().containsKey(keyId) && !isOld(known, now)) {
            return known.keys().get(keyId);
        }
        synchronized (this) {
            known = snapshot;
            boolean needed = known == null || !known.keys().containsKey(keyId) || isOld(known, now);
            if (needed && (lastAttempt == null || !now.isBefore(lastAttempt.plus(minInterval)))) {
                lastAttempt = now;
                try {
                    known = read(now);
                } catch (IOException e) {
                    LOG.warn("Could not read the keys of the identity provider {}: {}; the keys read before (if any)"
                            + " stay in use", issuer, e.getMessage());
                }
            }
            return known == null ? null : known.keys().get(keyId);
        }
    }

    private boolean isOld(Snapshot snapshot, Instant now) {
        return !now.isBefore(snapshot.readAt().plus(maxAge));
    }

    /** Reads the keys now, whatever the rate: at start-up, to find a wrong address at once. Their ids. */
    synchronized Set<String> refresh() throws IOException {
        lastAttempt = clock.instant();
        return read(lastAttempt).keys().keySet();
    }

    /** Reads the keys and puts them in place; tells the listeners of the ids that are gone. Holds the lock. */
    private Snapshot read(Instant now) throws IOException {
        URI uri = jwksUri != null ? jwksUri : discover();
        JwkSet set;
        try {
            set = Jwks.setParser().ignoreUnsupported(true).build().parse(get(uri));
        } catch (JwtException | IllegalArgumentException e) {
            throw new IOException(uri + " is not a JWK Set: " + e.getMessage(), e);
        }
        Map<String, PublicJwk<?>> keys = new HashMap<>();
        for (Jwk<?> jwk : set) {
            // Public signing keys only: a secret (oct) or private key has no place in a JWKS, and an
            // encryption key signs nothing.
            if (jwk instanceof PublicJwk<?> key && key.getId() != null
                    && (key.getPublicKeyUse() == null || key.getPublicKeyUse().equals("sig"))) {
                keys.put(key.getId(), key);
            }
        }
        Snapshot previous = snapshot;
        Snapshot next = new Snapshot(Map.copyOf(keys), now);
        snapshot = next;
        if (previous != null) {
            Set<String> removed = new HashSet<>(previous.keys().keySet());
            removed.removeAll(next.keys().keySet());
            if (!removed.isEmpty()) {
                LOG.info("The identity provider {} withdrew the keys {}", issuer, removed);
                removalListeners.forEach(listener -> listener.accept(Set.copyOf(removed)));
            }
        }
        return next;
    }

    /** The {@code jwks_uri} of the issuer's OpenID discovery document, whose {@code issuer} must be ours. */
    private URI discover() throws IOException {
        URI discovery = URI.create((issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer)
                + "/.well-known/openid-configuration");
        JsonNode document = JSON.readTree(get(discovery));
        JsonNode stated = document.get("issuer");
        if (stated == null || !issuer.equals(stated.asText())) {
            throw new IOException(discovery + " names the issuer " + stated + ", not " + issuer);
        }
        JsonNode keys = document.get("jwks_uri");
        if (keys == null || !keys.isTextual()) {
            throw new IOException(discovery + " names no jwks_uri");
        }
        try {
            jwksUri = URI.create(keys.asText());
        } catch (IllegalArgumentException e) {
            throw new IOException(discovery + " has a jwks_uri that is no URL: " + keys.asText(), e);
        }
        return jwksUri;
    }

    private String get(URI uri) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json").GET()
                .build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                byte[] bytes = body.readNBytes(MAX_DOCUMENT_BYTES + 1);
                if (response.statusCode() != 200) {
                    throw new IOException(uri + " answered " + response.statusCode());
                }
                if (bytes.length > MAX_DOCUMENT_BYTES) {
                    throw new IOException(uri + " sent over " + MAX_DOCUMENT_BYTES + " bytes");
                }
                return new String(bytes, StandardCharsets.UTF_8);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + uri, e);
        } catch (IOException e) {
            // A refused connection says nothing of itself (its message is null): name what failed.
            throw e.getMessage() != null && e.getMessage().startsWith(uri.toString()) ? e
                    : new IOException(uri + " could not be read: " + (e.getMessage() != null ? e.getMessage()
                            : e.getClass().getSimpleName()), e);
        } catch (IllegalArgumentException e) {
            throw new IOException(uri + ": " + e.getMessage(), e);
        }
    }
}
