package dev.hiringkit.internal.archive;

import dev.hiringkit.archive.ArchiveStore;
import dev.hiringkit.repository.SourceReader;
import java.net.URI;
import java.util.function.Consumer;

/**
 * The reader of {@code s3://} sources when none was given: its client, from the SDK's defaults, is made
 * on the first such source (most kits never read one) and handed to {@code own}, the kit, to close. No
 * SDK type is named here, so a kit without the SDK loads this class and refuses S3 sources only.
 * Internal to HiringKit, not part of its API.
 */
public final class DefaultS3Sources implements SourceReader {

    private final Consumer<AutoCloseable> own;
    private SourceReader reader;

    public DefaultS3Sources(Consumer<AutoCloseable> own) {
        this.own = own;
    }

    @Override
    public synchronized ArchiveStore at(URI prefix) {
        if (reader == null) {
            S3Sdk.require("Reading " + prefix);
            reader = S3Store.readerWithOwnClient(own);
        }
        return reader.at(prefix);
    }
}
