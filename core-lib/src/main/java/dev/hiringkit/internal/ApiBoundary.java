package dev.hiringkit.internal;

import dev.hiringkit.HiringException;
import dev.hiringkit.HiringException.Code;
import dev.hiringkit.archive.ArchiveProgress;
import dev.hiringkit.internal.db.DatabaseFailures;
import dev.hiringkit.repository.LoadOptions;
import dev.hiringkit.repository.LoadProgress;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import org.flywaydb.core.api.FlywayException;

/**
 * Where the library's exceptions become {@link HiringException}s: whatever jOOQ, Flyway, the JDBC driver,
 * the pool or a bug lets out of an API call leaves it as a HiringException with a code, its cause kept.
 * The parts {@code HiringKit} hands out are wrapped by {@link #guard}, so a method added to an API interface
 * is covered without anyone remembering to. What the caller's own code throws (a progress callback
 * stopping a load, say) is the caller's, not the library's: it comes back out unchanged. Internal to
 * HiringKit, not part of its API.
 */
public final class ApiBoundary {

    /** The API interfaces a guarded method may return; what it returns of them is guarded too. */
    private static final Set<Class<?>> GUARDED = Set.of(dev.hiringkit.repository.HiringRepository.class,
            dev.hiringkit.reports.Reports.class, dev.hiringkit.archive.Archiver.class,
            dev.hiringkit.validation.Validator.class, dev.hiringkit.validation.Validator.Scope.class);

    /**
     * What the caller's callbacks threw, by identity (Throwable keeps Object's equals), held weakly: a
     * callback may run on another thread than the call, and nothing here outlives the exception.
     */
    private static final Set<Throwable> CALLER_THREW = Collections.newSetFromMap(
            Collections.synchronizedMap(new WeakHashMap<>()));

    private ApiBoundary() {
    }

    /** {@code part} as {@code api}, every call of which lets out only HiringExceptions. */
    public static <T> T guard(Class<T> api, T part) {
        if (!GUARDED.contains(api)) {
            throw new IllegalArgumentException(api + " is not an API interface the boundary guards");
        }
        return api.cast(Proxy.newProxyInstance(api.getClassLoader(), new Class<?>[] {api}, new Guard(api, part)));
    }

    /**
     * {@code e}, thrown while doing {@code operation} ("Migrating the schema", "Reports.hiresByQuarter"), as
     * the HiringException to let out: a HiringException as it is; a failure with an {@link SQLException}
     * among its causes as DATABASE_UNAVAILABLE or DATABASE_ERROR ({@link DatabaseFailures}); Flyway refusing
     * the database's schema history as SCHEMA_MISMATCH; a bad argument as INVALID_ARGUMENT; anything else
     * as INTERNAL_ERROR, whose message names no internals (the cause has the details).
     */
    public static HiringException translate(String operation, RuntimeException e) {
        if (e instanceof HiringException hiring) {
            return hiring;
        }
        SQLException sql = sqlCause(e);
        if (sql != null) {
            return DatabaseFailures.translate(operation + " failed", sql);
        }
        if (e instanceof FlywayException) {
            return new HiringException(Code.SCHEMA_MISMATCH, operation + " failed: the database's schema history does"
                    + " not fit this version of HiringKit: " + e.getMessage(), e);
        }
        if (e instanceof IllegalArgumentException) {
            return new HiringException(Code.INVALID_ARGUMENT, e.getMessage(), e);
        }
        return new HiringException(Code.INTERNAL_ERROR, operation + " failed unexpectedly; the cause has the details.",
                e);
    }

    /** The caller's exception among {@code e} and its causes, or null when the library's code failed. */
    private static RuntimeException callerFailure(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth++ < 32; t = t.getCause()) {
            if (t instanceof RuntimeException r && CALLER_THREW.contains(r)) {
                return r;
            }
        }
        return null;
    }

    /** The caller's callbacks among {@code args}, watched so that what they throw is known as theirs. */
    private static Object[] watchCallbacks(Object[] args) {
        if (args == null) {
            return null;
        }
        Object[] watched = args.clone();
        for (int i = 0; i < watched.length; i++) {
            if (watched[i] instanceof LoadOptions options && options.progress() != null) {
                watched[i] = options.withProgress(watched(options.progress()));
            } else if (watched[i] instanceof ArchiveProgress progress) {
                watched[i] = (ArchiveProgress) (table, rows, expected) -> callback(() -> progress.rows(table, rows,
                        expected));
            }
        }
        return watched;
    }

    private static void callback(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            CALLER_THREW.add(e);
            throw e;
        }
    }

    /**
     * {@code progress}, every method of which (a default one added later too) is passed on through
     * {@link #callback}, so that what it throws is known as the caller's.
     */
    private static LoadProgress watched(LoadProgress progress) {
        return (LoadProgress) Proxy.newProxyInstance(LoadProgress.class.getClassLoader(),
                new Class<?>[] {LoadProgress.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return method.invoke(progress, args);
                    }
                    callback(() -> {
                        try {
                            method.invoke(progress, args);
                        } catch (InvocationTargetException e) {
                            if (e.getCause() instanceof Error error) {
                                throw error;
                            }
                            // LoadProgress declares no checked exception: the cause is a RuntimeException.
                            throw (RuntimeException) e.getCause();
                        } catch (IllegalAccessException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    return null;
                });
    }

    private static SQLException sqlCause(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth++ < 32; t = t.getCause()) {
            if (t instanceof SQLException s) {
                return s;
            }
        }
        return null;
    }

    private record Guard(Class<?> api, Object part) implements InvocationHandler {

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> api.getSimpleName() + " of " + part;
                };
            }
            Object result;
            try {
                result = method.invoke(part, watchCallbacks(args));
            } catch (InvocationTargetException thrown) {
                if (thrown.getCause() instanceof RuntimeException e) {
                    RuntimeException callers = e instanceof HiringException ? null : callerFailure(e);
                    throw callers != null ? callers : translate(api.getSimpleName() + "." + method.getName(), e);
                }
                throw thrown.getCause();
            }
            return result != null && GUARDED.contains(method.getReturnType()) && !Proxy.isProxyClass(result.getClass())
                    ? guard(cast(method.getReturnType()), result) : result;
        }

        @SuppressWarnings("unchecked")
        private static <T> Class<T> cast(Class<?> type) {
            return (Class<T>) type;
        }
    }
}
