package dev.hiringkit.archive.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.testing.TestDatabase;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AWS SDK is an optional dependency: a JVM without it (this test's class path less every
 * {@code software/amazon} jar) migrates, loads, backs up and reports, and an {@code s3://} source is
 * refused with DEPENDENCY_MISSING naming the artifact to add.
 */
class WithoutAwsSdkTest {

    @Test
    void everythingButS3WorksWithoutTheSdk(@TempDir Path dir) throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.replace(File.separatorChar, '/').contains("/software/amazon/"))
                .collect(Collectors.joining(File.pathSeparator));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        try (HikariDataSource db = TestDatabase.newDatabase()) {
            String url = db.getJdbcUrl() + (db.getJdbcUrl().contains("?") ? "&" : "?") + "user=" + db.getUsername()
                    + "&password=" + db.getPassword();
            Process child = new ProcessBuilder(java, "-cp", classPath, WithoutAwsSdkMain.class.getName(), url,
                    dir.toString()).redirectErrorStream(true).start();
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            child.waitFor(2, TimeUnit.MINUTES);
            List<String> lines = output.lines().filter(line -> line.startsWith("> "))
                    .map(line -> line.substring(2)).toList();

            assertEquals(0, child.exitValue(), output);
            assertEquals(List.of("no AWS SDK", "loaded 3", "backed up 3", "report rows 1",
                    "DEPENDENCY_MISSING: Reading s3://bucket/ needs the AWS SDK's S3 client, an optional dependency"
                            + " of hiring-core: add software.amazon.awssdk:s3 to the application's dependencies."),
                    lines, output);
        }
    }
}
