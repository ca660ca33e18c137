package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.testing.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances on one database share the sign-in throttle: failed attempts spread over both count as
 * many as on one, a throttled user is throttled at both, and a success at one clears the count at both.
 */
class SharedThrottleTest {

    @TempDir
    Path dir;

    @Test
    void failuresAtOneInstanceThrottleTheOther() throws Exception {
        try (HikariDataSource database = TestDatabase.newDatabase();
                TestServer first = new TestServer(database, dir.resolve("a1"), dir, true);
                TestServer second = new TestServer(first, dir.resolve("a2"))) {
            String wrong = "grant_type=password&username=reader&password=wrong+guess";
            String right = "grant_type=password&username=reader&password=correct+horse+battery";
            // Five free attempts in all, whichever instance the balancer sends them to.
            for (int i = 0; i < 5; i++) {
                assertEquals(400, (i % 2 == 0 ? first : second).form("/token", wrong, null).statusCode());
            }
            for (TestServer server : new TestServer[] {first, second}) {
                HttpResponse<String> throttled = server.form("/token", right, null);
                assertEquals(429, throttled.statusCode(), throttled.body());
                assertEquals("1", throttled.headers().firstValue("Retry-After").orElse(""));
            }
            first.clock.advance(java.time.Duration.ofSeconds(1)); // the clock both instances read
            assertEquals(200, second.form("/token", right, null).statusCode(), "answered after the wait");
            // The success cleared the count for every instance: four more failures are free again.
            for (int i = 0; i < 4; i++) {
                assertEquals(400, first.form("/token", wrong, null).statusCode());
            }
            assertEquals(200, first.form("/token", right, null).statusCode());
        }
    }
}
