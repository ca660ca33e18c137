package dev.hiringkit.server.graphql;

import dev.hiringkit.HiringKit;
import dev.hiringkit.IdempotencyKey;
import dev.hiringkit.archive.Backup;
import dev.hiringkit.archive.RestoreMode;
import dev.hiringkit.archive.RestoreResult;
import dev.hiringkit.server.observability.HiringMetrics;
import graphql.schema.DataFetchingEnvironment;
import java.util.List;
import java.util.Optional;

/** Backups and restores, and the list of backups; the library's records are the answers. */
final class ArchiveFetchers {

    private final HiringKit kit;
    private final IdempotencyKeys keys;
    private final HiringMetrics metrics;

    ArchiveFetchers(HiringKit kit, IdempotencyKeys keys, HiringMetrics metrics) {
        this.kit = kit;
        this.keys = keys;
        this.metrics = metrics;
    }

    List<Backup> backups(DataFetchingEnvironment env) {
        return kit.archiver().list().stream().limit(Arguments.limit(env, "limit")).toList();
    }

    Backup backup(DataFetchingEnvironment env) {
        Optional<String> key = IdempotencyKeys.of(env);
        Backup backup = key.isPresent()
                ? kit.archiver().backup(IdempotencyKey.of(key.get(), AccessPolicy.madeBy(env)), Arguments.tables(env))
                : kit.archiver().backup(Arguments.tables(env));
        keys.answered(env, key, backup.replayed());
        if (!backup.replayed()) {
            metrics.backedUp(backup);
        }
        return backup;
    }

    RestoreResult restore(DataFetchingEnvironment env) {
        String mode = env.getArgument("mode");
        RestoreMode restoreMode = mode == null ? RestoreMode.REPLACE : RestoreMode.valueOf(mode);
        Optional<String> key = IdempotencyKeys.of(env);
        RestoreResult result = key.isPresent()
                ? kit.archiver().restore(IdempotencyKey.of(key.get(), AccessPolicy.madeBy(env)),
                        env.getArgument("backupId"), restoreMode, Arguments.tables(env))
                : kit.archiver().restore(env.getArgument("backupId"), restoreMode, Arguments.tables(env));
        keys.answered(env, key, result.replayed());
        return result;
    }
}
