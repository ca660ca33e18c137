package dev.hiringkit.server.graphql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import graphql.ExecutionInput;
import graphql.GraphQL;
import graphql.GraphQLError;
import graphql.ParseAndValidate;
import graphql.ParseAndValidateResult;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.execution.preparsed.PreparsedDocumentProvider;
import graphql.language.Document;
import graphql.schema.GraphQLSchema;
import graphql.validation.GoodFaithIntrospectionExceeded;
import graphql.validation.ValidationError;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The parsed and validated form of recent documents, shared by the HTTP layer's checks (which need the
 * document before execution: its operation's type, whether it asks only for what anyone may) and
 * execution, so each document is parsed and validated once. Clients send the same few operations again
 * and again (an ingest loop sends one mutation with new variables).
 */
public final class DocumentCache implements PreparsedDocumentProvider {

    /**
     * Documents kept, weighed by their length: 32 MiB of text (with their syntax trees, a few times that in
     * memory). Eight of the largest bodies the server accepts (4 MiB), or thousands of usual operations.
     */
    private static final long MAX_CHARACTERS = 32L << 20;

    private final GraphQLSchema schema;
    /** Per instance, and never stale: keyed by the document's text, and the schema is the build's. */
    private final Cache<String, PreparsedDocumentEntry> entries = Caffeine.newBuilder()
            .maximumWeight(MAX_CHARACTERS)
            .weigher((String query, PreparsedDocumentEntry entry) -> query.length())
            .build();

    DocumentCache(GraphQLSchema schema) {
        this.schema = schema;
    }

    /** The cache a GraphQL built by {@link HiringGraphQL#build} executes with. */
    public static DocumentCache of(GraphQL graphQL) {
        return (DocumentCache) graphQL.getPreparsedDocumentProvider();
    }

    /**
     * The document parsed and validated against the schema, or its syntax or validation errors. Only
     * documents without errors are kept: a client that keeps sending broken ones costs a parse each time,
     * but fills no memory.
     */
    public PreparsedDocumentEntry prepare(String query) {
        PreparsedDocumentEntry cached = entries.getIfPresent(query);
        if (cached != null) {
            return cached;
        }
        PreparsedDocumentEntry entry = parseAndValidate(query);
        if (!entry.hasErrors()) {
            entries.put(query, entry);
        }
        return entry;
    }

    private PreparsedDocumentEntry parseAndValidate(String query) {
        // Parsed under graphql-java's default limits (15,000 tokens, ...), as execution would parse it.
        ParseAndValidateResult parsed = ParseAndValidate.parse(ExecutionInput.newExecutionInput(query).build());
        if (parsed.isFailure()) {
            return new PreparsedDocumentEntry(parsed.getSyntaxException().toInvalidSyntaxError());
        }
        Document document = parsed.getDocument();
        List<ValidationError> errors;
        try {
            // Every rule, and graphql-java's default limits, which its good-faith rules tighten for
            // introspection (500 fields, depth 20); the data's own limits are OperationLimits'.
            errors = ParseAndValidate.validate(schema, document, rule -> true, Locale.ENGLISH, null);
        } catch (GoodFaithIntrospectionExceeded e) {
            // What GraphQL.validate does with it (the exception is graphql-java's internal type).
            return new PreparsedDocumentEntry(document, List.<GraphQLError>of(e.toBadFaithError()));
        }
        return errors.isEmpty() ? new PreparsedDocumentEntry(document) : new PreparsedDocumentEntry(document, errors);
    }

    @Override
    public CompletableFuture<PreparsedDocumentEntry> getDocumentAsync(ExecutionInput input,
            Function<ExecutionInput, PreparsedDocumentEntry> parseAndValidate) {
        return CompletableFuture.completedFuture(prepare(input.getQuery()));
    }
}
