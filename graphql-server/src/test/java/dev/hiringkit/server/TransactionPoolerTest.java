package dev.hiringkit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringException;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.archive.RestoreMode;
import dev.hiringkit.internal.db.TableLease;
import dev.hiringkit.testdata.DataGenerator;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.repository.Batch;
import dev.hiringkit.repository.BatchResult;
import dev.hiringkit.repository.CrashLoadMain;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.repository.LoadStatus;
import dev.hiringkit.server.auth.AccountChanges;
import dev.hiringkit.server.auth.Auth;
import dev.hiringkit.server.auth.Clients;
import dev.hiringkit.server.auth.LoginThrottle;
import dev.hiringkit.server.auth.Role;
import dev.hiringkit.server.auth.Tokens;
import dev.hiringkit.server.auth.Users;
import dev.hiringkit.testing.RealData;
import dev.hiringkit.testing.TestDatabase;
import dev.hiringkit.testing.TestPgBouncer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every feature through a real PgBouncer in transaction mode with a pool of three server sessions
 * ({@link TestPgBouncer}), as a deployment runs it: no session state may outlive a transaction (a load's
 * lock, a setting, a LISTEN, a named prepared statement), since the next transaction of the same client
 * may run on another session and the session goes on to other clients. The application's pools are
 * configured as {@code --db-pooler transaction} configures them (prepareThreshold=0).
 */
class TransactionPoolerTest {

    private static final byte[] SECRET = "a test secret that is long enough for HS256 keys".getBytes();
    private static final String PASSWORD = "correct horse battery";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private HikariDataSource direct;
    private TestPgBouncer bouncer;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void startPgBouncer() {
        direct = TestDatabase.newDatabase();
        bouncer = TestPgBouncer.start(TransactionPoolerTest.class, direct.getPoolName());
    }

    @AfterEach
    void stop() throws Exception {
        Collections.reverse(closing);
        for (AutoCloseable c : closing) {
            c.close();
        }
        bouncer.close();
        direct.close();
    }

