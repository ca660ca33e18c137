package dev.hiringkit.server.cli;

import dev.hiringkit.server.auth.Clients;
import dev.hiringkit.server.auth.Role;
import dev.hiringkit.server.auth.Users;
import java.io.PrintWriter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hiring client add|list|remove|rotate}: machine clients, such as pipelines, which sign in with the
 * OAuth2 client_credentials grant. A new secret goes to standard output alone, so a script can keep it
 * ({@code SECRET=$(hiring client add etl --role writer)}); what it is goes to standard error.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
        description = {"Manages machine clients (pipelines) that sign in with their own secret.", "",
                "add NAME --role reader|writer|admin, list, rotate NAME, remove NAME. add and rotate print the",
                "secret once, alone on standard output; it is stored only hashed. rotate and remove end the",
                "client's tokens on every server at once. A client signs in with:",
                "  curl -u NAME:SECRET -d grant_type=client_credentials http://localhost:8080/token"})
final class ClientCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Parameters(index = "0", paramLabel = "ACTION", description = "add, list, rotate or remove")
    String action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "The client's name (its client_id).")
    String name;

    @Option(names = "--role", defaultValue = "reader", description = "For add: reader, writer or admin (default: ${DEFAULT-VALUE}).")
    String role;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!List.of("add", "list", "rotate", "remove").contains(action)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "ACTION must be add, list, rotate or remove, not '" + action + "'");
        }
        if (!action.equals("list") && name == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), action + " needs the client's NAME");
        }
        Role parsedRole = Role.parse(role);
        try (HiringRuntime runtime = HiringRuntime.start(database)) {
            new Users(runtime.dataSource()).migrate();
            Clients clients = new Clients(runtime.dataSource());
            switch (action) {
                case "add" -> {
                    String secret = clients.add(name, parsedRole)
                            .orElseThrow(() -> new IllegalArgumentException("the client " + name + " already exists"));
                    err.println("Added the client " + name + " as " + parsedRole.name().toLowerCase(Locale.ROOT)
                            + ". Its secret, shown this once (keep it in the pipeline's secret store):");
                    err.flush();
                    out.println(secret);
                }
                case "rotate" -> {
                    String secret = clients.rotate(name)
                            .orElseThrow(() -> new IllegalArgumentException("there is no client " + name));
                    err.println("Gave " + name + " a new secret; the old one and its tokens no longer work."
                            + " The new secret, shown this once:");
                    err.flush();
                    out.println(secret);
                }
                case "remove" -> {
                    if (!clients.remove(name)) {
                        throw new IllegalArgumentException("there is no client " + name);
                    }
                    out.println("Removed the client " + name + "; its tokens no longer work.");
                }
                default -> {
                    List<Clients.Client> all = clients.list();
                    TextTable table = new TextTable("client", "role", "created", "secret set");
                    all.forEach(c -> table.row(c.name(), c.role().name().toLowerCase(Locale.ROOT),
                            c.createdAt().truncatedTo(ChronoUnit.SECONDS), c.secretSetAt().truncatedTo(ChronoUnit.SECONDS)));
                    if (table.isEmpty()) {
                        out.println("No clients yet: add one with 'hiring client add NAME --role writer'.");
                    } else {
                        table.print(out);
                    }
                }
            }
            out.flush();
        }
        return 0;
    }
}
