package dev.hiringkit.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.hiringkit.server.graphql.FileUpload;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Blocker;

/**
 * A GraphQL multipart request (the spec by jaydenseric: an {@code operations} part, a {@code map} part,
 * then the files) read as it arrives. Jetty's multipart parser is fed from the request only when someone
 * reads, so a file's bytes go from the socket to the reader of its {@link FileUpload} without being held:
 * the request is read on the thread that executes the operation. A file part passed over to reach a later
 * one (files sent in another order than the operation reads them) is spooled to a temporary file.
 */
final class MultipartRequest implements AutoCloseable {

    /** The parser's events, queued until read: a part's start, content chunks, a part's end, the end. */
    private record PartStart(String name, String fileName) {
    }

    private record Failure(Throwable cause) {
    }

    private static final Object PART_END = new Object();
    private static final Object COMPLETE = new Object();

    private final Request request;
    private final long maxBytes;
    private final MultiPart.Parser parser;
    private final ArrayDeque<Object> events = new ArrayDeque<>();
    /** Map keys of files not read yet: a part with one of these names is spooled when passed over. */
    private final Set<String> unread = new HashSet<>();
    private final Map<String, Spooled> spooled = new HashMap<>();
    private long bytesRead;
    private boolean inPart;
    private Refusal problem;

    private record Spooled(Path file, String fileName) {
    }

    private MultipartRequest(Request request, String boundary, long maxBytes) {
        this.request = request;
        this.maxBytes = maxBytes;
        this.parser = new MultiPart.Parser(boundary, new MultiPart.AbstractPartsListener() {
            @Override
            public void onPartHeaders() {
                events.add(new PartStart(getName(), getFileName()));
            }

            @Override
            public void onPartContent(Content.Chunk chunk) {
                // A slice of the request's buffer, valid only during this call unless retained.
                if (chunk.hasRemaining()) {
                    if (chunk.canRetain()) {
                        chunk.retain();
                    }
                    events.add(chunk);
                }
            }

            @Override
            public void onPart(String name, String fileName, HttpFields headers) {
                events.add(PART_END);
            }

            @Override
            public void onComplete() {
                events.add(COMPLETE);
            }

            @Override
            public void onFailure(Throwable failure) {
                events.add(new Failure(failure));
            }
        });
    }

    /** Starts reading a multipart request of at most {@code maxBytes}. */
    static MultipartRequest start(Request request, long maxBytes) throws Refusal {
        if (request.getLength() > maxBytes) {
            throw tooLarge(maxBytes);
        }
        String boundary = MultiPart.extractBoundary(request.getHeaders().get(HttpHeader.CONTENT_TYPE));
        if (boundary == null || boundary.isEmpty()) {
            throw new Refusal(400, "BAD_MULTIPART", "The multipart/form-data Content-Type has no boundary.");
        }
        return new MultipartRequest(request, boundary, maxBytes);
    }

    /**
     * Reads the {@code operations} and {@code map} parts (each at most {@code maxJsonBytes}) and returns the
     * operations object with an upload wherever the map points.
     */
    Map<String, Object> operations(int maxJsonBytes) throws Refusal, IOException {
        Object operations = json(nextPart("operations"), maxJsonBytes);
        if (!(operations instanceof Map<?, ?>)) {
            throw badMultipart(operations instanceof List<?> ? "Batched operations are not supported: send one"
                    + " operation object in 'operations'." : "'operations' must be a JSON object with a 'query'.");
        }
        Object map = json(nextPart("map"), maxJsonBytes);
        if (!(map instanceof Map<?, ?> files)) {
            throw badMultipart("'map' must be a JSON object from file part names to lists of operations paths.");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) operations;
        for (Map.Entry<?, ?> file : files.entrySet()) {
            String key = (String) file.getKey();
            if (!(file.getValue() instanceof List<?> paths) || paths.isEmpty()) {
                throw badMultipart("'map' must give the file part '" + key + "' a list of operations paths.");
            }
            Upload upload = new Upload(key);
            for (Object path : paths) {
                place(object, path, upload);
            }
            unread.add(key);
        }
        return object;
    }

    /** The problem that made a file unreadable during execution, if one did: it decides the answer. */
    Refusal problem() {
        return problem;
    }

    @Override
    public void close() {
        for (Object event : events) {
            if (event instanceof Content.Chunk chunk) {
                chunk.release();
            }
        }
        events.clear();
        for (Spooled file : spooled.values()) {
            try {
                Files.deleteIfExists(file.file());
            } catch (IOException ignored) {
                // a temporary file: the system cleans its temporary directory anyway
            }
        }
    }

    // ---- the operations object ---------------------------------------------------------------

    /** Puts the upload at an operations path such as {@code variables.file} or {@code variables.files.0}. */
    @SuppressWarnings("unchecked")
    private static void place(Map<String, Object> operations, Object path, Upload upload) throws Refusal {
        String[] steps = path instanceof String text ? text.split("\\.", -1) : new String[0];
        if (steps.length < 2 || !steps[0].equals("variables")) {
            throw badMultipart("The operations path " + path + " of '" + upload.key + "' must start with 'variables.'.");
        }
        Object container = operations;
        for (int i = 0; i < steps.length; i++) {
            boolean last = i == steps.length - 1;
            if (container instanceof Map<?, ?> map && map.containsKey(steps[i])) {
                if (last && map.get(steps[i]) == null) {
                    ((Map<String, Object>) map).put(steps[i], upload);
                    return;
                }
                container = map.get(steps[i]);
            } else if (container instanceof List<?> list && steps[i].matches("\\d{1,9}")
                    && Integer.parseInt(steps[i]) < list.size()) {
                int index = Integer.parseInt(steps[i]);
                if (last && list.get(index) == null) {
                    ((List<Object>) list).set(index, upload);
                    return;
                }
                container = list.get(index);
            } else {
                break;
            }
        }
        throw badMultipart("The operations path '" + path + "' of '" + upload.key + "' does not lead to a null"
                + " in 'operations'.");
    }