    @Test
    void migrateLoadIngestReportBackUpAndRestoreThroughTheBouncer() throws Exception {
        HikariDataSource pooled = pooled(8);
        HiringKit kit = kit(pooled, "archive");
        kit.migrate();
        kit.migrate(); // a second start changes nothing
        new Users(pooled).migrate();

        List<LoadResult> first = kit.repository().loadDirectory(RealData.dir(), LoadOptions.defaults());
        assertEquals(3, first.size());
        first.forEach(r -> assertEquals(LoadStatus.DONE, r.status(), r.source()));
        long loaded = count(direct, "SELECT count(*) FROM hired_employees");
        assertTrue(loaded > 1_000, "the real data is loaded: " + loaded);

        // Eight clients send batches while the same directory is loaded again (every id a duplicate now)
        // and reports run: the statements of all of them interleave on three server sessions.
        int clients = 8;
        int batches = 10;
        int rows = 100;
        ExecutorService pool = Executors.newFixedThreadPool(clients + 2);
        try {
            List<Future<Integer>> inserted = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                inserted.add(pool.submit(() -> {
                    int sum = 0;
                    for (int b = 0; b < batches; b++) {
                        List<HiredEmployee> batch = new ArrayList<>();
                        for (int r = 0; r < rows; r++) {
                            int id = 1_000_000 + (client * batches + b) * rows + r;
                            batch.add(new HiredEmployee(id, "Hire " + id, Instant.parse("2021-05-06T07:08:09Z"), 1, 1));
                        }
                        BatchResult result = kit.repository().insert(Batch.ofHiredEmployees(batch));
                        sum += result.inserted();
                    }
                    return sum;
                }));
            }
            Future<List<LoadResult>> again = pool.submit(() -> kit.repository().loadDirectory(RealData.dir(),
                    LoadOptions.defaults()));
            Future<?> reports = pool.submit(() -> {
                for (int i = 0; i < 20; i++) {
                    kit.reports().hiresByQuarter(2021);
                    kit.reports().departmentsAboveMean(2021);
                }
                return null;
            });
            for (Future<Integer> f : inserted) {
                assertEquals(batches * rows, f.get(2, TimeUnit.MINUTES));
            }
            for (LoadResult r : again.get(2, TimeUnit.MINUTES)) {
                assertEquals(LoadStatus.DONE, r.status(), r.source());
                assertEquals(0, r.inserted(), "a second load of " + r.source() + " finds every id stored");
            }
            reports.get(2, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
        long total = loaded + (long) clients * batches * rows;
        assertEquals(total, count(direct, "SELECT count(*) FROM hired_employees"));

        // The reports through the bouncer are the ones read directly.
        HiringKit directKit = kit(direct, "archive");
        assertEquals(directKit.reports().hiresByQuarter(2021), kit.reports().hiresByQuarter(2021));
        assertEquals(directKit.reports().departmentsAboveMean(2021), kit.reports().departmentsAboveMean(2021));

        // Backup, more rows, restore: the table is as backed up.
        Backup backup = kit.archiver().backup();
        kit.repository().insert(Batch.ofHiredEmployees(List.of(
                new HiredEmployee(2_000_000, "Late", Instant.parse("2021-05-06T07:08:09Z"), 1, 1))));
        // A restore waits for no running load: while one holds jobs, it is refused.
        try (TableLease load = TableLease.acquire(pooled, Table.JOBS, Duration.ZERO)) {
            HiringException refused = assertThrows(HiringException.class,
                    () -> kit.archiver().restore(backup.id(), RestoreMode.REPLACE));
            assertEquals(HiringException.Code.LOAD_IN_PROGRESS, refused.code());
        }
        kit.archiver().restore(backup.id(), RestoreMode.REPLACE);
        assertEquals(total, count(direct, "SELECT count(*) FROM hired_employees"));
        // and a load after the restore takes the tables again
        LoadResult jobs = kit.repository().load(Table.JOBS, RealData.dir().resolve("jobs.csv"), LoadOptions.defaults());
        assertEquals(LoadStatus.DONE, jobs.status());

        // Nothing was left in a server session for the next client: no lock, no setting.
        assertEquals(0, count(direct, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"),
                "no advisory lock outlives its transaction");
        assertEquals(0, count(direct, "SELECT count(*) FROM table_leases WHERE expires_at > now()"),
                "every lease was given back");
        assertEquals(List.of(settings(direct)), settingsOfEveryServerSession(pooled).stream().distinct().toList(),
                "every server session has the settings of a new one");
    }

    @Test
    void aPasswordChangedOnOneServerEndsItsTokensOnTheOthersWithoutADirectConnection() throws Exception {
        HikariDataSource pooledA = pooled(4);
        HikariDataSource pooledB = pooled(4);
        HikariDataSource pooledC = pooled(4);
        kit(pooledA, "archive").migrate();
        Users usersA = new Users(pooledA);
        usersA.migrate();
        usersA.add("changing", PASSWORD.toCharArray(), Role.WRITER);
        // A polls as --db-pooler transaction makes it; B listens on its pool, as by default, hears nothing
        // through the bouncer, notices it and polls; C listens on a direct connection.
        URI a = start(pooledA, usersA, AccountChanges.poll());
        URI b = start(pooledB, new Users(pooledB), AccountChanges.listen());
        URI c = start(pooledC, new Users(pooledC), AccountChanges.listen(direct));

        // B's notice to itself does not come back through the bouncer: after 5 s it polls, and only then
        // remembers accounts. Past that, this test covers its polling; on a slower machine, its refusal to
        // remember (the answers are the same).
        Thread.sleep(6_000);
        String token = token(a, "changing", PASSWORD);
        for (URI server : List.of(a, b, c)) {
            // twice: the second answer may come from what the server remembers
            assertEquals(200, status(server, token));
            assertEquals(200, status(server, token));
        }
        usersA.setPassword("changing", "another long password".toCharArray());
        for (URI server : List.of(a, b, c)) {
            assertEquals(401, eventually(() -> status(server, token), 401), "the old token ends on " + server);
        }

        // A change made with plain SQL, as by another tool, is seen by every server too.
        String second = token(b, "changing", "another long password");
        for (URI server : List.of(a, b, c)) {
            assertEquals(200, status(server, second));
            assertEquals(200, status(server, second));
        }
        try (Connection connection = direct.getConnection(); Statement sql = connection.createStatement()) {
            sql.executeUpdate("UPDATE users SET role = 'ADMIN' WHERE username = 'changing'");
        }
        for (URI server : List.of(a, b, c)) {
            assertEquals(401, eventually(() -> status(server, second), 401), "the old role's token ends on " + server);
        }
    }

    @Test
    void aLoadKilledHalfWayThroughTheBouncerResumes() throws Exception {
        DataGenerator.builder().employees(60_000).seed(13).invalidRatio(0.02).build().writeTo(dir);
        Path employees = dir.resolve("hired_employees.csv");
        HikariDataSource pooled = pooled(4);
        HiringKit kit = kit(pooled, "archive");
        kit.migrate();
        kit.repository().load(Table.DEPARTMENTS, dir.resolve("departments.csv"), LoadOptions.defaults());
        kit.repository().load(Table.JOBS, dir.resolve("jobs.csv"), LoadOptions.defaults());

        CrashLoadMain.killHalfWay(bouncer.jdbcUrl(), direct, employees, dir, 2000, 10_000);
        long before = count(direct, "SELECT count(*) FROM hired_employees");
        assertTrue(before < 60_000, "the load was killed half-way: " + before + " rows");

        // The dead load's lease is nobody's to renew: the resumed load waits for it to expire, then goes on.
        LoadResult resumed = kit.repository().load(Table.HIRED_EMPLOYEES, employees, LoadOptions.defaults());
        assertEquals(LoadStatus.DONE, resumed.status());
        assertEquals(60_000, resumed.rowsRead());
        assertEquals(resumed.inserted(), count(direct, "SELECT count(*) FROM hired_employees"));
        assertEquals(resumed.rejected(), count(direct, "SELECT count(*) FROM rejections"));
        assertEquals(1, count(direct, "SELECT count(*) FROM loads WHERE table_name = 'hired_employees'"),
                "the second run continues the first load");
        assertEquals(2, count(direct, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'hired_employees'::regclass"
                + " AND contype = 'f' AND convalidated"));
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** A pool through the bouncer, set as {@code --db-pooler transaction} sets the server's. */
    private HikariDataSource pooled(int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(bouncer.plainJdbcUrl());
        config.addDataSourceProperty("prepareThreshold", "0");
        config.setMaximumPoolSize(size);
        config.setConnectionTimeout(20_000);
        HikariDataSource pool = new HikariDataSource(config);
        closing.add(pool);
        return pool;
    }

    private HiringKit kit(HikariDataSource dataSource, String archive) {
        return HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(dir.resolve(archive))).build();
    }

    /** A server instance of its own (its own caches of accounts) on {@code dataSource}. */
    private URI start(HikariDataSource dataSource, Users users, AccountChanges changes) throws Exception {
        Auth auth = new Auth(users, new Clients(dataSource), new Tokens(SECRET, Duration.ofMinutes(30), Clock.systemUTC()),
                new LoginThrottle(Clock.systemUTC())).withAccountChanges(changes);
        Server server = HiringServer.newServer(ServerConfig.builder().kit(kit(dataSource, "archive")).dataSource(dataSource)
                .auth(auth).port(0).loadRoot(dir).build());
        server.start();
        closing.add(server::stop);
        return URI.create("http://localhost:" + HiringServer.port(server));
    }

    private String token(URI server, String username, String password) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(server.resolve("/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&username=" + username + "&password="
                        + password.replace(" ", "+")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body()).get("access_token").asText();
    }

    private int status(URI server, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(server.resolve("/graphql"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("query", "{ me { username } }"))))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /**
     * The value once it is the expected one, read for up to 30 seconds: a polling server notices a change
     * within two poll intervals, a listening one within milliseconds.
     */
    private static <T> T eventually(Callable<T> read, T expected) throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        T value = read.call();
        while (!expected.equals(value) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
            value = read.call();
        }
        return value;
    }

    /**
     * The settings HiringKit could leave in a session, as a new session has them. Not search_path: Flyway
     * puts the schema it migrates first in it for its session and sets it back at the end, which through a
     * transaction pooler may reach another session (see the README).
     */
    private static final String SETTINGS = "SELECT concat_ws('|', current_setting('lock_timeout'),"
            + " current_setting('maintenance_work_mem'), current_setting('default_transaction_isolation'),"
            + " current_setting('default_transaction_read_only'), current_setting('statement_timeout'))";

    private static String settings(HikariDataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(SETTINGS)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * The {@link #SETTINGS} of each of the bouncer's server sessions: as many clients as it has sessions
     * each hold one in an open transaction at once.
     */
    private static List<String> settingsOfEveryServerSession(HikariDataSource pooled) throws Exception {
        List<Connection> held = new ArrayList<>();
        List<String> settings = new ArrayList<>();
        try {
            for (int i = 0; i < TestPgBouncer.POOL_SIZE; i++) {
                Connection connection = pooled.getConnection();
                held.add(connection);
                connection.setAutoCommit(false);
                try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(SETTINGS)) {
                    rs.next();
                    settings.add(rs.getString(1));
                }
            }
        } finally {
            for (Connection connection : held) {
                connection.rollback();
                connection.close();
            }
        }
        return settings;
    }

    private static long count(HikariDataSource dataSource, String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
