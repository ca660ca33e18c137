package dev.hiringkit.server.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * Runs the command line in-process against one database and archive, as a user would from a shell:
 * {@code archiveOptions} are {@code --archive} and its value, then any other option it needs.
 */
record CliRunner(String dbUrl, List<String> archiveOptions) {

    /** What a run printed and returned. */
    record Run(int exitCode, String out, String err) {
    }

    /** A runner with {@code --archive archive} and further options, such as {@code --s3-endpoint URL}. */
    CliRunner(String dbUrl, String archive, String... options) {
        this(dbUrl, Stream.concat(Stream.of("--archive", archive), Stream.of(options)).toList());
    }

    /** The database's JDBC URL carrying the user and password, for {@code --db-url}. */
    static String urlWithCredentials(HikariDataSource dataSource) {
        TestDatabase.Server server = TestDatabase.server();
        return dataSource.getJdbcUrl() + (dataSource.getJdbcUrl().contains("?") ? "&" : "?")
                + "user=" + server.user() + "&password=" + server.password();
    }

    /** Runs {@code hiring args... --db-url ... --archive ...}. */
    Run run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--db-url", dbUrl));
        all.addAll(archiveOptions);
        return execute(all.toArray(String[]::new));
    }

    /** Runs {@code hiring args...} exactly as given. */
    static Run execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = HiringCommand.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
