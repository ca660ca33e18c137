package dev.hiringkit.server.graphql;

import static dev.hiringkit.server.graphql.ApiException.Code.FORBIDDEN;
import static dev.hiringkit.server.graphql.ApiException.Code.UNAUTHENTICATED;
import static java.util.Map.entry;

import dev.hiringkit.server.auth.Role;
import dev.hiringkit.server.auth.User;
import graphql.language.Document;
import graphql.language.OperationDefinition;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLSchema;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Who may ask for what, in one place: the root fields anyone may ask for without a token, and the role each
 * other root field needs. The HTTP layer asks it before running an operation (an anonymous request is a 401
 * unless it asks only for anonymous fields); the wiring puts every root field's fetcher behind it.
 */
public final class AccessPolicy {

    /** Fields anyone may ask for without a token: signing in, and the schema (for GraphiQL). */
    private static final Set<String> ANONYMOUS = Set.of("login", "__schema", "__type", "__typename");

    /** The role each other root field needs; names are unique over Query, Mutation and Subscription. */
    private static final Map<String, Role> ROLES = Map.ofEntries(
            entry("departments", Role.READER),
            entry("jobs", Role.READER),
            entry("hiredEmployees", Role.READER),
            entry("rejections", Role.READER),
            entry("loads", Role.READER),
            entry("hiresByQuarter", Role.READER),
            entry("departmentsAboveMean", Role.READER),
            entry("me", Role.READER),
            entry("backups", Role.READER),
            entry("loadProgress", Role.READER),
            entry("ingest", Role.WRITER),
            entry("loadHistorical", Role.WRITER),
            entry("uploadCsv", Role.WRITER),
            entry("loadStarted", Role.WRITER),
            entry("backup", Role.ADMIN),
            entry("restore", Role.ADMIN));

    private AccessPolicy() {
    }

    /** Whether a request without a token may run {@code operation}: only when it asks for anonymous fields. */
    public static boolean anonymousMayRun(Document document, OperationDefinition operation) {
        return ANONYMOUS.containsAll(RootFields.of(document, operation));
    }

    /** The signed-in user of the request, when they have {@code role}; else UNAUTHENTICATED or FORBIDDEN. */
    static User require(DataFetchingEnvironment env, Role role) {
        User user = env.getGraphQlContext().get(HiringGraphQL.USER);
        if (user == null) {
            throw new ApiException(UNAUTHENTICATED, "Sign in first: send 'Authorization: Bearer <token>'.");
        }
        if (!user.role().allows(role)) {
            throw new ApiException(FORBIDDEN, "This needs the " + role.name().toLowerCase(Locale.ROOT) + " role; "
                    + user.username() + " is a " + user.role().name().toLowerCase(Locale.ROOT) + ".");
        }
        return user;
    }

    /** Who the request acts for, as loads and batches record it (user:alice, client:etl); null if nobody. */
    static String madeBy(DataFetchingEnvironment env) {
        User user = env.getGraphQlContext().get(HiringGraphQL.USER);
        return user == null ? null : user.madeBy();
    }

    /** A root type's fetchers, each behind the role its field needs (an anonymous field's as it is). */
    @SuppressWarnings("rawtypes")
    static Map<String, DataFetcher> guarded(Map<String, DataFetcher<?>> fetchers) {
        Map<String, DataFetcher> guarded = new LinkedHashMap<>();
        fetchers.forEach((field, fetcher) -> {
            Role role = ROLES.get(field);
            if (ANONYMOUS.contains(field)) {
                guarded.put(field, fetcher);
            } else if (role == null) {
                throw new IllegalStateException("The access policy has no rule for the field '" + field + "'");
            } else {
                guarded.put(field, env -> {
                    require(env, role);
                    return fetcher.get(env);
                });
            }
        });
        return guarded;
    }

    /**
     * Fails at start-up when a root field of the schema has no rule, or a rule names no field: a new field
     * must be given one here, and its name must not repeat another root type's.
     */
    static void requireRules(GraphQLSchema schema) {
        List<String> fields = Stream.of(schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType())
                .filter(Objects::nonNull).map(GraphQLObjectType::getFieldDefinitions).flatMap(List::stream)
                .map(GraphQLFieldDefinition::getName).toList();
        Set<String> unruled = new TreeSet<>(fields);
        unruled.removeAll(ROLES.keySet());
        unruled.removeAll(ANONYMOUS);
        Set<String> unused = new TreeSet<>(ROLES.keySet());
        unused.removeAll(fields);
        if (!unruled.isEmpty() || !unused.isEmpty() || new HashSet<>(fields).size() != fields.size()) {
            throw new IllegalStateException("The access policy must rule each root field once: without a rule "
                    + unruled + ", rules for no field " + unused + ", all root fields " + fields);
        }
    }
}
