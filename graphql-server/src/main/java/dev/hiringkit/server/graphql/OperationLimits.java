package dev.hiringkit.server.graphql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import graphql.ErrorClassification;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.execution.AbortExecutionException;
import graphql.execution.ExecutionContext;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimpleInstrumentationContext;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.language.OperationDefinition;
import graphql.normalized.ExecutableNormalizedField;
import graphql.normalized.ExecutableNormalizedOperation;
import graphql.schema.GraphQLAppliedDirective;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLList;
import graphql.schema.GraphQLNonNull;
import graphql.schema.GraphQLObjectType;
import graphql.schema.GraphQLSchema;
import graphql.schema.GraphQLType;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Limits what an operation may ask of the data before any of it runs: how deep its data fields nest, how
 * many it names, and its cost, the rows its answer may hold. Introspection ({@code __schema}, {@code __type})
 * is left to graphql-java's good-faith rules (one {@code __schema}, each cyclic field once, 500 fields,
 * depth 20), under which the standard introspection query of GraphiQL and every client passes; our own
 * small limits are for the data.
 *
 * <p>The cost counts every value the answer may hold: a field once per item of the lists around it, the
 * items of a list being what its {@code @listSize} says: the value of its {@code first} or {@code limit}
 * (checked against the maximum the schema documents), or the largest size it can have. So
 * {@code hiredEmployees(first: 1000) { edges { node { id name } } }} costs 1 + 1 + 1000 x (1 + 2) = 3002, and
 * a list inside another multiplies: {@code backups(limit: 10) { tables { rows } }} costs 1 + 10 x (1 + 3 x 1).
 * Arguments are read after variables are coerced, so {@code first: $n} costs what {@code $n} is.
 */
final class OperationLimits extends SimplePerformantInstrumentation {

    /** The name of the schema's directive that sizes lists. */
    static final String LIST_SIZE = "listSize";

    private static final Set<String> INTROSPECTION_ROOTS = Set.of("__schema", "__type");

    private final int maxDepth;
    private final int maxFields;
    private final long maxCost;
    /**
     * The measure of each operation whose measure no variable can change, kept with its parsed document
     * (weak keys: compared by identity, gone when the document cache lets the document go). Building
     * graphql-java's normalized operation resolves every argument against the variables: for a 1000-row
     * ingest, 5% of the server's CPU per request, for an answer that is the same each time.
     */
    private final Cache<OperationDefinition, Measure> measured = Caffeine.newBuilder().weakKeys()
            .maximumSize(10_000).build();
    private volatile Set<String> slicing;

    OperationLimits(int maxDepth, int maxFields, long maxCost) {
        this.maxDepth = maxDepth;
        this.maxFields = maxFields;
        this.maxCost = maxCost;
    }

    /**
     * Checks that every list field of the schema says how many items it may return, so that no cost is
     * silently counted as one row: a schema missing one fails at start-up, not in production.
     */
    static void requireListSizes(GraphQLSchema schema) {
        for (GraphQLType type : schema.getAllTypesAsList()) {
            if (type instanceof GraphQLObjectType object && !object.getName().startsWith("__")) {
                for (GraphQLFieldDefinition field : object.getFieldDefinitions()) {
                    if (unwrapNonNull(field.getType()) instanceof GraphQLList && field.getAppliedDirective(LIST_SIZE) == null) {
                        throw new IllegalStateException(object.getName() + "." + field.getName()
                                + " is a list without @listSize: its cost would be unknown");
                    }
                }
            }
        }
    }

    @Override
    public InstrumentationContext<graphql.ExecutionResult> beginExecuteOperation(
            InstrumentationExecuteOperationParameters parameters, InstrumentationState state) {
        ExecutionContext context = parameters.getExecutionContext();
        OperationDefinition definition = context.getOperationDefinition();
        Measure measure = measured.getIfPresent(definition);
        if (measure == null) {
            measure = measure(context);
            if (StaticOperations.sameForAnyVariables(definition, context.getFragmentsByName(),
                    slicingArguments(context.getGraphQLSchema()))) {
                measured.put(definition, measure);
            }
        }
        judge(measure);
        return SimpleInstrumentationContext.noOp();
    }

    /** An operation's size: its cost, how many data fields it names, how deep they nest. */
    private record Measure(long cost, int fields, int depth) {
    }

    /** The operation measured on graphql-java's normalized operation, its arguments read after variables. */
    private Measure measure(ExecutionContext context) {
        ExecutableNormalizedOperation operation;
        try {
            operation = context.getNormalizedQueryTree().get();
        } catch (AbortExecutionException e) {
            // graphql-java stops expanding fragments past 100,000 fields: far over any of our limits.
            throw refusal("OPERATION_TOO_COMPLEX", "The operation names more than 100000 fields.",
                    Map.of("limit", maxFields));
        }
        Walk walk = new Walk(context.getGraphQLSchema());
        for (ExecutableNormalizedField root : operation.getTopLevelFields()) {
            if (!INTROSPECTION_ROOTS.contains(root.getName())) {
                walk.cost(root, 1, null);
            }
        }
        return new Measure(walk.cost, walk.fields, walk.depth);
    }

