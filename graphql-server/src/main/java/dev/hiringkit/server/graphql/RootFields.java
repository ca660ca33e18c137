package dev.hiringkit.server.graphql;

import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.OperationDefinition;
import graphql.language.SelectionSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The root fields an operation asks for, read from its syntax tree before it runs (through its fragments),
 * for the checks the HTTP layer makes first: who may run it, which mutation an idempotency key keys.
 */
public final class RootFields {

    /** What an unknown fragment counts as: a field nobody is allowed without a decision. */
    static final String UNKNOWN = "?";

    private RootFields() {
    }

    /** The names of the root fields of {@code operation}, in document order, repeated as asked. */
    public static List<String> of(Document document, OperationDefinition operation) {
        return of(document, operation.getSelectionSet());
    }

    private static List<String> of(Document document, SelectionSet set) {
        return set.getSelections().stream().flatMap(selection -> {
            if (selection instanceof Field field) {
                return Stream.of(field.getName());
            }
            SelectionSet inner = selection instanceof InlineFragment inline ? inline.getSelectionSet()
                    : selection instanceof FragmentSpread spread
                            ? fragment(document, spread.getName()).map(FragmentDefinition::getSelectionSet).orElse(null)
                            : null;
            return inner == null ? Stream.of(UNKNOWN) : of(document, inner).stream();
        }).toList();
    }

    private static Optional<FragmentDefinition> fragment(Document document, String name) {
        return document.getDefinitionsOfType(FragmentDefinition.class).stream()
                .filter(f -> f.getName().equals(name)).findFirst();
    }
}
