package dev.hiringkit.server.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * What the handlers read from a request alike: bodies within a limit (and a refused body's rest, dropped),
 * media types, what the client accepts, the caller's address.
 */
final class RequestReader {

    private RequestReader() {
    }

    /** Thrown when a body is larger than allowed. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("body too large");
        }
    }

    /**
     * How much of a refused body is read and thrown away before the answer. Closing a connection with
     * unread bytes makes TCP reset it, and a reset can destroy the 413 before the client reads it.
     * Past this the connection is closed anyway: a client that sends gigabytes may see the reset.
     */
    static final long DISCARD_LIMIT = 16 << 20;

    /** Reads the whole body, refusing more than {@code limit} bytes. */
    static byte[] body(Request request, int limit) throws IOException {
        return read(request, limit, InputStream::readAllBytes);
    }

    /**
     * Parses a JSON body while it arrives (the parser does not wait for the last byte to start),
     * refusing more than {@code limit} bytes.
     */
    static Object json(Request request, int limit) throws IOException {
        return read(request, limit, in -> JsonAnswers.JSON.readValue(in, Object.class));
    }

    private interface BodyReader<T> {
        T read(InputStream body) throws IOException;
    }

    /** Reads the body through {@code reader}; past {@code limit} bytes the rest is dropped and TooLarge thrown. */
    private static <T> T read(Request request, int limit, BodyReader<T> reader) throws IOException {
        try (InputStream in = Content.Source.asInputStream(request)) {
            try {
                if (request.getLength() > limit) {
                    throw new TooLarge();
                }
                return reader.read(new Bounded(in, limit));
            } catch (TooLarge e) {
                discard(in, request.getLength());
                throw e;
            }
        }
    }

    /** A stream that fails with {@link TooLarge} once more than its limit has been read. */
    private static final class Bounded extends FilterInputStream {
        private long left;

        Bounded(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count(b < 0 ? -1 : 1);
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, (int) Math.min(length, left + 1));
            count(n);
            return n;
        }

        /** The parser closes what it reads; the body stays open for {@link #discard}. */
        @Override
        public void close() {
        }

        private void count(int n) throws TooLarge {
            if (n > 0 && (left -= n) < 0) {
                throw new TooLarge();
            }
        }
    }

    /** Reads and drops what is left of a refused body, up to {@link #DISCARD_LIMIT} bytes, so the refusal reaches the client. */
    static void discardRest(Request request) {
        try (InputStream in = Content.Source.asInputStream(request)) {
            discard(in, request.getLength());
        } catch (IOException e) {
            // closing a half-read stream: the connection is closed after the answer anyway
        }
    }

    private static void discard(InputStream in, long declared) {
        if (declared > DISCARD_LIMIT) {
            return;
        }
        long dropped = 0;
        byte[] buffer = new byte[64 * 1024];
        try {
            for (int n; dropped <= DISCARD_LIMIT && (n = in.read(buffer)) >= 0; ) {
                dropped += n;
            }
        } catch (IOException e) {
            // the client went away or broke off: the refusal is all that is left to send
        }
    }

    /** The media type of a Content-Type header, lower case, without parameters. */
    static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** True when the Accept header lists the media type (or accepts anything is not enough: it must name it). */
    static boolean accepts(Request request, String mediaType) {
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        return accept != null && Arrays.stream(accept.split(",")).map(RequestReader::mediaType).anyMatch(mediaType::equals);
    }

    /** The caller's address, as the connection gives it (the proxy's, behind one). */
    static String address(Request request) {
        return Request.getRemoteAddr(request);
    }
}
