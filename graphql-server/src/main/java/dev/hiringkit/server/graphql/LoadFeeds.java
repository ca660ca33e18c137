package dev.hiringkit.server.graphql;

import dev.hiringkit.repository.HiringRepository;
import dev.hiringkit.repository.LoadResult;
import dev.hiringkit.repository.LoadStatus;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sources of the load subscriptions: they read the loads table, where a load records its totals with
 * each committed chunk, so a client of any server instance follows a load run by any other. A chunk is
 * 50,000 records, committed every few tenths of a second in a large load; reading the table every
 * {@link #POLL} (one primary-key lookup per follower) shows each of them, and costs the database little.
 * Nothing is sent while nothing changes.
 */
final class LoadFeeds {

    private static final Logger LOG = LoggerFactory.getLogger(LoadFeeds.class);

    static final Duration POLL = Duration.ofMillis(250);
    /** How many of the newest loads loadStarted looks at each time: more than start in a quarter second. */
    private static final int RECENT = 50;

    private final HiringRepository repository;
    private final ScheduledExecutorService timer;

    LoadFeeds(HiringRepository repository, ScheduledExecutorService timer) {
        this.repository = repository;
        this.timer = timer;
    }

    /** The load now, then each change of its totals or status, until it is no longer RUNNING. */
    Flow.Publisher<LoadResult> progress(UUID loadId) {
        return subscriber -> new Polling<LoadResult>(subscriber, new Supplier<Step<LoadResult>>() {
            private LoadResult last;

            @Override
            public Step<LoadResult> get() {
                LoadResult now = repository.findLoad(loadId).orElse(null);
                if (now == null) {
                    return new Step<>(List.of(), true);
                }
                boolean changed = last == null || last.rowsRead() != now.rowsRead() || !last.status().equals(now.status())
                        || !Objects.equals(last.rejectedByCode(), now.rejectedByCode());
                last = now;
                return new Step<>(changed ? List.of(now) : List.of(), now.status() != LoadStatus.RUNNING);
            }
        });
    }

    /**
     * The loads RUNNING now, then each load that starts on any server, or resumes: once as it runs (a load
     * that started and ended between two looks, once as it ended).
     */
    Flow.Publisher<LoadResult> started() {
        return subscriber -> new Polling<LoadResult>(subscriber, new Supplier<Step<LoadResult>>() {
            /** Loads told of, or ended before the subscription. */
            private Set<UUID> known;
            /** Loads told of as RUNNING and still running: told again only if they stop and resume. */
            private final Set<UUID> running = new HashSet<>();

            @Override
            public Step<LoadResult> get() {
                List<LoadResult> recent = repository.loads(RECENT);
                if (known == null) {
                    known = new HashSet<>();
                    recent.stream().filter(l -> l.status() != LoadStatus.RUNNING).forEach(l -> known.add(l.loadId()));
                }
                List<LoadResult> out = new ArrayList<>();
                for (int i = recent.size() - 1; i >= 0; i--) {
                    LoadResult load = recent.get(i);
                    if (load.status() == LoadStatus.RUNNING) {
                        known.add(load.loadId());
                        if (running.add(load.loadId())) {
                            out.add(load);
                        }
                    } else {
                        running.remove(load.loadId());
                        if (known.add(load.loadId())) {
                            out.add(load);
                        }
                    }
                }
                return new Step<>(out, false);
            }
        });
    }

    /** What one poll found: the items to send, and whether the feed has ended. */
    record Step<T>(List<T> items, boolean done) {
    }

    /**
     * One subscriber's feed: polls on the timer, queues what it finds and hands it on as the subscriber asks
     * for it. A failed poll (the database away) is retried at the next tick; the subscription lives on.
     */
    private final class Polling<T> implements Flow.Subscription {
        private final Flow.Subscriber<? super T> subscriber;
        private final Supplier<Step<T>> poll;
        private final Deque<T> queue = new ArrayDeque<>();
        private ScheduledFuture<?> task;
        private long demand;
        private boolean done;
        private boolean finished;
        private boolean draining;
        private boolean missed;

        Polling(Flow.Subscriber<? super T> subscriber, Supplier<Step<T>> poll) {
            this.subscriber = subscriber;
            this.poll = poll;
            subscriber.onSubscribe(this);
            synchronized (this) {
                if (!finished) {
                    task = timer.scheduleWithFixedDelay(this::tick, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        }

        private void tick() {
            synchronized (this) {
                if (finished || done) {
                    return;
                }
            }
            Step<T> step;
            try {
                step = poll.get();
            } catch (RuntimeException e) {
                LOG.debug("a load feed could not read the loads table: {}", e.toString());
                return;
            }
            synchronized (this) {
                queue.addAll(step.items());
                done = step.done();
            }
            drain();
        }

        @Override
        public void request(long n) {
            synchronized (this) {
                demand = n <= 0 || demand + n < 0 ? Long.MAX_VALUE : demand + n;
            }
            drain();
        }

        /**
         * Hands queued items on while there is demand. Signals go out one at a time and never under this
         * object's lock (the subscriber may ask for more from another thread meanwhile): a thread that finds
         * another draining leaves it a note to look again.
         */
        private void drain() {
            synchronized (this) {
                if (draining) {
                    missed = true;
                    return;
                }
                draining = true;
            }
            while (true) {
                T item = null;
                boolean complete = false;
                synchronized (this) {
                    if (!finished && !queue.isEmpty() && demand > 0) {
                        demand--;
                        item = queue.poll();
                    } else if (!finished && queue.isEmpty() && done) {
                        finish();
                        complete = true;
                    } else if (missed) {
                        missed = false;
                        continue;
                    } else {
                        draining = false;
                        return;
                    }
                }
                if (complete) {
                    subscriber.onComplete();
                    synchronized (this) {
                        draining = false;
                    }
                    return;
                }
                subscriber.onNext(item);
            }
        }

        @Override
        public synchronized void cancel() {
            finish();
        }

        private void finish() {
            finished = true;
            if (task != null) {
                task.cancel(false);
            }
            queue.clear();
        }
    }
}
