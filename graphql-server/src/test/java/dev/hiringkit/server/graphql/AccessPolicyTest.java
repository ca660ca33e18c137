package dev.hiringkit.server.graphql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import graphql.language.Document;
import graphql.language.OperationDefinition;
import graphql.parser.Parser;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one place that says who may ask for what: before an operation runs, and for each root field. */
class AccessPolicyTest {

    @Test
    void anonymousCallersMaySignInAndIntrospectOnly() {
        Map<String, Boolean> cases = Map.of(
                "mutation { login(username: \"a\", password: \"b\") { accessToken } }", true,
                "{ __schema { queryType { name } } __typename }", true,
                "query { ...schema } fragment schema on Query { __type(name: \"Load\") { name } }", true,
                "{ departments { edges { cursor } } }", false,
                "mutation { login(username: \"a\", password: \"b\") { accessToken } ingest(input: {}) { inserted } }",
                false,
                // A fragment the document does not define counts as a field nobody is allowed.
                "{ ...missing }", false,
                "{ ... on Query { me { username } } }", false);
        cases.forEach((query, allowed) -> {
            Document document = Parser.parse(query);
            OperationDefinition operation = document.getDefinitionsOfType(OperationDefinition.class).get(0);
            assertEquals(allowed, AccessPolicy.anonymousMayRun(document, operation), query);
        });
    }

    @Test
    void aRootFieldWithoutARuleStopsTheServerFromStarting() {
        GraphQLSchema unruled = new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(
                "type Query { departments: Int, salaries: Int }"), RuntimeWiring.newRuntimeWiring().build());
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> AccessPolicy.requireRules(unruled));
        assertEquals(true, refused.getMessage().contains("without a rule [salaries]"), refused.getMessage());
    }
}