    private void judge(Measure measure) {
        // The whole operation is counted before it is judged (graphql-java's expansion of fragments stops at
        // 100,000 fields), so a refusal tells the cost, the most telling of the three, when it is over.
        if (measure.cost() > maxCost) {
            throw refusal("OPERATION_TOO_COSTLY", "The operation may return more rows than this server answers in"
                    + " one request: its cost is " + measure.cost() + " (each field counted once per row it can appear"
                    + " in), and the limit is " + maxCost + ". Ask for fewer rows (first, limit) or fewer fields,"
                    + " or page through with 'after'.", Map.of("cost", measure.cost(), "limit", maxCost));
        }
        if (measure.fields() > maxFields) {
            throw refusal("OPERATION_TOO_COMPLEX", "The operation names " + measure.fields() + " fields; the limit is "
                    + maxFields + ".", Map.of("fields", measure.fields(), "limit", maxFields));
        }
        if (measure.depth() > maxDepth) {
            throw refusal("OPERATION_TOO_DEEP", "The operation nests " + measure.depth() + " fields deep; the limit is "
                    + maxDepth + ".", Map.of("depth", measure.depth(), "limit", maxDepth));
        }
    }

    /** The names of the arguments that size a list in this schema ({@code first}, {@code limit}). */
    private Set<String> slicingArguments(GraphQLSchema schema) {
        Set<String> names = slicing;
        if (names == null) {
            Set<String> found = new HashSet<>();
            for (GraphQLType type : schema.getAllTypesAsList()) {
                if (type instanceof GraphQLObjectType object) {
                    for (GraphQLFieldDefinition field : object.getFieldDefinitions()) {
                        ListSize size = ListSize.of(field);
                        if (size != null && size.slicingArgument() != null) {
                            found.add(size.slicingArgument());
                        }
                    }
                }
            }
            slicing = names = Set.copyOf(found);
        }
        return names;
    }

    /** One walk of an operation's data fields, counting as it goes and refusing as soon as a limit is passed. */
    private final class Walk {
        private final GraphQLSchema schema;
        private int fields;
        private int depth;
        private long cost;

        Walk(GraphQLSchema schema) {
            this.schema = schema;
        }

        /**
         * Counts {@code field}, met {@code times} times in the answer (the product of the list sizes around
         * it), whose items number {@code sizedByParent} when its parent sizes it (a connection its edges).
         */
        void cost(ExecutableNormalizedField field, long times, Long sizedByParent) {
            depth = Math.max(depth, field.getLevel());
            fields++;
            // Our schema has no interfaces or unions: a field has one definition.
            GraphQLFieldDefinition definition = field.getName().startsWith("__") ? null
                    : field.getFieldDefinitions(schema).get(0);
            ListSize size = definition == null ? null : ListSize.of(definition);
            long count = 1;
            Map<String, Long> sized = Map.of();
            if (size != null) {
                long value = size.items(field.getName(), field.getResolvedArguments());
                if (size.sizedFields().isEmpty()) {
                    count = value;
                } else {
                    sized = new LinkedHashMap<>();
                    for (String name : size.sizedFields()) {
                        sized.put(name, value);
                    }
                }
            }
            if (sizedByParent != null) {
                count = sizedByParent;
            }
            // A list of scalars holds its values; any other field is one value where it is met.
            add(field.hasChildren() ? times : multiply(times, count));
            long inner = multiply(times, count);
            for (ExecutableNormalizedField child : field.getChildren()) {
                cost(child, inner, sized.get(child.getName()));
            }
        }

        private void add(long rows) {
            cost = Math.min(Long.MAX_VALUE / 2, cost + rows);
        }
    }

    private static long multiply(long a, long b) {
        long product = a * b;
        return b != 0 && (product / b != a || product < 0) ? Long.MAX_VALUE / 2 : product;
    }

    private static GraphQLType unwrapNonNull(GraphQLType type) {
        return type instanceof GraphQLNonNull nonNull ? nonNull.getWrappedType() : type;
    }

    static AbortExecutionException refusal(String code, String message, Map<String, Object> details) {
        Map<String, Object> extensions = new LinkedHashMap<>();
        extensions.put("code", code);
        extensions.putAll(details);
        GraphQLError error = GraphqlErrorBuilder.newError().message(message)
                .errorType(ErrorClassification.errorClassification(code)).extensions(extensions).build();
        return new AbortExecutionException(List.of(error));
    }

    /**
     * What a field's {@code @listSize} says: the argument giving its size and that argument's maximum, or its
     * largest size when no argument sets it; and which of its result's fields hold the items.
     */
    record ListSize(String slicingArgument, int max, int assumedSize, List<String> sizedFields) {

        static ListSize of(GraphQLFieldDefinition field) {
            GraphQLAppliedDirective directive = field.getAppliedDirective(LIST_SIZE);
            if (directive == null) {
                return null;
            }
            String slicing = directive.getArgument("slicingArgument").getValue();
            Integer max = directive.getArgument("max").getValue();
            Integer assumed = directive.getArgument("assumedSize").getValue();
            List<String> sized = directive.getArgument("sizedFields").getValue();
            return new ListSize(slicing, max == null ? 0 : max, assumed == null ? 0 : assumed,
                    sized == null ? List.of() : sized);
        }

        /** The items the field may return with these arguments; a slicing argument outside 1..max is refused. */
        long items(String fieldName, Map<String, Object> arguments) {
            if (slicingArgument == null) {
                return assumedSize;
            }
            Object value = arguments.get(slicingArgument);
            if (!(value instanceof Integer n) || n < 1 || n > max) {
                throw refusal("BAD_REQUEST", fieldName + ": " + slicingArgument + " must be between 1 and " + max
                        + ", got " + value + ".", Map.of("argument", slicingArgument, "max", max));
            }
            return n;
        }
    }
}
