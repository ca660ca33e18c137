package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hiringkit.testing.TestDatabase;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server audit of graphql-http 1.23.1 (the npm package's {@code serverAudits}), case by case, with its
 * ids: the requests it sends and what it expects, MUST and SHOULD alike, so that a SHOULD missed fails here
 * as a warning would there. Like the audit, it sends no token. Run against the real thing with
 * {@code node} and the pinned package, it reports 0 errors and 0 warnings (see the README).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GraphQLHttpAuditTest {

    private static final String JSON = "application/json";
    private static final String GRAPHQL_RESPONSE = "application/graphql-response+json";
    private static final String TYPENAME = "{\"query\":\"{ __typename }\"}";
    private static final String TYPE_QUERY = "query Type($name: String!) { __type(name: $name) { name } }";
    private static final String UNKNOWN_FIELD = "{\"query\":\"{ 8f31403dfe404bccbb0e835f2629c6a7 }\"}";
    private static final String COERCE_FAILURE = "{\"query\":\"query CoerceFailure($id: ID!){ __typename }\",\"variables\":{\"id\":null}}";

    @TempDir
    static Path dir;
    private TestServer server;

    @BeforeAll
    void start() throws Exception {
        server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir, true);
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        server.dataSource.close();
    }

    /** One audit: its id, what it checks, the request, and what the answer must be. */
    private record Audit(String id, String name, HttpRequest request, IntPredicate status, String contentType,
            Boolean hasData) {
    }

    private HttpRequest.Builder post(String accept, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.base.resolve("/graphql"))
                .header("Content-Type", JSON).POST(HttpRequest.BodyPublishers.ofString(body));
        return accept == null ? request : request.header("Accept", accept);
    }

    private HttpRequest get(String accept, Map<String, String> parameters) {
        StringBuilder query = new StringBuilder();
        parameters.forEach((k, v) -> query.append(query.length() == 0 ? "?" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.base + "/graphql" + query)).GET();
        return (accept == null ? request : request.header("Accept", accept)).build();
    }

    private static String json(Map<String, Object> body) throws Exception {
        return TestServer.JSON.writeValueAsString(body);
    }

    private static Map<String, Object> with(String key, Object value) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", "{ __typename }");
        body.put(key, value);
        return body;
    }

    private static IntPredicate is(int status) {
        return s -> s == status;
    }

    private static IntPredicate between(int low, int high) {
        return s -> s >= low && s <= high;
    }

    private List<Audit> audits() throws Exception {
        List<Audit> audits = new ArrayList<>();
        // Media types
        audits.add(new Audit("22EB", "SHOULD accept application/graphql-response+json and match the content-type",
                post(GRAPHQL_RESPONSE, TYPENAME).build(), is(200), GRAPHQL_RESPONSE, null));
        audits.add(new Audit("4655", "MUST accept application/json and match the content-type",
                post(JSON, TYPENAME).build(), is(200), JSON, null));
        audits.add(new Audit("47DE", "SHOULD accept */* and use application/json for the content-type",
                post("*/*", TYPENAME).build(), is(200), JSON, null));
        audits.add(new Audit("80D8", "SHOULD assume application/json content-type when accept is missing",
                post(null, TYPENAME).build(), is(200), JSON, null));
        audits.add(new Audit("82A3", "MUST use utf-8 encoding when responding", post(null, TYPENAME).build(), is(200),
                null, null));
        audits.add(new Audit("BF61", "MUST accept utf-8 encoded request", HttpRequest.newBuilder(server.base.resolve("/graphql"))
                .header("Content-Type", "application/json; charset=utf-8").POST(HttpRequest.BodyPublishers.ofString(
                        json(Map.of("query", "{ __type(name: \"Run\uD83C\uDFC3Swim\uD83C\uDFCA\") { name } }")),
                        StandardCharsets.UTF_8)).build(), is(200), null, null));
        audits.add(new Audit("78D5", "MUST assume utf-8 in request if encoding is unspecified",
                post(null, TYPENAME).build(), is(200), null, null));
        // Request
        audits.add(new Audit("2C94", "MUST accept POST requests", post(null, TYPENAME).build(), is(200), null, null));
        audits.add(new Audit("5A70", "MAY accept application/x-www-form-urlencoded formatted GET requests",
                get(null, Map.of("query", "{ __typename }")), is(200), null, null));
        audits.add(new Audit("9C48", "MAY NOT allow executing mutations on GET requests",
                get(GRAPHQL_RESPONSE, Map.of("query", "mutation { __typename }")), between(400, 499), null, null));
        audits.add(new Audit("9ABE", "SHOULD respond with 4xx status code if content-type is not supplied on POST requests",
                HttpRequest.newBuilder(server.base.resolve("/graphql")).POST(HttpRequest.BodyPublishers.ofString(TYPENAME))
                        .build(), between(400, 499), null, null));
        audits.add(new Audit("03D4", "MUST accept application/json POST requests", post(null, TYPENAME).build(), is(200),
                null, null));
        audits.add(new Audit("A5BF", "MAY use 400 status code when request body is missing on POST",
                HttpRequest.newBuilder(server.base.resolve("/graphql")).header("Content-Type", JSON)
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), is(400), null, null));
        audits.add(new Audit("423L", "MAY use 400 status code on missing {query} parameter",
                post(GRAPHQL_RESPONSE, json(Map.of("notquery", "{ __typename }"))).build(), is(400), null, null));
        Object[] invalid = {Map.of("obj", "ect"), 0, false, List.of("array")};
        for (int i = 0; i < invalid.length; i++) {
            audits.add(new Audit("LKJ" + i, "MAY use 400 status code on " + invalid[i] + " {query} parameter",
                    post(GRAPHQL_RESPONSE, json(Map.of("query", invalid[i]))).build(), is(400), null, null));
        }
        audits.add(new Audit("34A2", "SHOULD allow string {query} parameter when accepting application/graphql-response+json",
                post(GRAPHQL_RESPONSE, TYPENAME).build(), is(200), null, null));
        audits.add(new Audit("13EE", "MUST allow string {query} parameter when accepting application/json",
                post(JSON, TYPENAME).build(), is(200), null, null));
        for (int i = 0; i < invalid.length; i++) {
            audits.add(new Audit("6C0" + i, "MAY use 400 status code on " + invalid[i] + " {operationName} parameter",
                    post(GRAPHQL_RESPONSE, json(with("operationName", invalid[i]))).build(), is(400), null, null));
        }
        Map<String, Object> named = Map.of("operationName", "Query", "query", "query Query { __typename }");
        audits.add(new Audit("8161", "SHOULD allow string {operationName} parameter when accepting application/graphql-response+json",
                post(GRAPHQL_RESPONSE, json(named)).build(), is(200), null, null));
        audits.add(new Audit("B8B3", "MUST allow string {operationName} parameter when accepting application/json",
                post(JSON, json(named)).build(), is(200), null, null));
        String[] nullable = {"operationName", "variables", "extensions"};
        for (int i = 0; i < nullable.length; i++) {
            audits.add(new Audit("94B" + i, "SHOULD allow null {" + nullable[i] + "} parameter when accepting"
                    + " application/graphql-response+json", post(GRAPHQL_RESPONSE, json(with(nullable[i], null))).build(),
                    is(200), GRAPHQL_RESPONSE, null));
            audits.add(new Audit("022" + i, "MUST allow null {" + nullable[i] + "} parameter when accepting application/json",
                    post(JSON, json(with(nullable[i], null))).build(), is(200), JSON, null));
        }
        Object[] invalidMaps = {"string", 0, false, List.of("array")};
        for (int i = 0; i < invalidMaps.length; i++) {
            audits.add(new Audit("476" + i, "MAY use 400 status code on " + invalidMaps[i] + " {variables} parameter",
                    post(GRAPHQL_RESPONSE, json(with("variables", invalidMaps[i]))).build(), is(400), null, null));
        }
        Map<String, Object> typeQuery = Map.of("query", TYPE_QUERY, "variables", Map.of("name", "sometype"));
        audits.add(new Audit("2EA1", "SHOULD allow map {variables} parameter when accepting application/graphql-response+json",
                post(GRAPHQL_RESPONSE, json(typeQuery)).build(), is(200), GRAPHQL_RESPONSE, null));
        audits.add(new Audit("28B9", "MUST allow map {variables} parameter when accepting application/json",
                post(JSON, json(typeQuery)).build(), is(200), JSON, null));
        Map<String, String> typeParameters = Map.of("query", TYPE_QUERY, "variables", "{\"name\":\"sometype\"}");
        audits.add(new Audit("D6D5", "MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting"
                + " application/graphql-response+json", get(GRAPHQL_RESPONSE, typeParameters), is(200), GRAPHQL_RESPONSE, null));
        audits.add(new Audit("6A70", "MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting"
                + " application/json", get(JSON, typeParameters), is(200), JSON, null));
        for (int i = 0; i < invalidMaps.length; i++) {
            audits.add(new Audit("58B" + i, "MAY use 400 status code on " + invalidMaps[i] + " {extensions} parameter",
                    post(GRAPHQL_RESPONSE, json(with("extensions", invalidMaps[i]))).build(), is(400), null, null));
        }
        Map<String, Object> extensions = with("extensions", Map.of("some", "value"));
        audits.add(new Audit("428F", "SHOULD allow map {extensions} parameter when accepting application/graphql-response+json",
                post(GRAPHQL_RESPONSE, json(extensions)).build(), is(200), GRAPHQL_RESPONSE, null));
        audits.add(new Audit("1B7A", "MUST allow map {extensions} parameter when accepting application/json",
                post(JSON, json(extensions)).build(), is(200), JSON, null));
        // Request errors
        audits.add(new Audit("B6DC", "MAY use 2xx, 4xx, or 5xx status codes on JSON parsing failure when accepting"
                + " application/json", post(JSON, "{ \"not a JSON").build(), between(200, 599), null, null));
        audits.add(new Audit("BCF8", "SHOULD use 400 status code on JSON parsing failure when accepting application/json",
                post(JSON, "{ \"not a JSON").build(), is(400), null, null));
        audits.add(new Audit("B7N8", "SHOULD use 400 status code on JSON parsing failure when accepting"
                + " application/graphql-response+json", post(GRAPHQL_RESPONSE, "{ \"not a JSON").build(), is(400), null, null));
        audits.add(new Audit("8764", "MAY use 4xx or 5xx status codes if parameters are invalid",
                post(null, json(Map.of("qeury", "{ __typename }"))).build(), between(400, 599), null, null));
        audits.add(new Audit("3E3A", "MAY use 400 status code if parameters are invalid",
                post(null, json(Map.of("qeury", "{ __typename }"))).build(), is(400), null, null));
        // Responses in application/json: a request error is a 200
        audits.add(new Audit("572B", "SHOULD use 200 status code on document parsing failure when accepting application/json",
                post(JSON, "{\"query\":\"{\"}").build(), is(200), JSON, false));
        audits.add(new Audit("FDE2", "SHOULD use 200 status code on document validation failure when accepting"
                + " application/json", post(JSON, UNKNOWN_FIELD).build(), is(200), JSON, false));
        audits.add(new Audit("7B9B", "SHOULD use a status code of 200 on variable coercion failure when accepting"
                + " application/json", post(JSON, COERCE_FAILURE).build(), is(200), JSON, false));
        // Responses in application/graphql-response+json: a 400, without data
        audits.add(new Audit("865D", "SHOULD use 4xx or 5xx status codes on document parsing failure when accepting"
                + " application/graphql-response+json", post(GRAPHQL_RESPONSE, "{\"query\":\"{\"}").build(),
                between(400, 599), null, null));
        audits.add(new Audit("556A", "SHOULD use 400 status code on document parsing failure when accepting"
                + " application/graphql-response+json", post(GRAPHQL_RESPONSE, "{\"query\":\"{\"}").build(), is(400),
                GRAPHQL_RESPONSE, null));
        audits.add(new Audit("D586", "SHOULD not contain the data entry on document parsing failure when accepting"
                + " application/graphql-response+json", post(GRAPHQL_RESPONSE, "{\"query\":\"{\"}").build(),
                s -> true, null, false));
        audits.add(new Audit("51FE", "SHOULD use 4xx or 5xx status codes on document validation failure when accepting"
                + " application/graphql-response+json", post(GRAPHQL_RESPONSE, UNKNOWN_FIELD).build(), between(400, 599),
                null, null));
        audits.add(new Audit("74FF", "SHOULD use 400 status code on document validation failure when accepting"
                + " application/graphql-response+json", post(GRAPHQL_RESPONSE, UNKNOWN_FIELD).build(), is(400), null, null));
        audits.add(new Audit("5E5B", "SHOULD not contain the data entry on document validation failure when accepting"
                + " application/graphql-response+json", post(GRAPHQL_RESPONSE, UNKNOWN_FIELD).build(), s -> true, null,
                false));
        audits.add(new Audit("86EE", "SHOULD use a status code of 400 on variable coercion failure when accepting"
                + " application/graphql-response+json", post(GRAPHQL_RESPONSE, COERCE_FAILURE).build(), is(400), null,
                false));
        return audits;
    }

    @TestFactory
    Stream<DynamicTest> everyAuditPasses() throws Exception {
        List<Audit> audits = audits();
        assertEquals(61, audits.size(), "the audit's 61 cases");
        return audits.stream().map(audit -> DynamicTest.dynamicTest(audit.id() + " " + audit.name(), () -> {
            HttpResponse<byte[]> response = server.http.send(audit.request(), HttpResponse.BodyHandlers.ofByteArray());
            String body = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(response.body())).toString();
            assertTrue(audit.status().test(response.statusCode()), response.statusCode() + " " + body);
            if (audit.contentType() != null) {
                assertTrue(response.headers().firstValue("Content-Type").orElse("").contains(audit.contentType()),
                        response.headers().toString());
            }
            if (audit.hasData() != null) {
                JsonNode answer = TestServer.JSON.readTree(body);
                assertEquals(audit.hasData(), answer.has("data"), body);
                assertTrue(answer.has("errors"), body);
            }
            assertNoJavaNames(body);
        }));
    }

    /** What an error says is for people and programs using GraphQL, not for those who wrote the server. */
    static void assertNoJavaNames(String body) {
        for (String java : Arrays.asList("java.", "graphql.", "jakarta.", "org.", "Exception", "classification", "\tat ")) {
            assertFalse(body.contains(java), "'" + java + "' in " + body);
        }
    }
}
