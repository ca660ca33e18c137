package dev.hiringkit.server.graphql;

import static dev.hiringkit.server.graphql.ApiException.Code.BAD_REQUEST;

import dev.hiringkit.Table;
import graphql.schema.DataFetchingEnvironment;
import java.util.List;
import java.util.UUID;

/** Arguments the fetchers read alike: list sizes within their {@code @listSize}, ids, tables. */
final class Arguments {

    private Arguments() {
    }

    /** A list field's size argument, within the maximum its {@code @listSize} documents. */
    static int limit(DataFetchingEnvironment env, String argument) {
        int max = OperationLimits.ListSize.of(env.getFieldDefinition()).max();
        Integer value = env.getArgument(argument);
        if (value == null || value < 1 || value > max) {
            throw new ApiException(BAD_REQUEST, argument + " must be between 1 and " + max + ", got " + value);
        }
        return value;
    }

    /** A load or batch id given as text. */
    static UUID uuid(String argument, String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw new ApiException(BAD_REQUEST, argument + " must be a load or batch id (a UUID), got '" + value + "'");
        }
    }

    /** The {@code tables} argument; none given is all of them, which the library reads as an empty array. */
    static Table[] tables(DataFetchingEnvironment env) {
        List<String> tables = env.getArgument("tables");
        return tables == null ? new Table[0] : tables.stream().map(Table::valueOf).toArray(Table[]::new);
    }
}
