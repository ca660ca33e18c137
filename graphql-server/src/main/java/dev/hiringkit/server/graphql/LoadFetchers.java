package dev.hiringkit.server.graphql;

import static dev.hiringkit.server.graphql.ApiException.Code.BAD_REQUEST;
import static dev.hiringkit.server.graphql.ApiException.Code.LOAD_NOT_FOUND;
import static dev.hiringkit.server.graphql.ApiException.Code.SOURCE_NOT_FOUND;
import static dev.hiringkit.server.graphql.ApiException.Code.UPLOAD_FAILED;

import dev.hiringkit.HiringException;
import dev.hiringkit.Table;
import dev.hiringkit.archive.s3.S3Location;
import dev.hiringkit.repository.HiringRepository;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.server.observability.HiringMetrics;
import graphql.schema.DataFetchingEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Flow;
import java.util.function.Function;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * File loads: {@code loadHistorical} (a directory under the load root, or an S3 prefix under the S3 load
 * root), {@code uploadCsv} (a file sent with the request), in the foreground or the background, and the
 * subscriptions that follow them. A load's answer is the library's {@link LoadResult}.
 */
final class LoadFetchers {

    /** A count for one reason code, as the CodeCount type reads it. */
    public record CodeCount(String code, long count) {
    }

    private final HiringRepository repository;
    private final Path loadRoot;
    private final URI s3LoadRoot;
    private final AsyncLoads async;
    private final LoadFeeds feeds;
    private final IdempotencyKeys keys;
    private final HiringMetrics metrics;

    LoadFetchers(HiringRepository repository, Path loadRoot, URI s3LoadRoot, AsyncLoads async, IdempotencyKeys keys,
            HiringMetrics metrics) {
        this.repository = repository;
        this.loadRoot = loadRoot.toAbsolutePath().normalize();
        this.s3LoadRoot = s3LoadRoot;
        this.async = async;
        this.feeds = new LoadFeeds(repository, async.timer());
        this.keys = keys;
        this.metrics = metrics;
    }

    /** Load.id: the load's id. */
    static String id(DataFetchingEnvironment env) {
        return env.<LoadResult>getSource().loadId().toString();
    }

    /** Load.rejectedByCode: the refused records counted by reason code. */
    static List<CodeCount> rejectedByCode(DataFetchingEnvironment env) {
        return env.<LoadResult>getSource().rejectedByCode().entrySet().stream()
                .map(e -> new CodeCount(e.getKey().name(), e.getValue())).toList();
    }

    List<LoadResult> loadHistorical(DataFetchingEnvironment env) {
        String source = env.getArgument("source");
        Optional<String> key = IdempotencyKeys.of(env);
        LoadOptions.Builder options = LoadOptions.builder().madeBy(AccessPolicy.madeBy(env))
                .idempotencyKey(key.orElse(null));
        if (Boolean.TRUE.equals(env.getArgument("async"))) {
            // Checked here, so that a bad source is this request's error, not a failed background load.
            Function<LoadOptions, List<LoadResult>> run = metrics.observed(directoryLoad(source));
            LoadResult started = async.start(source, run, options, repository);
            keys.answered(env, key, started.replayed());
            return List.of(started);
        }
        List<LoadResult> loads = metrics.observed(directoryLoad(source)).apply(options.build());
        keys.answered(env, key, loads.stream().allMatch(LoadResult::replayed));
        return loads;
    }

    /** The load of a directory (under the load root) or S3 prefix (under the S3 load root), once checked. */
    private Function<LoadOptions, List<LoadResult>> directoryLoad(String source) {
        if (S3Location.isS3(source)) {
            URI uri = s3Source(source);
            return options -> repository.loadDirectory(uri, options);
        }
        Path dir = loadRoot.resolve(source).normalize();
        if (!dir.startsWith(loadRoot)) {
            throw new ApiException(BAD_REQUEST, "source must be a directory under the server's load root");
        }
        if (!Files.isDirectory(dir)) {
            throw new ApiException(SOURCE_NOT_FOUND, "No directory '" + source + "' under the server's load root");
        }
        return options -> repository.loadDirectory(dir, options);
    }

