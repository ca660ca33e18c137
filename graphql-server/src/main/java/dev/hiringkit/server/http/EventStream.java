package dev.hiringkit.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import graphql.ExecutionResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One answer as Server-Sent Events, in the graphql-sse protocol's distinct connections mode: each result
 * is a {@code next} event whose data is the GraphQL response, and a {@code complete} event ends the stream.
 * As the subscriber of a subscription's results it asks for the next one only once the last is written,
 * so a slow client slows the source instead of filling memory. A comment line goes out every
 * {@link #HEARTBEAT_SECONDS} seconds of silence: it keeps proxies and Jetty's idle timeout (30 s) from
 * closing a quiet stream, and finds out a client that went away. The client ends a subscription by
 * closing the connection.
 */
final class EventStream implements Subscriber<ExecutionResult> {

    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);

    static final String MEDIA_TYPE = "text/event-stream";
    static final int HEARTBEAT_SECONDS = 10;

    private static final byte[] COMPLETE = "event: complete\ndata: \n\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] HEARTBEAT = ":\n\n".getBytes(StandardCharsets.UTF_8);

    private final Response response;
    private final Callback callback;
    private final Function<ExecutionResult, Map<String, Object>> shape;
    private final ScheduledFuture<?> heartbeat;
    private final Deque<ByteBuffer> queue = new ArrayDeque<>();
    private boolean writing;
    private boolean closing;
    private boolean done;
    /** Whether the subscription is asked for its next result once what is queued is written. */
    private boolean pendingRequest;
    private long lastWrite = System.nanoTime();
    private Subscription subscription;
    private Runnable ended = () -> { };

    /** Starts the answer: status 200, the event-stream headers, and a heartbeat on {@code timer}. */
    EventStream(Response response, Callback callback, ScheduledExecutorService timer,
            Function<ExecutionResult, Map<String, Object>> shape) {
        this.response = response;
        this.callback = callback;
        this.shape = shape;
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, MEDIA_TYPE + "; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache, no-store");
        // nginx and others buffer answers unless told not to; an event must reach the client at once.
        response.getHeaders().put("X-Accel-Buffering", "no");
        this.heartbeat = timer.scheduleWithFixedDelay(this::beat, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
        // An empty write sends the status and headers now: a subscription that has no event yet would
        // otherwise keep its client waiting for them until the first heartbeat, 10 s later.
        synchronized (this) {
            enqueue(ByteBuffer.allocate(0));
        }
    }

    /** One result, then the end: a query's or mutation's answer, or a request refused before it ran. */
    void single(Map<String, Object> answer) {
        next(answer, false);
        complete();
    }

    private synchronized void next(Map<String, Object> answer, boolean requestMore) {
        byte[] json;
        try {
            json = JsonAnswers.JSON.writeValueAsBytes(answer);
        } catch (JsonProcessingException e) {
            json = "{\"errors\":[{\"message\":\"The answer could not be written.\",\"extensions\":{\"code\":\"INTERNAL_ERROR\"}}]}"
                    .getBytes(StandardCharsets.UTF_8);
        }
        // JSON as Jackson writes it has no raw line break, so it is one data line.
        ByteBuffer event = ByteBuffer.allocate(json.length + 20);
        event.put("event: next\ndata: ".getBytes(StandardCharsets.UTF_8)).put(json).put((byte) '\n').put((byte) '\n').flip();
        // Set before the write, which may complete at once and look for it.
        pendingRequest = requestMore;
        enqueue(event);
    }

    /**
     * Ends the stream with one last result, {@code answer}, unless it is ending already: when the instance
     * stops, so that a subscription does not hold the stop for the whole grace period. The client subscribes
     * again, through its balancer, to another instance.
     */
    synchronized void end(Map<String, Object> answer) {
        if (!closing && !done) {
            next(answer, false);
            complete();
        }
    }

    /** Runs {@code action} once the stream has ended, however it ended (at once if it has). */
    synchronized void whenEnded(Runnable action) {
        if (done) {
            action.run();
        } else {
            ended = action;
        }
    }

    synchronized void complete() {
        if (!closing) {
            closing = true;
            enqueue(ByteBuffer.wrap(COMPLETE));
        }
    }

    private synchronized void beat() {
        if (!closing && !writing && System.nanoTime() - lastWrite >= TimeUnit.SECONDS.toNanos(HEARTBEAT_SECONDS - 1)) {
            enqueue(ByteBuffer.wrap(HEARTBEAT));
        }
    }

    private void enqueue(ByteBuffer buffer) {
        if (done) {
            return;
        }
        queue.add(buffer);
        if (!writing) {
            writeNext();
        }
    }

    /** Writes the head of the queue; called holding the lock, with no write in flight. */
    private void writeNext() {
        ByteBuffer buffer = queue.poll();
        if (buffer == null) {
            if (pendingRequest && subscription != null && !closing) {
                pendingRequest = false;
                subscription.request(1);
            }
            return;
        }
        writing = true;
        boolean last = closing && queue.isEmpty() && buffer.array() == COMPLETE;
        lastWrite = System.nanoTime();
        response.write(last, buffer, new Callback() {
            @Override
            public void succeeded() {
                synchronized (EventStream.this) {
                    writing = false;
                    if (last) {
                        finish(null);
                    } else {
                        writeNext();
                    }
                }
            }

            @Override
            public void failed(Throwable failure) {
                synchronized (EventStream.this) {
                    writing = false;
                    finish(failure);
                }
            }
        });
    }

    private void finish(Throwable failure) {
        if (done) {
            return;
        }
        done = true;
        heartbeat.cancel(false);
        queue.clear();
        if (subscription != null) {
            subscription.cancel();
        }
        ended.run();
        if (failure == null) {
            callback.succeeded();
        } else {
            // The client went away: the usual end of a subscription.
            LOG.debug("event stream ended: {}", failure.toString());
            callback.failed(failure);
        }
    }

    // ---- the subscription's results ----------------------------------------------------------

    @Override
    public synchronized void onSubscribe(Subscription s) {
        if (done) {
            s.cancel();
            return;
        }
        this.subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(ExecutionResult result) {
        next(shape.apply(result), true);
    }

    @Override
    public void onError(Throwable t) {
        LOG.error("a subscription failed", t);
        next(JsonAnswers.error("INTERNAL_ERROR", "The subscription failed; it has been logged."), false);
        complete();
    }

    @Override
    public void onComplete() {
        complete();
    }
}
