package dev.hiringkit.server.cli;

import dev.hiringkit.IdempotencyKey;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --idempotency-key KEY} of {@code hiring load}, {@code backup} and {@code restore}: a script that
 * retries a command whose outcome it did not see (a lost connection, a killed terminal) passes the same key,
 * and a command that had finished is not run again: the retry prints the first run's result and says it
 * was a replay. Keys are kept 24 hours and are per operating-system user, as {@link HiringRuntime#madeBy()}
 * names the sender.
 */
final class IdempotencyKeyOption {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--idempotency-key", paramLabel = "KEY", description = "Makes running the same command again"
            + " safe: with the same KEY (1 to 255 printable ASCII characters; a UUID is a good one) within 24 hours,"
            + " the command returns the first run's result instead of running again.")
    String key;

    /** The key given, refused as a usage error when it is not one. */
    Optional<String> key() {
        if (key == null) {
            return Optional.empty();
        }
        if (!IdempotencyKey.isValid(key)) {
            throw new ParameterException(spec.commandLine(), "--idempotency-key must be 1 to "
                    + IdempotencyKey.MAX_LENGTH + " printable ASCII characters");
        }
        return Optional.of(key);
    }

    /** The key given, as backups and restores take it: sent by this command line's user. */
    Optional<IdempotencyKey> idempotencyKey() {
        return key().map(k -> IdempotencyKey.of(k, HiringRuntime.madeBy()));
    }
}
