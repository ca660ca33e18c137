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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * The server's one cache of documents: the parsed and validated form of recent documents, kept under the
 * SHA-256 of their text. The HTTP layer's checks (which need the document before execution: its
 * operation's type, whether it asks only for what anyone may) and execution share each entry, so a document
 * is parsed and validated once; automatic persisted queries find a document by the same hash. Clients send
 * the same few operations again and again (an ingest loop sends one mutation with new variables).
 */
public final class DocumentCache implements PreparsedDocumentProvider {

    /**
     * GraphQLContext key of the {@link Prepared} document the HTTP layer already has, so execution does not
     * hash the text again.
     */
    public static final String PREPARED = "hiring.preparedDocument";

    /**
     * Documents kept, weighed by their length: 32 MiB of text (with their syntax trees, a few times that in
     * memory). Eight of the largest bodies the server accepts (4 MiB), or thousands of usual operations.
     */
    private static final long MAX_CHARACTERS = 32L << 20;

    /** A document's text, its SHA-256 (hex, as persisted queries name it), and its parsed and validated form. */
    public record Prepared(String query, String sha256, PreparsedDocumentEntry entry) {
    }

    private final GraphQLSchema schema;
    /**
     * Per instance, and never stale: keyed by the SHA-256 of the text, which no other document has, and the
     * schema is the build's. Another instance that lacks a persisted query answers PERSISTED_QUERY_NOT_FOUND
     * and the client sends it once.
     */
    private final Cache<String, Prepared> entries = Caffeine.newBuilder()
            .maximumWeight(MAX_CHARACTERS)
            .weigher((String sha256, Prepared prepared) -> prepared.query().length())
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
    public Prepared prepare(String query) {
        String sha256 = DigestUtils.sha256Hex(query);
        Prepared cached = entries.getIfPresent(sha256);
        if (cached != null) {
            return cached;
        }
        Prepared prepared = new Prepared(query, sha256, parseAndValidate(query));
        if (!prepared.entry().hasErrors()) {
            entries.put(sha256, prepared);
        }
        return prepared;
    }

    /** The text of a valid document seen recently, by its SHA-256 in lower-case hex. */
    public Optional<String> query(String sha256) {
        return Optional.ofNullable(entries.getIfPresent(sha256)).map(Prepared::query);
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
        Prepared prepared = input.getGraphQLContext().get(PREPARED);
        if (prepared == null || !prepared.query().equals(input.getQuery())) {
            prepared = prepare(input.getQuery());
        }
        return CompletableFuture.completedFuture(prepared.entry());
    }
}
