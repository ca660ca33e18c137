package dev.hiringkit.server.cli;

import dev.hiringkit.server.auth.Role;
import dev.hiringkit.server.auth.Users;
import java.io.Console;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hiring user add|passwd|role|remove}: the server's users. Passwords come from a prompt or
 * HIRING_USER_PASSWORD.
 */
@Command(name = "user", mixinStandardHelpOptions = true,
        description = {"Manages the server's users.", "",
                "add NAME --role reader|writer|admin, passwd NAME, role NAME --role ROLE, remove NAME. The",
                "password is asked for on the terminal, or taken from HIRING_USER_PASSWORD. A new password, a new",
                "role and a removal end the user's tokens on every server at once."})
final class UserCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Parameters(index = "0", paramLabel = "ACTION", description = "add, passwd, role or remove")
    String action;

    @Parameters(index = "1", paramLabel = "NAME", description = "The user name.")
    String name;

    @Option(names = "--role", defaultValue = "reader", description = "For add and role: reader, writer or admin (default: ${DEFAULT-VALUE}).")
    String role;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (HiringRuntime runtime = HiringRuntime.start(database)) {
            Users users = new Users(runtime.dataSource());
            users.migrate();
            boolean done = switch (action) {
                case "add" -> users.add(name, password(), Role.parse(role));
                case "passwd" -> users.setPassword(name, password());
                case "role" -> users.setRole(name, Role.parse(role));
                case "remove" -> users.remove(name);
                default -> throw new CommandLine.ParameterException(spec.commandLine(),
                        "ACTION must be add, passwd, role or remove, not '" + action + "'");
            };
            if (!done) {
                throw new IllegalArgumentException(action.equals("add") ? "the user " + name + " already exists"
                        : "there is no user " + name);
            }
            out.println(switch (action) {
                case "add" -> "Added " + name + " as " + Role.parse(role).name().toLowerCase() + ".";
                case "passwd" -> "Changed the password of " + name + "; their older tokens no longer work.";
                case "role" -> name + " is now " + Role.parse(role).name().toLowerCase() + "; their older tokens no"
                        + " longer work.";
                default -> "Removed " + name + "; their tokens no longer work.";
            });
            out.flush();
        }
        return 0;
    }

    private static char[] password() {
        String given = System.getenv("HIRING_USER_PASSWORD");
        if (given != null && !given.isEmpty()) {
            return given.toCharArray();
        }
        Console console = System.console();
        if (console == null) {
            throw new IllegalArgumentException("no terminal to ask for the password: set HIRING_USER_PASSWORD");
        }
        char[] first = console.readPassword("Password: ");
        char[] again = console.readPassword("Again: ");
        if (!java.util.Arrays.equals(first, again)) {
            throw new IllegalArgumentException("the passwords differ");
        }
        return first;
    }
}
