package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hiringkit.testing.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Depth and field limits hold for every request, also when the document was checked and cached before. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperationLimitsTest {

    @TempDir
    static Path dir;
    private TestServer server;
    private String reader;

    @BeforeAll
    void start() throws Exception {
        server = new TestServer(TestDatabase.newDatabase(), dir.resolve("archive"), dir,
                settings -> settings.maxDepth(4).maxComplexity(20));
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
            assertTrue(refused.body().contains("extensions"), refused.body());
        }
        // Fields of a fragment count once per spread: 11 spreads of two fields.
        String spreads = "query { " + "...F ".repeat(11) + "} fragment F on Query { me { username } }";
        assertEquals(400, server.post(reader, spreads, null).statusCode());
        assertEquals(200, server.post(reader, "query { " + "...F ".repeat(10) + "} fragment F on Query { me { username } }",
                null).statusCode());
    }

    @Test
    void tooDeepIsRefusedEveryTime() throws Exception {
        String deep = "{ hiredEmployees { edges { node { id } } } }";
        assertEquals(200, server.post(reader, deep, null).statusCode());
        String deeper = "{ __schema { types { fields { type { name } } } } }";
        for (int attempt = 0; attempt < 2; attempt++) {
            assertEquals(400, server.post(reader, deeper, null).statusCode());
        }
    }
}
