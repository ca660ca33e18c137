package dev.hiringkit.server.graphql;

import dev.hiringkit.validation.Datetimes;
import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.scalars.ExtendedScalars;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;
import graphql.schema.GraphQLScalarType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;

/** The schema's own scalars: DateTime (read by the data rules' parser) and Upload. */
final class Scalars {

    private Scalars() {
    }

    /** RFC 3339 as graphql-java-extended-scalars writes it, whose output clients already read. */
    @SuppressWarnings("unchecked")
    private static final Coercing<OffsetDateTime, String> RFC_3339 =
            (Coercing<OffsetDateTime, String>) ExtendedScalars.DateTime.getCoercing();

    /**
     * DateTime: the library's {@link Instant}s written in UTC; read (from a variable or a literal) by
     * {@link Datetimes#parse}, the one reading of a datetime the data rules have.
     */
    static final GraphQLScalarType DATE_TIME = GraphQLScalarType.newScalar(ExtendedScalars.DateTime)
            .coercing(new Coercing<OffsetDateTime, String>() {
                @Override
                public String serialize(Object result, GraphQLContext context, Locale locale) {
                    OffsetDateTime value = result instanceof Instant instant ? instant.atOffset(ZoneOffset.UTC)
                            : result instanceof OffsetDateTime dateTime ? dateTime
                            : result instanceof String text ? read(text).orElseThrow(() ->
                                    new CoercingSerializeException("'" + text + "' is not a DateTime"))
                            : null;
                    if (value == null) {
                        throw new CoercingSerializeException("A DateTime is an instant, not " + result);
                    }
                    return RFC_3339.serialize(value, context, locale);
                }

                @Override
                public OffsetDateTime parseValue(Object input, GraphQLContext context, Locale locale) {
                    Optional<OffsetDateTime> value = input instanceof String text ? read(text) : Optional.empty();
                    return value.orElseThrow(() -> new CoercingParseValueException(rule(input)));
                }

                @Override
                public OffsetDateTime parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context,
                        Locale locale) {
                    Optional<OffsetDateTime> value = input instanceof StringValue text ? read(text.getValue())
                            : Optional.empty();
                    return value.orElseThrow(() -> new CoercingParseLiteralException(rule(input)));
                }

                @Override
                public Value<?> valueToLiteral(Object input, GraphQLContext context, Locale locale) {
                    return StringValue.newStringValue(serialize(input, context, locale)).build();
                }
            })
            .build();

    private static Optional<OffsetDateTime> read(String text) {
        return Datetimes.parse(text).map(instant -> instant.atOffset(ZoneOffset.UTC));
    }

    private static String rule(Object input) {
        return "A DateTime is an ISO 8601 instant such as 2021-07-27T16:02:08Z, not " + input;
    }

    /** The Upload scalar: a {@link FileUpload} the HTTP layer put into the variables; never a literal or a result. */
    static final GraphQLScalarType UPLOAD = GraphQLScalarType.newScalar()
            .name("Upload")
            .coercing(new Coercing<FileUpload, Void>() {
                @Override
                public FileUpload parseValue(Object input, GraphQLContext context, Locale locale) {
                    if (input instanceof FileUpload upload) {
                        return upload;
                    }
                    throw new CoercingParseValueException("An Upload is a file part of a multipart request, named in"
                            + " its 'map'; its variable is null in 'operations'.");
                }

                @Override
                public FileUpload parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context,
                        Locale locale) {
                    throw new CoercingParseLiteralException("An Upload cannot be written in the document: pass it as a"
                            + " variable of a multipart request.");
                }

                @Override
                public Void serialize(Object result, GraphQLContext context, Locale locale) {
                    throw new CoercingSerializeException("An Upload is input only.");
                }
            })
            .build();
}
