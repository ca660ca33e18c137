package dev.hiringkit.server.graphql;

import graphql.ExecutionInput;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;
import graphql.validation.QueryComplexityLimits;

/**
 * Limits how deep an operation nests and how many fields it asks for (fragments counted where spread),
 * with graphql-java's validation-time limits: they are checked once per document, and the verdict is
 * cached with it. The MaxQueryDepth and MaxQueryComplexity instrumentations would walk every operation
 * again on every request, with its arguments (an ingest carries 1000 input objects).
 */
final class OperationLimits extends SimplePerformantInstrumentation {

    private final QueryComplexityLimits limits;

    OperationLimits(int maxDepth, int maxFields) {
        this.limits = QueryComplexityLimits.newLimits().maxDepth(maxDepth).maxFieldsCount(maxFields).build();
    }

    @Override
    public ExecutionInput instrumentExecutionInput(ExecutionInput input, InstrumentationExecutionParameters parameters,
            InstrumentationState state) {
        input.getGraphQLContext().put(QueryComplexityLimits.KEY, limits);
        return input;
    }
}
