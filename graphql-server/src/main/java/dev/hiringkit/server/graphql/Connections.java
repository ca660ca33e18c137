package dev.hiringkit.server.graphql;

import static dev.hiringkit.server.graphql.ApiException.Code.BAD_REQUEST;

import dev.hiringkit.model.Page;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * The pages of the connection fields (Relay's shape: edges of cursor and node, and pageInfo) and their
 * cursors, which are opaque to clients: {@code id:N} for tables read by id, {@code log:N} for positions in
 * the rejections log, base64url.
 */
final class Connections {

    private Connections() {
    }

    /** A page of a connection, for graphql-java to read by property. */
    public record Connection<T>(List<Edge<T>> edges, PageInfo pageInfo) {
    }

    /** One item of a page and the cursor after which the next page starts. */
    public record Edge<T>(String cursor, T node) {
    }

    /** Where a page ends and whether another follows. */
    public record PageInfo(boolean hasNextPage, String endCursor) {
    }

    /** A page of the library's, as a connection whose cursors are the items' ids. */
    static <T> Connection<T> byId(Page<T> page, Function<T, Integer> id) {
        return of(page.items().stream().map(item -> new Edge<>(encode("id:", id.apply(item)), item)).toList(),
                page.nextAfter().isPresent());
    }

    static <T> Connection<T> of(List<Edge<T>> edges, boolean hasNextPage) {
        return new Connection<>(edges, new PageInfo(hasNextPage, edges.isEmpty() ? null
                : edges.get(edges.size() - 1).cursor()));
    }

    /** The id an {@code after} cursor of {@link #byId} names; null for none. */
    static Integer afterId(String cursor) {
        return decode("id:", cursor, Integer::valueOf);
    }

    static String logCursor(long position) {
        return encode("log:", position);
    }

    /** The rejections-log position an {@code after} cursor names; null for none. */
    static Long afterLogPosition(String cursor) {
        return decode("log:", cursor, Long::valueOf);
    }

    private static String encode(String kind, long value) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((kind + value).getBytes(StandardCharsets.UTF_8));
    }

    /** The number a cursor of this kind holds; null for no cursor. */
    private static <N> N decode(String kind, String cursor, Function<String, N> number) {
        if (cursor == null) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (text.startsWith(kind)) {
                return number.apply(text.substring(kind.length()));
            }
        } catch (IllegalArgumentException e) {
            // fall through to the error below: not base64url, or not a number
        }
        throw new ApiException(BAD_REQUEST, "'" + cursor + "' is not a cursor this server gave out");
    }
}
