package dev.hiringkit.server.graphql;

import java.io.IOException;
import java.io.InputStream;

/**
 * A file of a GraphQL multipart request, the value of an {@code Upload} variable: its bytes are read as
 * they arrive in the request, once.
 */
public interface FileUpload {

    /** The file name the client gave, or null when it gave none. */
    String fileName();

    /**
     * The file's content, streamed from the request. A second call fails: what was read is gone.
     *
     * @throws IOException when the request is malformed, too large, lacks this file, or it was read already
     */
    InputStream open() throws IOException;
}
