package dev.hiringkit.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jws;
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
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.SecretKey;

/**
 * Issues and checks access tokens: the server's own, JWTs signed with HS256 and valid for a set time, and,
 * when an {@link IdentityProvider} is given, the provider's (RS256, ES256 and the like, with its keys).
 *
 * <p>The server's tokens carry {@code iss} {@value #ISSUER}, {@code sub} {@code user:<id>} or
 * {@code client:<id>} (an id never reused), {@code ver} (the account's version, which a change of password,
 * secret or role moves on), {@code preferred_username} or {@code client_id}, {@code iat}, {@code nbf},
 * {@code exp} and {@code jti}. A token is refused without a numeric {@code exp}, and outside its times by
 * more than {@link #LEEWAY}.
 */
public final class Tokens {

    /** The least key length HS256 allows. */
    public static final int MIN_SECRET_BYTES = 32;
    /** The {@code iss} of the server's own tokens. */
    static final String ISSUER = "hiringkit";
    /** How far the clocks of servers and providers may differ: a token's times are checked with this margin. */
    static final Duration LEEWAY = Duration.ofSeconds(30);
    /** Enough for every signed-in client of one server; past it the least used are checked again. */
    private static final int MAX_VERIFIED = 10_000;
    private static final ObjectMapper HEADER_JSON = new ObjectMapper();

    /** Whom a checked token names. */
    sealed interface Subject permits Own, External {
    }

    /** A token of this server: an account and the version it was issued for. */
    record Own(User.Kind kind, UUID id, int version) implements Subject {
    }

    /** A token of the identity provider, signed with its key {@code keyId}. */
    record External(User user, String keyId) implements Subject {
    }

    /** What a checked token says; its times are checked again on every use. */
    private record Verified(Subject subject, Instant notBefore, Instant expiration) {
        boolean validAt(Instant now) {
            return !now.isBefore(notBefore.minus(LEEWAY)) && !now.isAfter(expiration.plus(LEEWAY));
        }
    }

    private final SecretKey key;
    private final Duration lifetime;
    private final Clock clock;
    /** Built once: building a parser costs more than checking a token with it. */
    private final JwtParser parser;
    private final IdentityProvider provider;
    /**
     * Tokens whose signature was already checked: a client sends the same token with every request, and
     * parsing and verifying it cost a tenth of a 1000-row ingest's server time.
     */
    private final Cache<String, Verified> verified = Caffeine.newBuilder().maximumSize(MAX_VERIFIED).build();

    /** The server's own tokens only. */
    public Tokens(byte[] secret, Duration lifetime, Clock clock) {
        this(secret, lifetime, clock, null);
    }

    /** The server's own tokens, and those of {@code provider} (null: none). */
    public Tokens(byte[] secret, Duration lifetime, Clock clock, IdentityProvider provider) {
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the token secret has " + secret.length + " bytes; HS256 needs at least "
                    + MIN_SECRET_BYTES);
        }
        this.key = Keys.hmacShaKeyFor(secret);
        this.lifetime = lifetime;
        this.clock = clock;
        this.provider = provider;
        this.parser = Jwts.parser().verifyWith(key).requireIssuer(ISSUER)
                .sig().clear().add(Jwts.SIG.HS256).and()
                .json(new StrictTokenJson()).clockSkewSeconds(LEEWAY.toSeconds()).clock(() -> Date.from(clock.instant()))
                .build();
        if (provider != null) {
            // A key the provider no longer publishes signs nothing any more, not even a token checked before.
            provider.onKeysRemoved(removed -> verified.asMap().values().removeIf(v -> v.subject() instanceof External e
                    && removed.contains(e.keyId())));
        }
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

    String issue(Account account) {
        Instant now = clock.instant();
        return Jwts.builder()
                .issuer(ISSUER)
                .subject(account.kind().name().toLowerCase(Locale.ROOT) + ":" + account.id())
                .claim("ver", account.version())
                .claim(account.kind() == User.Kind.CLIENT ? "client_id" : "preferred_username", account.name())
                .id(UUID.randomUUID().toString())
                .issuedAt(Date.from(now))
                .notBefore(Date.from(now))
                .expiration(Date.from(now.plus(lifetime)))
                .signWith(key, Jwts.SIG.HS256)
                .compact();
    }

    /** Whom a valid token names; empty for one that is forged, expired, not yet valid or not one of ours. */
    Optional<Subject> verify(String token) {
        Verified known = verified.getIfPresent(token);
        if (known == null) {
            known = check(token);
            if (known == null) {
                return Optional.empty();
            }
            verified.put(token, known);
        }
        return known.validAt(clock.instant()) ? Optional.of(known.subject()) : Optional.empty();
    }

    /**
     * The token checked by the parser its algorithm calls for: HS256 by the server's key and issuer only,
     * an asymmetric algorithm by the provider's keys and issuer only. So a token signed with HS256 and the
     * provider's public key as its secret meets our secret, and fails.
     */
    private Verified check(String token) {
        String algorithm = algorithm(token);
        try {
            if (Jwts.SIG.HS256.getId().equals(algorithm)) {
                Claims claims = parser.parseSignedClaims(token).getPayload();
                Own own = own(claims);
                return own == null ? null : times(claims, own);
            }
            if (provider != null && IdentityProvider.ALGORITHMS.contains(algorithm)) {
                Jws<Claims> jws = provider.parse(token);
                Optional<User> user = provider.user(jws.getPayload());
                return user.isEmpty() ? null : times(jws.getPayload(), new External(user.get(), jws.getHeader().getKeyId()));
            }
        } catch (JwtException | IllegalArgumentException e) {
            return null;
        }
        return null;
    }

    /** The account a token of ours names, or null when its subject or version is not one we issue. */
    private static Own own(Claims claims) {
        String subject = claims.getSubject();
        Object version = claims.get("ver");
        int colon = subject == null ? -1 : subject.indexOf(':');
        if (colon < 0 || !(version instanceof Integer v)) {
            return null;
        }
        User.Kind kind = switch (subject.substring(0, colon)) {
            case "user" -> User.Kind.USER;
            case "client" -> User.Kind.CLIENT;
            default -> null;
        };
        return kind == null ? null : new Own(kind, UUID.fromString(subject.substring(colon + 1)), v);
    }

    /**
     * The token's times, or null when it has no {@code exp} or was issued in the future; the parser has
     * already checked {@code exp} and {@code nbf} against now.
     */
    private Verified times(Claims claims, Subject subject) {
        Date expiration = claims.getExpiration();
        if (expiration == null) {
            return null;
        }
        Instant notBefore = Instant.EPOCH;
        if (claims.getNotBefore() != null) {
            notBefore = claims.getNotBefore().toInstant();
        }
        if (claims.getIssuedAt() != null) {
            Instant issuedAt = claims.getIssuedAt().toInstant();
            if (issuedAt.isAfter(clock.instant().plus(LEEWAY))) {
                return null;
            }
            notBefore = issuedAt.isAfter(notBefore) ? issuedAt : notBefore;
        }
        return new Verified(subject, notBefore, expiration.toInstant());
    }

    /** The {@code alg} of the token's header, read before any check; null when there is none. */
    private static String algorithm(String token) {
        int dot = token.indexOf('.');
        if (dot <= 0) {
            return null;
        }
        try {
            JsonNode header = HEADER_JSON.readTree(Base64.getUrlDecoder().decode(token.substring(0, dot)));
            JsonNode alg = header == null ? null : header.get("alg");
            return alg != null && alg.isTextual() ? alg.asText() : null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
