package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hiringkit.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Depth, field and cost limits hold for every request, also when the document was checked and cached
 * before; introspection is not theirs to limit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperationLimitsTest {

    @TempDir
    static Path dir;
    private TestServer server;
    private String reader;

    @BeforeAll
    void start() throws Exception {
        server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir,
                settings -> settings.maxDepth(4).maxComplexity(20).maxCost(5000));
        reader = server.token("reader");
    }

    @AfterAll
    void stop() throws Exception {
        server.close();
        server.dataSource.close();
    }

    /** {@code count} aliased {@code me { username }}: two fields each. */
    private static String fields(int count) {
        return IntStream.range(0, count).mapToObj(i -> "m" + i + ": me { username }").collect(Collectors.joining(" "));
    }

    @Test
    void tooManyFieldsAreRefusedEveryTime() throws Exception {
        assertEquals(200, server.post(reader, "{ " + fields(10) + " }", null).statusCode());
        for (int attempt = 0; attempt < 2; attempt++) {
            HttpResponse<String> refused = server.post(reader, "{ " + fields(11) + " }", null);
            assertEquals(400, refused.statusCode(), refused.body());
            assertEquals("OPERATION_TOO_COMPLEX", TestServer.JSON.readTree(refused.body())
                    .at("/errors/0/extensions/code").asText(), refused.body());
        }
        // Fields count as the answer holds them: spreads of one fragment merge into its fields, and a
        // fragment's fields count where they land.
        assertEquals(200, server.post(reader, "query { " + "...F ".repeat(11) + "} fragment F on Query { me { username } }",
                null).statusCode());
        String spreads = "query { ...A ...B } fragment A on Query { " + fields(5) + " }"
                + " fragment B on Query { " + fields(11).substring(fields(5).length()) + " }";
        assertEquals(400, server.post(reader, spreads, null).statusCode());
    }

    @Test
    void tooDeepIsRefusedEveryTime() throws Exception {
        String deep = "{ hiredEmployees { edges { node { id } } } }";
        assertEquals(200, server.post(reader, deep, null).statusCode());
        String deeper = "{ hiredEmployees { edges { node { id } } pageInfo { hasNextPage } } rejections { edges { node"
                + " { reasons { code } } } } }";
        for (int attempt = 0; attempt < 2; attempt++) {
            HttpResponse<String> refused = server.post(reader, deeper, null);
            assertEquals(400, refused.statusCode(), refused.body());
            JsonNode error = TestServer.JSON.readTree(refused.body()).at("/errors/0/extensions");
            assertEquals("OPERATION_TOO_DEEP", error.get("code").asText());
            assertEquals(5, error.get("depth").asInt());
            assertEquals(4, error.get("limit").asInt());
        }
    }

    @Test
    void aVariableThatDecidesWhetherAFieldIsThereIsReadOnEachRequest() throws Exception {
        // An operation no variable can change is measured once; this one each time, whatever came before.
        String maybeDeep = "query($deep: Boolean!) { hiredEmployees { edges { node { id } } }"
                + " rejections @include(if: $deep) { edges { node { reasons { code } } } } }";
        for (int attempt = 0; attempt < 2; attempt++) {
            assertEquals(200, server.post(reader, maybeDeep, Map.of("deep", false)).statusCode());
            assertEquals(5, refusal(server.post(reader, maybeDeep, Map.of("deep", true)), "OPERATION_TOO_DEEP")
                    .get("depth").asInt());
        }
    }

    private JsonNode refusal(HttpResponse<String> response, String code) throws Exception {
        assertEquals(400, response.statusCode(), response.body());
        JsonNode body = TestServer.JSON.readTree(response.body());
        assertTrue(body.path("data").isMissingNode(), response.body());
        JsonNode extensions = body.at("/errors/0/extensions");
        assertEquals(code, extensions.get("code").asText(), response.body());
        return extensions;
    }

    @Test
    void theCostCountsRowsTimesFieldsAndNestedListsMultiply() throws Exception {
        // 1 (backups) + 1000 backups x (1 (tables) + 3 tables x 1 (rows)) = 4001: under 5000.
        assertEquals(200, server.post(reader, "{ backups(limit: 1000) { tables { rows } } }", null).statusCode());
        // One more field in each of the 3 tables of each of the 1000 backups: 7001.
        JsonNode over = refusal(server.post(reader, "{ backups(limit: 1000) { tables { rows key } } }", null),
                "OPERATION_TOO_COSTLY");
        assertEquals(7001, over.get("cost").asLong());
        assertEquals(5000, over.get("limit").asLong());

        // Arguments count as coerced from the variables: 1 + 1 + first x (edges + node + id + name).
        String page = "query($n: Int) { a: hiredEmployees(first: $n) { edges { node { id name } } } }";
        assertEquals(200, server.post(reader, page, Map.of("n", 1000)).statusCode());
        String twoPages = "query($n: Int) { a: hiredEmployees(first: $n) { edges { node { id name } } }"
                + " b: hiredEmployees(first: $n) { edges { node { id name } } } }";
        assertEquals(200, server.post(reader, twoPages, Map.of("n", 600)).statusCode());
        assertEquals(2 * 3002, refusal(server.post(reader, twoPages, Map.of("n", 1000)), "OPERATION_TOO_COSTLY")
                .get("cost").asLong());
        // The schema's default counts when the argument is left out: first: 100.
        assertEquals(200, server.post(reader, "{ rejections { edges { cursor node { source table } } } }", null)
                .statusCode());
    }

    @Test
    void everyListArgumentHasItsDocumentedMaximum() throws Exception {
        for (String query : List.of("{ hiredEmployees(first: 1001) { edges { cursor } } }",
                "{ rejections(first: 0) { edges { cursor } } }", "{ loads(limit: 101) { id } }",
                "{ hiresByQuarter(limit: 10001) { totalRows } }", "{ backups(limit: -1) { id } }")) {
            HttpResponse<String> refused = server.post(reader, query, null);
            JsonNode body = TestServer.JSON.readTree(refused.body());
            assertEquals("BAD_REQUEST", body.at("/errors/0/extensions/code").asText(), query + " " + refused.body());
            assertTrue(body.at("/errors/0/extensions/max").asInt() > 0, refused.body());
            assertTrue(body.path("data").isMissingNode(), "refused before it runs: " + refused.body());
        }
        // Each maximum is in the schema's own text, where GraphiQL's Docs show it.
        JsonNode args = server.data(null, "{ __type(name: \"Query\") { fields { name args { name description } } } }",
                null).at("/__type/fields");
        List<String> undocumented = new ArrayList<>();
        args.forEach(f -> f.get("args").forEach(a -> {
            String name = a.get("name").asText();
            if ((name.equals("first") || name.equals("limit")) && !a.path("description").asText().matches(".*1 to \\d+.*")) {
                undocumented.add(f.get("name").asText() + "." + name);
            }
        }));
        assertEquals(List.of(), undocumented);
    }

    /** The limits are for the data: introspection of the schema, deeper and larger, is graphql-java's to bound. */
    @Test
    void theStandardIntrospectionQueryIsAnsweredUnderSmallLimits() throws Exception {
        String query = new String(OperationLimitsTest.class.getResourceAsStream("/graphql/introspection-query.graphql")
                .readAllBytes(), StandardCharsets.UTF_8);
        for (String token : new String[] {null, reader}) {
            HttpResponse<String> answer = server.post(token, query, null);
            assertEquals(200, answer.statusCode(), answer.body());
            JsonNode schema = TestServer.JSON.readTree(answer.body());
            assertTrue(schema.path("errors").isMissingNode(), answer.body());
            List<String> fields = new ArrayList<>();
            schema.at("/data/__schema/types").forEach(type -> {
                if (type.get("name").asText().equals("Query")) {
                    type.get("fields").forEach(f -> fields.add(f.get("name").asText()));
                }
            });
            assertTrue(fields.contains("hiresByQuarter"), fields.toString());
        }
    }
}
