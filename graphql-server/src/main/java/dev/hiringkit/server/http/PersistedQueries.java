package dev.hiringkit.server.http;

import dev.hiringkit.server.graphql.DocumentCache;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Automatic persisted queries, as Apollo's clients send them: a request may carry
 * {@code extensions.persistedQuery = {version: 1, sha256Hash}} instead of its document; a hash the server
 * does not know is answered {@code PersistedQueryNotFound}, and the client sends the document with its hash
 * once, to be kept (in the server's one {@link DocumentCache}, under the same hash). Documents registered
 * when the server starts are always known; in allow-list mode they are the only ones that run, by hash or in
 * full, and no other is found by hash.
 */
final class PersistedQueries {

    /** Why a request's document could not be had: its code, and whether it is the client's format error. */
    static final class Problem extends Exception {
        private static final long serialVersionUID = 1L;

        final String code;
        final boolean malformed;

        Problem(String code, String message, boolean malformed) {
            super(message, null, false, false);
            this.code = code;
            this.malformed = malformed;
        }
    }

    private final Map<String, String> registered = new HashMap<>();
    private final boolean allowListOnly;
    /** Where documents sent by clients are found by hash: the documents the server has parsed lately. */
    private final DocumentCache documents;

    PersistedQueries(DocumentCache documents, Collection<String> registeredDocuments, boolean allowListOnly) {
        this.documents = documents;
        for (String document : registeredDocuments) {
            registered.put(DigestUtils.sha256Hex(document), document);
        }
        this.allowListOnly = allowListOnly;
    }

    /**
     * The document to run: {@code query} when the request has one (checked against its hash; once parsed, it
     * is found under it), else the document known under its hash. {@code extension} is the request's
     * {@code extensions.persistedQuery}, null when it has none.
     */
    String resolve(String query, Object extension) throws Problem {
        String hash = null;
        if (extension != null) {
            if (!(extension instanceof Map<?, ?> map) || !Integer.valueOf(1).equals(map.get("version"))
                    || !(map.get("sha256Hash") instanceof String given) || !given.matches("[0-9a-fA-F]{64}")) {
                throw new Problem("BAD_REQUEST", "extensions.persistedQuery must be {\"version\": 1, \"sha256Hash\":"
                        + " \"<64 hex digits>\"}.", true);
            }
            hash = given.toLowerCase(java.util.Locale.ROOT);
        }
        if (query == null) {
            if (hash == null) {
                return null;
            }
            String known = registered.get(hash);
            if (known == null && !allowListOnly) {
                known = documents.query(hash).orElse(null);
            }
            if (known == null) {
                // The message is what Apollo's clients look for before they send the document.
                throw new Problem("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound", false);
            }
            return known;
        }
        String actual = hash != null || allowListOnly ? DigestUtils.sha256Hex(query) : null;
        if (hash != null && !hash.equals(actual)) {
            throw new Problem("PERSISTED_QUERY_HASH_MISMATCH", "The sha256Hash is not the SHA-256 of the query's"
                    + " UTF-8 bytes.", true);
        }
        if (allowListOnly && !registered.containsKey(actual)) {
            throw new Problem("PERSISTED_QUERY_NOT_ALLOWED", "This server runs only the documents registered"
                    + " with it, and this is not one of them.", false);
        }
        return query;
    }
}
