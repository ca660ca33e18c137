package dev.hiringkit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 server of a test JVM: S3Proxy in this process, on a free port of the loopback interface,
 * keeping its objects in a temporary directory. Started on first use; {@link #stop()} and
 * {@link #start()} take it down and bring it back on the same port with the same objects, for tests of
 * a store that vanishes mid-write. Each {@link #newBucket()} is an empty bucket, so tests never see
 * each other's objects.
 */
public final class TestS3 {

    /** The credentials the server checks (AWS signature v4) and {@link #client()} signs with. */
    public static final String ACCESS_KEY = "hiring-test";
    public static final String SECRET_KEY = "hiring-test-secret";

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static Path directory;
    private static int port;
    private static BlobStore blobs;
    private static S3Proxy proxy;
    private static S3Client client;

    private TestS3() {
    }

    /** The server's address, for clients built elsewhere (the command line's {@code --s3-endpoint}). */
    public static synchronized URI endpoint() {
        ensureStarted();
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A client of the server: path-style requests, signed with the test credentials. */
    public static synchronized S3Client client() {
        ensureStarted();
        if (client == null) {
            client = S3Client.builder()
                    .endpointOverride(endpoint())
                    .forcePathStyle(true)
                    .region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                    .build();
        }
        return client;
    }

    /**
     * Makes the test credentials the AWS SDK's default ones (its system properties), as a user's
     * environment would, until the returned handle is closed.
     */
    public static AutoCloseable asDefaultCredentials() {
        Map<String, String> credentials = Map.of("aws.accessKeyId", ACCESS_KEY, "aws.secretAccessKey", SECRET_KEY);
        Map<String, String> saved = new HashMap<>();
        credentials.forEach((name, value) -> {
            saved.put(name, System.getProperty(name));
            System.setProperty(name, value);
        });
        return () -> saved.forEach((name, value) -> {
            if (value == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        });
    }

    /** A new, empty bucket. */
    public static String newBucket() {
        String bucket = "hiring-test-" + COUNTER.incrementAndGet();
        client().createBucket(b -> b.bucket(bucket));
        return bucket;
    }

    /** Uploads the regular files of a directory (not its subdirectories) under {@code prefix}. */
    public static void uploadFiles(Path dir, String bucket, String prefix) {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                client().putObject(b -> b.bucket(bucket).key(prefix + file.getFileName()), RequestBody.fromFile(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the server, or starts it again after {@link #stop()}: same port, same objects. */
    public static synchronized void start() {
        if (proxy != null) {
            return;
        }
        try {
            if (directory == null) {
                directory = TestStores.temporaryDirectory("hiring-s3");
                blobs = new FilesystemNio2BlobStore(directory.toString());
                port = freePort();
                Runtime.getRuntime().addShutdownHook(new Thread(TestS3::stop));
            }
            S3Proxy started = S3Proxy.builder()
                    .blobStore(blobs)
                    .endpoint(URI.create("http://127.0.0.1:" + port))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                    .build();
            started.start();
            proxy = started;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the test S3 server", e);
        }
    }

    /** Stops the server; requests fail until {@link #start()}. */
    public static synchronized void stop() {
        if (proxy == null) {
            return;
        }
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the test S3 server", e);
        } finally {
            proxy = null;
        }
    }

    private static void ensureStarted() {
        if (directory == null) {
            start();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
