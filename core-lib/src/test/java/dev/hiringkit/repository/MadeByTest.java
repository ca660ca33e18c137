package dev.hiringkit.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringException;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.model.Department;
import dev.hiringkit.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Who made a load or batch is recorded in the loads row and with every rejected record, when the caller says. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MadeByTest {

    @TempDir
    static Path archive;
    private HikariDataSource dataSource;
    private HiringRepository repository;

    @BeforeAll
    void start() {
        dataSource = TestDatabase.newDatabase();
        HiringKit kit = HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(archive)).build();
        kit.migrate();
        repository = kit.repository();
    }

    @AfterAll
    void stop() {
        dataSource.close();
    }

    @Test
    void aBatchRecordsItsSenderWithEachRejectedRow() {
        BatchResult result = repository.insert(Batch.builder().madeBy("client:nightly-etl")
                .add(new Department(1, "Engineering"))
                .addRecord(Table.DEPARTMENTS, List.of("x", "Broken"))
                .build().asAllOrNothing());
        assertEquals(2, result.rejected());
        List<Rejection> rejected = repository.rejections(result.batchId());
        assertEquals(2, rejected.size());
        rejected.forEach(r -> assertEquals(Optional.of("client:nightly-etl"), r.madeBy()));

        BatchResult anonymous = repository.insert(Batch.builder().addRecord(Table.DEPARTMENTS, List.of("", "")).build());
        assertEquals(Optional.empty(), repository.rejections(anonymous.batchId()).get(0).madeBy());
    }

    @Test
    void aLoadRecordsWhoStartedItAndWhoRanEachChunk() throws Exception {
        LoadResult load = repository.load(Table.JOBS, "jobs-by-alice.csv", csv("1,Engineer\nbad,Tester\n"),
                LoadOptions.builder().madeBy("user:alice").build());
        assertEquals(Optional.of("user:alice"), load.madeBy());
        assertEquals(Optional.of("user:alice"), repository.loads(10).stream()
                .filter(l -> l.loadId().equals(load.loadId())).findFirst().orElseThrow().madeBy());
        assertEquals(Optional.of("user:alice"), repository.rejections(load.loadId()).get(0).madeBy());
        assertEquals(List.of("user:alice"), column("SELECT made_by FROM loads WHERE id = '" + load.loadId() + "'"));

        LoadResult unnamed = repository.load(Table.JOBS, "jobs-unnamed.csv", csv("2,Writer\n"), LoadOptions.defaults());
        assertEquals(Optional.empty(), unnamed.madeBy());
    }

    @Test
    void aResumedLoadKeepsItsStarterAndNamesTheResumerOnItsRejections() throws Exception {
        // Stopped after its first chunk of one record (by a failing progress callback), then resumed by another.
        String file = "5,Five\nbad,Six\n";
        assertThrows(IllegalStateException.class, () -> repository.load(Table.JOBS, "resumed.csv", csv(file),
                LoadOptions.builder().chunkSize(1).madeBy("user:alice").progress((done, total, rows) -> {
                    throw new IllegalStateException("stopped");
                }).build()));
        LoadResult resumed = repository.load(Table.JOBS, "resumed.csv", csv(file),
                LoadOptions.builder().chunkSize(1).madeBy("client:retry").build());
        assertEquals(Optional.of("user:alice"), resumed.madeBy());
        assertEquals(Optional.of("client:retry"), repository.rejections(resumed.loadId()).get(0).madeBy());
    }

    @Test
    void aNameNoOneCouldReadIsRefused() {
        for (String bad : List.of("", "  ", "a\u0000b", "x".repeat(257))) {
            assertThrows(HiringException.class, () -> Batch.builder().madeBy(bad));
            assertThrows(HiringException.class, () -> LoadOptions.builder().madeBy(bad).build());
        }
    }

    private static ByteArrayInputStream csv(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private List<String> column(String sql) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        assertTrue(!values.isEmpty(), sql);
        return values;
    }
}
