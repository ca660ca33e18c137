package dev.hiringkit.server.auth;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;

/** Issues and checks the server's access tokens: JWTs signed with HS256, valid for a set time. */
public final class Tokens {

    /** The least key length HS256 allows. */
    public static final int MIN_SECRET_BYTES = 32;

    private final SecretKey key;
    private final Duration lifetime;
    private final Clock clock;
    /** Built once: building a parser costs more than checking a token with it. */
    private final JwtParser parser;
    /**
     * Tokens whose signature was already checked, with their validity: a client sends the same token
     * with every request, and parsing and verifying it cost a tenth of a 1000-row ingest's server time.
     */
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    /** What a checked token says; its times are checked again on every use. */
    private record Verified(String subject, Instant notBefore, Instant expiration) {
        boolean validAt(Instant now) {
            return !now.isBefore(notBefore) && !now.isAfter(expiration);
        }
    }

    /** Enough for every signed-in client of one server; past it the cache starts over. */
    private static final int MAX_VERIFIED = 10_000;

    public Tokens(byte[] secret, Duration lifetime, Clock clock) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the token secret has " + secret.length + " bytes; HS256 needs at least "
                    + MIN_SECRET_BYTES);
        }
        this.key = Keys.hmacShaKeyFor(secret);
        this.lifetime = lifetime;
        this.clock = clock;
        this.parser = Jwts.parser().verifyWith(key).clock(() -> Date.from(clock.instant())).build();
    }

    /**
     * The secret from {@code HIRING_JWT_SECRET} when given, else one generated once and kept in
     * {@code keyFile}, readable by its owner only.
     */
    public static byte[] secret(String fromEnvironment, Path keyFile) throws IOException {
        if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
            byte[] secret = fromEnvironment.getBytes(StandardCharsets.UTF_8);
            if (secret.length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("HIRING_JWT_SECRET has " + secret.length + " bytes; it needs at least "
                        + MIN_SECRET_BYTES + " (for example: openssl rand -base64 48)");
            }
            return secret;
        }
        if (Files.exists(keyFile)) {
            return Base64.getDecoder().decode(Files.readString(keyFile).trim());
        }
        byte[] secret = new byte[48];
        new SecureRandom().nextBytes(secret);
        Files.createDirectories(keyFile.toAbsolutePath().getParent());
        Path partial = keyFile.resolveSibling(keyFile.getFileName() + ".partial");
        Files.writeString(partial, Base64.getEncoder().encodeToString(secret));
        try {
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's own protection applies
        }
        Files.move(partial, keyFile);
        return secret;
    }

    public Duration lifetime() {
        return lifetime;
    }

    public String issue(User user) {
        Instant now = clock.instant();
        return Jwts.builder()
                .subject(user.username())
                .claim("role", user.role().name())
                .id(UUID.randomUUID().toString())
                .issuedAt(Date.from(now))
                .notBefore(Date.from(now))
                .expiration(Date.from(now.plus(lifetime)))
                .signWith(key, Jwts.SIG.HS256)
                .compact();
    }

    /** The user name a valid token was issued to; empty for a token that is forged, expired or not yet valid. */
    public Optional<String> verify(String token) {
        Verified known = verified.get(token);
        if (known != null) {
            return known.validAt(clock.instant()) ? Optional.of(known.subject()) : Optional.empty();
        }
        Claims claims;
        try {
            claims = parser.parseSignedClaims(token).getPayload();
        } catch (JwtException | IllegalArgumentException e) {
            return Optional.empty();
        }
        // Only tokens this server issued are kept: they carry a subject and both times.
        if (claims.getSubject() != null && claims.getNotBefore() != null && claims.getExpiration() != null) {
            if (verified.size() >= MAX_VERIFIED) {
                verified.clear();
            }
            verified.put(token, new Verified(claims.getSubject(), claims.getNotBefore().toInstant(),
                    claims.getExpiration().toInstant()));
        }
        return Optional.ofNullable(claims.getSubject());
    }
}