    /** An S3 prefix under the server's S3 load root: a writer reads no other bucket the server can reach. */
    private URI s3Source(String source) {
        if (s3LoadRoot == null) {
            throw new ApiException(BAD_REQUEST, "This server loads no S3 sources: start it with --s3-load-root"
                    + " s3://bucket/prefix/ to allow those under that prefix");
        }
        S3Location location;
        try {
            location = S3Location.parse(source).asPrefix();
        } catch (HiringException e) {
            throw new ApiException(BAD_REQUEST, "'" + source + "' is not an S3 location: " + e.getMessage());
        }
        S3Location root = S3Location.parse(s3LoadRoot);
        String path = "/" + location.key();
        if (!location.bucket().equals(root.bucket()) || !location.key().startsWith(root.key())
                || path.contains("/../") || path.contains("/./")) {
            throw new ApiException(BAD_REQUEST, "source must be under the server's S3 load root " + s3LoadRoot);
        }
        try {
            return location.toUri();
        } catch (IllegalArgumentException e) {
            throw new ApiException(BAD_REQUEST, "'" + source + "' is not an S3 location: " + e.getMessage());
        }
    }

    LoadResult uploadCsv(DataFetchingEnvironment env) {
        Table table = Table.valueOf(env.getArgument("table"));
        FileUpload file = env.getArgument("file");
        boolean restart = Boolean.TRUE.equals(env.getArgument("restart"));
        Optional<String> key = IdempotencyKeys.of(env);
        if (key.isPresent()) {
            return keyedUpload(env, table, file, restart, key.get());
        }
        if (Boolean.TRUE.equals(env.getArgument("async"))) {
            // The file is received whole first (into a temporary file): the request's body cannot outlive it.
            Path spooled = async.spool(file);
            // Named after the client's file (known once its part is open): sending it again finds the same
            // load, to skip or resume it.
            String source = "upload/" + fileName(file.fileName(), table);
            return async.start(source, metrics.observed(spooledLoad(table, source, spooled)),
                    LoadOptions.builder().restart(restart).madeBy(AccessPolicy.madeBy(env)), repository);
        }
        LoadOptions options = LoadOptions.builder().restart(restart).madeBy(AccessPolicy.madeBy(env)).build();
        try (InputStream in = file.open()) {
            String source = "upload/" + fileName(file.fileName(), table);
            return metrics.observed(o -> List.of(repository.load(table, source, in, o))).apply(options).get(0);
        } catch (IOException e) {
            throw new ApiException(UPLOAD_FAILED, e.getMessage());
        }
    }

    /**
     * An upload sent with an idempotency key: received whole first, to hash its bytes (a retry must send the
     * same bytes), then loaded from the temporary file, in the background when asked.
     */
    private LoadResult keyedUpload(DataFetchingEnvironment env, Table table, FileUpload file, boolean restart,
            String key) {
        Path spooled = async.spool(file);
        String source = "upload/" + fileName(file.fileName(), table);
        String sha256;
        try (InputStream in = Files.newInputStream(spooled)) {
            sha256 = DigestUtils.sha256Hex(in);
        } catch (IOException e) {
            AsyncLoads.delete(spooled);
            throw new ApiException(UPLOAD_FAILED, e.getMessage());
        }
        Function<LoadOptions, List<LoadResult>> run = metrics.observed(spooledLoad(table, source, spooled));
        LoadOptions.Builder options = LoadOptions.builder().restart(restart).madeBy(AccessPolicy.madeBy(env))
                .idempotencyKey(key).contentSha256(sha256);
        LoadResult loaded = Boolean.TRUE.equals(env.getArgument("async"))
                ? async.start(source, run, options, repository)
                : run.apply(options.build()).get(0);
        keys.answered(env, Optional.of(key), loaded.replayed());
        return loaded;
    }

    /** The load of an upload received whole into {@code spooled}, which it deletes when it ends. */
    private Function<LoadOptions, List<LoadResult>> spooledLoad(Table table, String source, Path spooled) {
        return options -> {
            try (InputStream in = Files.newInputStream(spooled)) {
                return List.of(repository.load(table, source, in, options));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                AsyncLoads.delete(spooled);
            }
        };
    }

    /** The last segment of a client's file name, without control characters; the table's file name if none. */
    private static String fileName(String given, Table table) {
        String name = given == null ? "" : given.substring(Math.max(given.lastIndexOf('/'), given.lastIndexOf('\\')) + 1)
                .replaceAll("\\p{Cntrl}", "").strip();
        return name.isEmpty() || name.equals(".") || name.equals("..") ? table.fileName()
                : name.substring(0, Math.min(name.length(), 200));
    }

    /** loadProgress: a load's totals as each chunk commits, until it ends. */
    Flow.Publisher<LoadResult> loadProgress(DataFetchingEnvironment env) {
        UUID id = Arguments.uuid("loadId", env.getArgument("loadId"));
        if (repository.findLoad(id).isEmpty()) {
            throw new ApiException(LOAD_NOT_FOUND, "No load has the id " + id + ".");
        }
        return feeds.progress(id);
    }

    /** loadStarted: loads as they start, on any server. */
    Flow.Publisher<LoadResult> loadStarted(DataFetchingEnvironment env) {
        return feeds.started();
    }
}
