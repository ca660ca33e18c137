package dev.hiringkit.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.testing.RealData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The real-data load on the oldest PostgreSQL HiringKit supports (14), in a container. Optional: it
 * runs only where a Docker engine answers, and is skipped elsewhere.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerPostgresTest {

    @Container
    static final PostgreSQLContainer POSTGRES = new PostgreSQLContainer("postgres:14-alpine");

    @Test
    void loadsTheRealDataOnPostgres14(@TempDir Path archive) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(POSTGRES.getJdbcUrl());
        config.setUsername(POSTGRES.getUsername());
        config.setPassword(POSTGRES.getPassword());
        try (HikariDataSource dataSource = new HikariDataSource(config)) {
            HiringKit kit = HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(archive)).build();
            kit.migrate();
            List<LoadResult> results = kit.repository().loadDirectory(RealData.dir(), LoadOptions.defaults());
            assertEquals(1999, results.get(2).rowsRead());
            assertEquals(results.get(2).inserted(), kit.repository().count(Table.HIRED_EMPLOYEES));
            assertEquals(results.get(2).rowsRead() - results.get(2).inserted(), results.get(2).rejected());
        }
    }
}
