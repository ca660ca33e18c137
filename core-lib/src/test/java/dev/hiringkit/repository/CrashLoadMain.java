package dev.hiringkit.repository;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import java.nio.file.Path;

/** A load in a process of its own, for {@link CrashResumeTest} to kill: JDBC_URL FILE ARCHIVE CHUNK_SIZE. */
public final class CrashLoadMain {

    private CrashLoadMain() {
    }

    public static void main(String[] args) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[0]);
        try (HikariDataSource dataSource = new HikariDataSource(config)) {
            HiringKit kit = HiringKit.builder().dataSource(dataSource).archive(ArchiveStore.directory(Path.of(args[2])))
                    .build();
            kit.repository().load(Table.HIRED_EMPLOYEES, Path.of(args[1]),
                    LoadOptions.builder().chunkSize(Integer.parseInt(args[3])).build());
        }
    }
}