    private Object json(InputStream part, int maxJsonBytes) throws Refusal, IOException {
        byte[] bytes = part.readNBytes(maxJsonBytes + 1);
        if (bytes.length > maxJsonBytes) {
            throw new Refusal(413, "BODY_TOO_LARGE", "The 'operations' or 'map' part is over " + maxJsonBytes + " bytes.");
        }
        try {
            return JsonAnswers.JSON.readValue(bytes, Object.class);
        } catch (JsonProcessingException e) {
            throw badMultipart("The 'operations' and 'map' parts must be JSON.");
        }
    }

    /** The next part, which must be named {@code name}; the spec orders operations, map, then files. */
    private InputStream nextPart(String name) throws Refusal, IOException {
        Object event = next();
        if (!(event instanceof PartStart start) || !name.equals(start.name())) {
            throw badMultipart("A GraphQL multipart request starts with the parts 'operations' and 'map', in that"
                    + " order, then the files.");
        }
        inPart = true;
        return new PartStream();
    }

    // ---- files -------------------------------------------------------------------------------

    /** One file of the map: an {@code Upload} variable's value. */
    private final class Upload implements FileUpload {
        final String key;
        private String fileName;
        private boolean opened;

        Upload(String key) {
            this.key = key;
        }

        @Override
        public String fileName() {
            return fileName;
        }

        @Override
        public InputStream open() throws IOException {
            if (opened) {
                throw new IOException("The file '" + key + "' was read already: each file part can be read once.");
            }
            opened = true;
            unread.remove(key);
            Spooled file = spooled.get(key);
            if (file != null) {
                fileName = file.fileName();
                return Files.newInputStream(file.file());
            }
            PartStart start = seek(key);
            fileName = start.fileName();
            return new PartStream();
        }
    }

    /** Reads on to the start of the part named {@code key}, spooling the wanted files on the way. */
    private PartStart seek(String key) throws IOException {
        skipRestOfPart();
        while (true) {
            Object event = next();
            if (event instanceof PartStart start) {
                inPart = true;
                if (key.equals(start.name())) {
                    return start;
                }
                if (unread.contains(start.name()) && !spooled.containsKey(start.name())) {
                    spool(start);
                } else {
                    skipRestOfPart();
                }
            } else if (event == COMPLETE) {
                throw fail(new Refusal(400, "BAD_MULTIPART", "The map names the file part '" + key
                        + "', which the request does not have."));
            }
        }
    }

    private void spool(PartStart start) throws IOException {
        Path file = Files.createTempFile("hiring-upload-", ".part");
        spooled.put(start.name(), new Spooled(file, start.fileName()));
        try (InputStream in = new PartStream(); OutputStream out = Files.newOutputStream(file)) {
            in.transferTo(out);
        }
    }

    private void skipRestOfPart() throws IOException {
        if (inPart) {
            try (InputStream rest = new PartStream()) {
                rest.transferTo(OutputStream.nullOutputStream());
            }
        }
    }

    /** The content of the current part, up to its end. */
    private final class PartStream extends InputStream {
        private Content.Chunk chunk;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            while (chunk == null || !chunk.hasRemaining()) {
                if (chunk != null) {
                    chunk.release();
                    chunk = null;
                }
                if (!inPart) {
                    return -1;
                }
                Object event = next();
                if (event == PART_END) {
                    inPart = false;
                } else if (event instanceof Content.Chunk content) {
                    chunk = content;
                }
            }
            ByteBuffer buffer = chunk.getByteBuffer();
            int n = Math.min(length, buffer.remaining());
            buffer.get(bytes, offset, n);
            return n;
        }

        @Override
        public void close() {
            if (chunk != null) {
                chunk.release();
                chunk = null;
            }
        }
    }

    // ---- the request -------------------------------------------------------------------------

    /** The next parser event, reading more of the request when none is queued. */
    private Object next() throws IOException {
        while (events.isEmpty()) {
            if (problem != null) {
                throw new IOException(problem.getMessage());
            }
            feed();
        }
        Object event = events.poll();
        if (event instanceof Failure failure) {
            throw fail(new Refusal(400, "BAD_MULTIPART", "The multipart body is malformed: "
                    + failure.cause().getMessage()));
        }
        return event;
    }

    /** Blocks for the next chunk of the request and hands it to the parser. */
    private void feed() throws IOException {
        Content.Chunk chunk = request.read();
        while (chunk == null) {
            try (Blocker.Runnable blocker = Blocker.runnable()) {
                request.demand(blocker);
                blocker.block();
            }
            chunk = request.read();
        }
        if (Content.Chunk.isFailure(chunk)) {
            throw fail(new Refusal(400, "BAD_REQUEST", "The body could not be read: it ended early, or the client"
                    + " went away."));
        }
        try {
            bytesRead += chunk.remaining();
            if (bytesRead > maxBytes) {
                throw fail(tooLarge(maxBytes));
            }
            parser.parse(chunk);
        } finally {
            chunk.release();
        }
    }

    /** Records the request's problem (the first one decides the answer) for the handler; an IOException for the reader. */
    private IOException fail(Refusal refusal) {
        if (problem == null) {
            problem = refusal;
        }
        return new IOException(refusal.getMessage());
    }

    private static Refusal tooLarge(long maxBytes) {
        return new Refusal(413, "UPLOAD_TOO_LARGE", "The upload is over " + maxBytes + " bytes.");
    }

    private static Refusal badMultipart(String message) {
        return new Refusal(400, "BAD_MULTIPART", message);
    }
}
