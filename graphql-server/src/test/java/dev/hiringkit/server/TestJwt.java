package dev.hiringkit.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hand-made JWTs for tests that need what no JWT library writes: an {@code exp} that is a string, or no
 * {@code exp} at all, under a valid HS256 signature.
 */
final class TestJwt {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private TestJwt() {
    }

    /** The claims of a token, readable and changeable, in their order. */
    static Map<String, Object> claims(String token) throws Exception {
        return JSON.readValue(Base64.getUrlDecoder().decode(token.split("\\.")[1]),
                new TypeReference<LinkedHashMap<String, Object>>() { });
    }

    /** A token of these claims, signed with HS256 and {@code secret}. */
    static String hs256(byte[] secret, Map<String, Object> header, Map<String, Object> claims) throws Exception {
        String signed = B64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + B64.encodeToString(JSON.writeValueAsBytes(claims));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        return signed + "." + B64.encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
    }

    static String hs256(byte[] secret, Map<String, Object> claims) throws Exception {
        return hs256(secret, Map.of("alg", "HS256", "typ", "JWT"), claims);
    }
}
