package dev.hiringkit.server.auth;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.jsonwebtoken.MalformedJwtException;
import io.jsonwebtoken.io.AbstractDeserializer;
import java.io.Reader;
import java.util.List;
import java.util.Map;

/**
 * Reads a token's header and claims for jjwt, more strictly than its default: a member named twice is
 * refused (two readers could take different ones), and {@code exp}, {@code nbf} and {@code iat} must be
 * JSON numbers, as RFC 7519 defines a NumericDate. jjwt on its own also takes a string there, such as
 * {@code "exp": "2099-01-01T00:00:00Z"}.
 */
final class StrictTokenJson extends AbstractDeserializer<Map<String, ?>> {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final List<String> NUMERIC_DATES = List.of("exp", "nbf", "iat");
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    @Override
    protected Map<String, ?> doDeserialize(Reader reader) throws Exception {
        Map<String, Object> map = JSON.readValue(reader, MAP);
        for (String name : NUMERIC_DATES) {
            if (map.containsKey(name) && !(map.get(name) instanceof Number)) {
                throw new MalformedJwtException("'" + name + "' must be a number of seconds (a NumericDate)");
            }
        }
        return map;
    }
}
