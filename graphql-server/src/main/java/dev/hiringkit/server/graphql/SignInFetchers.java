package dev.hiringkit.server.graphql;

import static dev.hiringkit.server.graphql.ApiException.Code.INVALID_CREDENTIALS;
import static dev.hiringkit.server.graphql.ApiException.Code.TOO_MANY_ATTEMPTS;

import dev.hiringkit.server.auth.Auth;
import dev.hiringkit.server.auth.User;
import graphql.schema.DataFetchingEnvironment;

/** Signing in ({@code login}) and who is signed in ({@code me}). */
final class SignInFetchers {

    /** An access token, as the Token type reads it. */
    public record Token(String accessToken, String tokenType, long expiresIn, User user) {
    }

    private final Auth auth;

    SignInFetchers(Auth auth) {
        this.auth = auth;
    }

    Token login(DataFetchingEnvironment env) {
        String address = env.getGraphQlContext().getOrDefault(HiringGraphQL.ADDRESS, "unknown");
        Auth.Login login = auth.login(env.getArgument("username"), env.getArgument("password"), address);
        if (login instanceof Auth.Granted granted) {
            return new Token(granted.token(), "Bearer", granted.lifetime().toSeconds(), granted.user());
        }
        if (login instanceof Auth.Throttled throttled) {
            throw new ApiException(TOO_MANY_ATTEMPTS, "Too many failed sign-ins; try again in "
                    + Math.max(1, throttled.retryAfter().toSeconds()) + " seconds.");
        }
        throw new ApiException(INVALID_CREDENTIALS, "Wrong user name or password.");
    }

    /** The signed-in user, whom the access policy has already required. */
    User me(DataFetchingEnvironment env) {
        return env.getGraphQlContext().get(HiringGraphQL.USER);
    }
}
