package dev.hiringkit.server.graphql;

import dev.hiringkit.HiringException;
import dev.hiringkit.server.db.DatabaseFailures;
import graphql.ErrorClassification;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.execution.DataFetcherExceptionHandler;
import graphql.execution.DataFetcherExceptionHandlerParameters;
import graphql.execution.DataFetcherExceptionHandlerResult;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns exceptions into GraphQL errors with {@code extensions.code} and a message for people; an
 * unexpected exception is logged and answered with a generic message, never a stack trace or SQL. A
 * database that cannot be reached is {@code DATABASE_UNAVAILABLE} (the handler answers 503 when that is
 * the only error), text the database cannot store a {@code BAD_REQUEST}.
 */
final class ErrorMapping implements DataFetcherExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);

    @Override
    public CompletableFuture<DataFetcherExceptionHandlerResult> handleException(
            DataFetcherExceptionHandlerParameters parameters) {
        Throwable e = parameters.getException();
        if (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        String code;
        String message;
        if (e instanceof ApiException api) {
            code = api.code().name();
            message = api.getMessage();
        } else if (DatabaseFailures.unavailable(e)) {
            // One line, no stack: while the database is down every request comes here.
            LOG.warn("database unavailable in {}: {}", parameters.getPath(), DatabaseFailures.rootMessage(e));
            code = DatabaseFailures.UNAVAILABLE;
            message = DatabaseFailures.UNAVAILABLE_MESSAGE;
        } else if (DatabaseFailures.unstorableText(e)) {
            code = "BAD_REQUEST";
            message = DatabaseFailures.UNSTORABLE_TEXT_MESSAGE;
        } else if (e instanceof HiringException hiring && hiring.code() != HiringException.Code.INTERNAL_ERROR) {
            code = hiring.code().name();
            message = hiring.code() == HiringException.Code.DATABASE_ERROR
                    ? "The database could not complete the request; it has been logged." : hiring.getMessage();
            if (hiring.code() == HiringException.Code.DATABASE_ERROR) {
                LOG.error("database error in {}", parameters.getPath(), e);
            }
        } else if (e instanceof IllegalArgumentException) {
            code = "BAD_REQUEST";
            message = e.getMessage();
        } else {
            LOG.error("unexpected error in {}", parameters.getPath(), e);
            code = "INTERNAL_ERROR";
            message = "The server could not complete the request; it has been logged.";
        }
        GraphQLError error = GraphqlErrorBuilder.newError(parameters.getDataFetchingEnvironment())
                .message(message)
                // The code as the classification too: graphql-java's default would name an exception class.
                .errorType(ErrorClassification.errorClassification(code))
                .extensions(Map.of("code", code))
                .build();
        return CompletableFuture.completedFuture(DataFetcherExceptionHandlerResult.newResult(error).build());
    }
}
