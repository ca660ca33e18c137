package dev.hiringkit.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A client of a running {@code hiring serve}, with nothing but the JDK's HTTP client and a JSON
 * library: sign in, send a batch of new rows, read a report. Run with the server's address, a user
 * name and a password.
 */
public final class GraphQLClientExample {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final URI server;
    private String token;

    GraphQLClientExample(URI server) {
        this.server = server;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: GraphQLClientExample http://localhost:8080 USER PASSWORD");
            System.exit(2);
        }
        GraphQLClientExample client = new GraphQLClientExample(URI.create(args[0]));
        client.signIn(args[1], args[2]);
        client.ingest();
        client.printReport(2021);
    }

    /** The OAuth2 password grant at /token: the answer's access_token goes in every later request. */
    void signIn(String user, String password) throws IOException, InterruptedException {
        String form = "grant_type=password&username=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
                + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(server.resolve("/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode answer = JSON.readTree(response.body());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("sign-in refused: " + answer.path("error_description").asText());
        }
        token = answer.get("access_token").asText();
    }

    /** One request for rows of several tables, parents first; rows that break a rule come back with their reasons. */
    JsonNode ingest() throws IOException, InterruptedException {
        JsonNode result = graphql("""
                mutation($input: IngestInput!) {
                  ingest(input: $input) {
                    inserted rejected
                    tables { table inserted rejected { index record reasons { field code message } } }
                  }
                }""", Map.of("input", Map.of(
                "departments", List.of(Map.of("id", 2001, "department", "Data Platform")),
                "jobs", List.of(Map.of("id", 2001, "job", "Data Engineer")),
                "hiredEmployees", List.of(
                        Map.of("id", 200_001, "name", "Grace Hopper", "datetime", "2021-06-30T12:00:00Z",
                                "departmentId", 2001, "jobId", 2001),
                        Map.of("id", 200_002, "name", "Alan Turing", "datetime", "2021-07-01T09:30:00-05:00",
                                "departmentId", 2001, "jobId", 9999))))).get("ingest");
        System.out.printf("ingest: %d inserted, %d rejected%n", result.get("inserted").asInt(), result.get("rejected").asInt());
        for (JsonNode table : result.get("tables")) {
            for (JsonNode row : table.get("rejected")) {
                System.out.printf("  %s row %d refused: %s%n", table.get("table").asText(), row.get("index").asInt(),
                        row.get("reasons"));
            }
        }
        return result;
    }

    /** Departments that hired more than the mean in a year. */
    JsonNode printReport(int year) throws IOException, InterruptedException {
        JsonNode report = graphql("query($year: Int) { departmentsAboveMean(year: $year) { mean departments { id department hired } } }",
                Map.of("year", year)).get("departmentsAboveMean");
        System.out.printf("%d: mean %.2f hires per department%n", year, report.get("mean").asDouble());
        report.get("departments").forEach(d -> System.out.printf("  %-30s %d%n", d.get("department").asText(),
                d.get("hired").asInt()));
        return report;
    }

    /** POSTs a GraphQL request; errors (with their extensions.code) become an exception. */
    private JsonNode graphql(String query, Map<String, Object> variables) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(server.resolve("/graphql"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/graphql-response+json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                        Map.of("query", query, "variables", variables))))
                .build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        if (body.has("errors")) {
            JsonNode error = body.get("errors").get(0);
            throw new IllegalStateException(error.at("/extensions/code").asText() + ": " + error.get("message").asText());
        }
        return body.get("data");
    }
}
