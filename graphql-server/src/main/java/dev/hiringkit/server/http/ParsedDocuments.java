package dev.hiringkit.server.http;

import graphql.language.Document;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The parsed form of recent documents, for the checks made before execution (operation type, anonymous
 * fields, introspection): clients send the same few documents again and again, and parsing one costs
 * more than the checks. Execution has its own cache of parsed and validated documents.
 */
final class ParsedDocuments {

    /** More distinct documents than this, and the cache starts over: a client sending new ones each time. */
    private static final int MAX_ENTRIES = 500;

    private final Map<String, Document> documents = new ConcurrentHashMap<>();

    Document parse(String query) throws InvalidSyntaxException {
        Document document = documents.get(query);
        if (document == null) {
            document = Parser.parse(query);
            if (documents.size() >= MAX_ENTRIES) {
                documents.clear();
            }
            documents.put(query, document);
        }
        return document;
    }
}
