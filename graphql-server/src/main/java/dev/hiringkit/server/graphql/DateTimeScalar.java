package dev.hiringkit.server.graphql;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.Value;
import graphql.scalars.ExtendedScalars;
import graphql.schema.Coercing;
import graphql.schema.GraphQLScalarType;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The DateTime scalar of graphql-java-extended-scalars, with a fast path for the common form of an ingest's
 * timestamps ({@code 2021-07-27T16:02:08Z}, {@code 2021-04-01T00:00:00.5-05:00}). The library parses with a
 * general {@code DateTimeFormatter}, which costs about as much as the rest of coercing a 1000-row ingest;
 * the fast path matches the one fixed form and builds the same {@link OffsetDateTime} from its fields.
 * Anything else, including every invalid value, goes to the library, so what is accepted and every error
 * stay its own.
 */
final class DateTimeScalar {

    private DateTimeScalar() {
    }

    static GraphQLScalarType create() {
        @SuppressWarnings("unchecked")
        Coercing<OffsetDateTime, String> library = (Coercing<OffsetDateTime, String>) ExtendedScalars.DateTime.getCoercing();
        return ExtendedScalars.DateTime.transform(scalar -> scalar.coercing(new Coercing<OffsetDateTime, String>() {
            @Override
            public String serialize(Object result, GraphQLContext context, Locale locale) {
                return library.serialize(result, context, locale);
            }

            @Override
            public OffsetDateTime parseValue(Object input, GraphQLContext context, Locale locale) {
                OffsetDateTime fast = input instanceof String text ? parse(text) : null;
                return fast != null ? fast : library.parseValue(input, context, locale);
            }

            @Override
            public OffsetDateTime parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context,
                    Locale locale) {
                return library.parseLiteral(input, variables, context, locale);
            }

            @Override
            public Value<?> valueToLiteral(Object input, GraphQLContext context, Locale locale) {
                return library.valueToLiteral(input, context, locale);
            }
        }));
    }

    /** The common form: date, time to the second, an optional fraction, Z or a {@code ±HH:MM} offset. */
    private static final Pattern COMMON = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?(?:Z|([+-])(\\d{2}):(\\d{2}))");

    /**
     * The value of a string of the common form, or null for anything else (left to the library): other
     * shapes, out-of-range fields, and the offset {@code -00:00}, which RFC 3339 gives a meaning of its own.
     */
    static OffsetDateTime parse(String s) {
        Matcher m = COMMON.matcher(s);
        if (!m.matches() || "-".equals(m.group(8)) && m.group(9).equals("00") && m.group(10).equals("00")) {
            return null;
        }
        String fraction = m.group(7) == null ? "" : m.group(7);
        int nanos = fraction.isEmpty() ? 0 : Integer.parseInt(fraction + "000000000".substring(fraction.length()));
        try {
            int sign = "-".equals(m.group(8)) ? -1 : 1;
            ZoneOffset offset = m.group(8) == null ? ZoneOffset.UTC
                    : ZoneOffset.ofHoursMinutes(sign * number(m, 9), sign * number(m, 10));
            return OffsetDateTime.of(number(m, 1), number(m, 2), number(m, 3), number(m, 4), number(m, 5), number(m, 6),
                    nanos, offset);
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static int number(Matcher m, int group) {
        return Integer.parseInt(m.group(group));
    }
}
