package dev.hiringkit.server.auth;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.IncorrectClaimException;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The company's identity provider (Keycloak, Okta, Entra ID, Auth0, ...), whose access tokens the server
 * accepts alongside its own: signed with an asymmetric algorithm by a key the provider publishes in its
 * JWKS, from the configured issuer, for the configured audience. The person's role comes from a claim of
 * the token (a list of group or role names, or a space-separated string such as {@code scope}) through a
 * mapping of those names to reader, writer and admin; a token that maps to none is refused. No user row
 * is needed. Built with {@link #builder()}.
 */
public final class IdentityProvider {

    /**
     * The algorithms taken from a provider: asymmetric only. No HMAC, so a token "signed" with the
     * provider's public key as an HMAC secret is never checked against that key.
     */
    static final Set<String> ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
            "ES512");

    private final String issuer;
    private final String audience;
    private final String rolesClaim;
    private final Map<String, Role> roles;
    private final JwksKeys keys;
    private final JwtParser parser;

    private IdentityProvider(Builder b) {
        this.issuer = b.issuer;
        this.audience = b.audience;
        this.rolesClaim = b.rolesClaim;
        this.roles = Map.copyOf(b.roles);
        this.keys = new JwksKeys(b.issuer, b.jwksUri, b.clock, b.minRefreshInterval, b.maxKeyAge);
        this.parser = Jwts.parser().keyLocator(keys).requireIssuer(issuer)
                .sig().clear().add(List.of(Jwts.SIG.RS256, Jwts.SIG.RS384, Jwts.SIG.RS512, Jwts.SIG.PS256, Jwts.SIG.PS384,
                        Jwts.SIG.PS512, Jwts.SIG.ES256, Jwts.SIG.ES384, Jwts.SIG.ES512)).and()
                .json(new StrictTokenJson()).clockSkewSeconds(Tokens.LEEWAY.toSeconds())
                .clock(() -> java.util.Date.from(b.clock.instant()))
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String issuer() {
        return issuer;
    }

    public String audience() {
        return audience;
    }

    public String rolesClaim() {
        return rolesClaim;
    }

    /** Provider names and the roles they give; empty when the names reader, writer and admin are used as they are. */
    public Map<String, Role> roleMapping() {
        return roles;
    }

    /**
     * Reads the provider's keys now (through discovery when no JWKS URL was given) and returns their ids:
     * a server calls it at start to find a wrong address at once.
     *
     * @throws IOException when the provider cannot be reached or answers with something else
     */
    public Set<String> refreshKeys() throws IOException {
        return keys.refresh();
    }

    void onKeysRemoved(Consumer<Set<String>> listener) {
        keys.onKeysRemoved(listener);
    }

    /** The token checked: signature by a published key, issuer, times, and audience. */
    Jws<Claims> parse(String token) {
        Jws<Claims> jws = parser.parseSignedClaims(token);
        Set<String> audiences = jws.getPayload().getAudience();
        if (audiences == null || !audiences.contains(audience)) {
            throw new IncorrectClaimException(jws.getHeader(), jws.getPayload(), Claims.AUDIENCE, audience,
                    "the token is not for the audience " + audience);
        }
        return jws;
    }

    /**
     * The person a checked token stands for: named by {@code preferred_username} (else {@code sub}), with
     * the highest role its roles claim maps to; empty when it maps to none.
     */
    Optional<User> user(Claims claims) {
        Object preferred = claims.get("preferred_username");
        String name = preferred instanceof String s && !s.isBlank() ? s : claims.getSubject();
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        Role best = null;
        for (String granted : roleNames(claims)) {
            Role role = roles.isEmpty() ? plainRole(granted) : roles.get(granted);
            if (role != null && (best == null || role.allows(best))) {
                best = role;
            }
        }
        return best == null ? Optional.empty() : Optional.of(new User(name, best, User.Kind.OIDC));
    }

    private static Role plainRole(String name) {
        try {
            return Role.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The names in the roles claim: a top-level claim of that exact name (Auth0's namespaced claims such as
     * {@code https://hiring.example.com/roles} hold dots), else a path through nested objects such as
     * Keycloak's {@code realm_access.roles}.
     */
    private Collection<String> roleNames(Claims claims) {
        Object value = claims.get(rolesClaim);
        if (value == null && rolesClaim.contains(".")) {
            Object node = claims;
            for (String part : rolesClaim.split("\\.")) {
                node = node instanceof Map<?, ?> map ? map.get(part) : null;
            }
            value = node;
        }
        List<String> names = new ArrayList<>();
        if (value instanceof String s) {
            names.addAll(List.of(s.trim().split("\\s+")));
        } else if (value instanceof Collection<?> list) {
            list.stream().filter(String.class::isInstance).map(String.class::cast).forEach(names::add);
        }
        return names;
    }

    /** Builds an {@link IdentityProvider}: the issuer and the audience are required. */
    public static final class Builder {
        private String issuer;
        private URI jwksUri;
        private String audience;
        private String rolesClaim = "roles";
        private final Map<String, Role> roles = new LinkedHashMap<>();
        private Clock clock = Clock.systemUTC();
        private Duration minRefreshInterval = Duration.ofSeconds(10);
        private Duration maxKeyAge = Duration.ofMinutes(10);

        private Builder() {
        }

        /**
         * The issuer, exactly as its tokens' {@code iss} says (for Keycloak {@code https://host/realms/NAME},
         * for Auth0 {@code https://TENANT.auth0.com/}); its keys are found through
         * {@code <issuer>/.well-known/openid-configuration} unless {@link #jwksUri} is given.
         */
        public Builder issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        /** Where the provider publishes its keys, for a provider without discovery. */
        public Builder jwksUri(URI jwksUri) {
            this.jwksUri = jwksUri;
            return this;
        }

        /** The audience tokens must be for ({@code aud}): the API's identifier at the provider. */
        public Builder audience(String audience) {
            this.audience = audience;
            return this;
        }

        /** The claim holding group or role names ({@code roles} by default); a dotted path reaches into objects. */
        public Builder rolesClaim(String rolesClaim) {
            this.rolesClaim = rolesClaim;
            return this;
        }

        /**
         * Gives the role to tokens whose roles claim holds {@code providerName}. Without any mapping the names
         * {@code reader}, {@code writer} and {@code admin} give those roles; with one, only mapped names count.
         */
        public Builder mapRole(String providerName, Role role) {
            roles.put(Objects.requireNonNull(providerName, "providerName"), Objects.requireNonNull(role, "role"));
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * How often at most a token naming an unknown key makes the keys be read again (10 s by default), and
         * how old the keys may get before they are read again (10 minutes by default).
         */
        public Builder keyRefresh(Duration minInterval, Duration maxAge) {
            this.minRefreshInterval = minInterval;
            this.maxKeyAge = maxAge;
            return this;
        }

        public IdentityProvider build() {
            if (issuer == null || issuer.isBlank()) {
                throw new IllegalArgumentException("an identity provider needs its issuer (--oidc-issuer)");
            }
            if (audience == null || audience.isBlank()) {
                throw new IllegalArgumentException("an identity provider needs the audience its tokens must be for"
                        + " (--audience): without it, a token the provider issued to any other application would do");
            }
            if (rolesClaim == null || rolesClaim.isBlank()) {
                throw new IllegalArgumentException("the roles claim cannot be empty");
            }
            return new IdentityProvider(this);
        }
    }
}
