package dev.hiringkit.server.graphql;

import graphql.language.Argument;
import graphql.language.ArrayValue;
import graphql.language.Directive;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.ObjectField;
import graphql.language.ObjectValue;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.language.Value;
import graphql.language.VariableReference;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tells whether an operation's shape and list sizes are the same whatever its variables: no variable sets a
 * slicing argument ({@code first}, {@code limit}) and none decides whether a field is there ({@code @skip},
 * {@code @include}, or any other directive). Its {@link OperationLimits} measure then holds for every request
 * that sends it. Conservative: a slicing argument's name counts on any field.
 */
final class StaticOperations {

    private StaticOperations() {
    }

    static boolean sameForAnyVariables(OperationDefinition operation, Map<String, FragmentDefinition> fragments,
            Set<String> slicingArguments) {
        return !usesVariables(operation.getDirectives()) && staticSelections(operation.getSelectionSet(), fragments,
                slicingArguments, new HashSet<>());
    }

    private static boolean staticSelections(SelectionSet set, Map<String, FragmentDefinition> fragments,
            Set<String> slicingArguments, Set<String> visited) {
        if (set == null) {
            return true;
        }
        for (Selection<?> selection : set.getSelections()) {
            boolean same;
            if (selection instanceof Field field) {
                same = !usesVariables(field.getDirectives())
                        && field.getArguments().stream().noneMatch(a -> slicingArguments.contains(a.getName())
                                && hasVariable(a.getValue()))
                        && staticSelections(field.getSelectionSet(), fragments, slicingArguments, visited);
            } else if (selection instanceof InlineFragment inline) {
                same = !usesVariables(inline.getDirectives())
                        && staticSelections(inline.getSelectionSet(), fragments, slicingArguments, visited);
            } else if (selection instanceof FragmentSpread spread) {
                FragmentDefinition fragment = fragments.get(spread.getName());
                same = !usesVariables(spread.getDirectives()) && (!visited.add(spread.getName()) || fragment != null
                        && !usesVariables(fragment.getDirectives())
                        && staticSelections(fragment.getSelectionSet(), fragments, slicingArguments, visited));
            } else {
                same = false;
            }
            if (!same) {
                return false;
            }
        }
        return true;
    }

    private static boolean usesVariables(List<Directive> directives) {
        for (Directive directive : directives) {
            for (Argument argument : directive.getArguments()) {
                if (hasVariable(argument.getValue())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasVariable(Value<?> value) {
        if (value instanceof VariableReference) {
            return true;
        }
        if (value instanceof ArrayValue array) {
            return array.getValues().stream().anyMatch(StaticOperations::hasVariable);
        }
        if (value instanceof ObjectValue object) {
            return object.getObjectFields().stream().map(ObjectField::getValue).anyMatch(StaticOperations::hasVariable);
        }
        return false;
    }
}
