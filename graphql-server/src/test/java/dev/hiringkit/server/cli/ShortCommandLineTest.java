package dev.hiringkit.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code main} builds only the subcommand a short command runs; its help and errors read as the full tree's. */
class ShortCommandLineTest {

    @Test
    void aShortCommandGetsOnlyItsOwnSubcommand() {
        assertEquals(Set.of("report"), HiringCommand.commandLineFor(new String[] {"report", "--help"})
                .getSubcommands().keySet());
        assertEquals(Set.of("serve"), HiringCommand.commandLineFor(new String[] {"serve"}).getSubcommands().keySet());
        assertEquals(HiringCommand.newCommandLine().getSubcommands().keySet(),
                HiringCommand.commandLineFor(new String[] {"load"}).getSubcommands().keySet());
        assertEquals(HiringCommand.newCommandLine().getSubcommands().keySet(),
                HiringCommand.commandLineFor(new String[] {"--help"}).getSubcommands().keySet());
    }

    @Test
    void helpAndUsageErrorsAreTheSameAsTheFullTrees() {
        for (String[] args : new String[][] {{"report", "--help"}, {"rejections", "--help"}, {"report"},
                {"loads", "--no-such-option"},
                {"serve", "--help"}, {"serve", "--port", "x"}}) {
            assertEquals(run(HiringCommand.newCommandLine(), args), run(HiringCommand.commandLineFor(args), args),
                    String.join(" ", args));
        }
        assertTrue(run(HiringCommand.commandLineFor(new String[] {"report", "--help"}), "report", "--help")
                .contains("Usage: hiring report"));
    }

    private static String run(CommandLine commandLine, String... args) {
        StringWriter out = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(out, true));
        int status = commandLine.execute(args);
        return status + "\n" + out;
    }
}
