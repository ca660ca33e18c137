package dev.hiringkit.archive.s3;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.hiringkit.HiringException;
import dev.hiringkit.HiringKit;
import dev.hiringkit.Table;
import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadResult;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A user of hiring-core without the AWS SDK, run by {@link WithoutAwsSdkTest} in a JVM whose class path
 * has no {@code software.amazon} jar: everything but S3 works, and an {@code s3://} source is refused
 * with a HiringException that names the artifact to add. Arguments: JDBC_URL DIR. Prints what it saw, each
 * line after "> ".
 */
public final class WithoutAwsSdkMain {

    private WithoutAwsSdkMain() {
    }

    public static void main(String[] args) throws Exception {
        try {
            Class.forName("software.amazon.awssdk.services.s3.S3Client");
            System.out.println("> the AWS SDK is on the class path");
            System.exit(2);
        } catch (ClassNotFoundException expected) {
            System.out.println("> no AWS SDK");
        }
        Path dir = Path.of(args[1]);
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("departments.csv"), "1,Sales\n");
        Files.writeString(data.resolve("jobs.csv"), "1,Writer\n");
        Files.writeString(data.resolve("hired_employees.csv"), "1,Ann,2021-01-05T10:00:00Z,1,1\n");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[0]);
        try (HikariDataSource dataSource = new HikariDataSource(config);
                HiringKit kit = HiringKit.builder().dataSource(dataSource)
                        .archive(ArchiveStore.directory(dir.resolve("archive"))).build()) {
            kit.migrate();
            List<LoadResult> loads = kit.repository().loadDirectory(data, LoadOptions.defaults());
            System.out.println("> loaded " + loads.stream().mapToLong(LoadResult::inserted).sum());
            System.out.println("> backed up " + kit.archiver().backup().tables().size());
            System.out.println("> report rows " + kit.reports().hiresByQuarter(2021).rows().size());
            try {
                kit.repository().load(Table.JOBS, URI.create("s3://bucket/jobs.csv"), LoadOptions.defaults());
                System.out.println("> an s3:// source was loaded");
            } catch (HiringException e) {
                System.out.println("> " + e.code() + ": " + e.getMessage());
            }
        }
    }
}
