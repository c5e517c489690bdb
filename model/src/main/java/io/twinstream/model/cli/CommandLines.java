package io.twinstream.model.cli;

import io.twinstream.model.Durations;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The conventions every Twinstream command follows, written once: {@code --x=y} and {@code --x y},
 * {@code --help} and {@code --version} everywhere (each command declares
 * {@code mixinStandardHelpOptions} and {@link TwinstreamVersion}), durations in the one syntax of
 * {@link Durations}, and errors in one line that names the command and what was wrong.
 *
 * <p>Exit status: 0 done, 1 failed (a service refused or went away, an audit found differences), 2
 * bad arguments or configuration. A command returns its own status from {@code call()}; an
 * exception it lets through is reported here: an {@link IllegalArgumentException} as bad input (2),
 * anything else as a failure (1), with its stack trace when it is not one of the expected kinds.
 */
public final class CommandLines {

    /** Exit status of a command that did what it was asked. */
    public static final int OK = 0;
    /** Exit status of a command that could not: a service refused, an audit found differences. */
    public static final int FAILED = 1;
    /** Exit status for bad arguments or configuration. */
    public static final int BAD_INPUT = 2;

    private static final int HELP_WIDTH = 100;

    private CommandLines() {}

    /** A command line for {@code command} (a picocli {@code @Command}) with the house conventions. */
    public static CommandLine of(Object command) {
        return configured(new CommandLine(command));
    }

    /**
     * Applies the conventions to {@code commandLine} and every subcommand it has now: call it once
     * the tree is complete (a launcher that adds subcommands calls it after adding them).
     */
    public static CommandLine configured(CommandLine commandLine) {
        commandLine.registerConverter(Duration.class, CommandLines::duration);
        commandLine.registerConverter(Instant.class, CommandLines::instant);
        commandLine.setUsageHelpWidth(HELP_WIDTH);
        layOut(commandLine);
        commandLine.setParameterExceptionHandler(CommandLines::badInput);
        commandLine.setExecutionExceptionHandler((e, failed, parseResult) -> failure(e, failed));
        return commandLine;
    }

    /** Runs {@code command} with {@code args}, its output to {@code out} and {@code err}; returns the exit status. */
    public static int execute(Object command, PrintStream out, PrintStream err, String... args) {
        return execute(of(command), out, err, args);
    }

    /** The same for a command line already built (and {@linkplain #configured configured}). */
    public static int execute(CommandLine commandLine, PrintStream out, PrintStream err, String... args) {
        commandLine.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        commandLine.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        return commandLine.execute(args);
    }

    /** Every command's help in the same shape: usage, description, options, commands, footer. */
    private static void layOut(CommandLine commandLine) {
        UsageMessageSpec usage = commandLine.getCommandSpec().usageMessage();
        usage.descriptionHeading("%n").optionListHeading("%nOptions:%n").commandListHeading("%nCommands:%n");
        if (usage.footer().length > 0) {
            usage.footerHeading("%n");
        }
        commandLine.getSubcommands().values().forEach(CommandLines::layOut);
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new TypeConversionException("must be an instant like 2026-01-05T04:30:00Z, was '" + text + "'");
        }
    }

    private static Duration duration(String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /** {@code main}'s body: runs and exits with the command's status. */
    public static void main(Object command, String... args) {
        System.exit(execute(command, System.out, System.err, args));
    }

    /**
     * A bad argument: one line naming the command and the argument, and where the help is (never the
     * whole usage, which hid the one line that mattered).
     */
    private static int badInput(ParameterException e, String[] args) {
        CommandLine failed = e.getCommandLine();
        String name = failed.getCommandSpec().qualifiedName();
        StringBuilder line = new StringBuilder(name).append(": ").append(e.getMessage());
        if (e instanceof UnmatchedArgumentException unmatched) {
            List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) {
                line.append(" (did you mean ")
                        .append(String.join(" or ", suggestions))
                        .append("?)");
            }
        }
        line.append("; see '").append(name).append(" --help'");
        failed.getErr().println(line);
        return BAD_INPUT;
    }

    private static int failure(Exception e, CommandLine failed) {
        String name = failed.getCommandSpec().qualifiedName();
        PrintWriter err = failed.getErr();
        err.println(name + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        boolean expected = e instanceof IllegalArgumentException
                || e instanceof IllegalStateException
                || e instanceof IOException
                || e instanceof UncheckedIOException;
        if (!expected) {
            e.printStackTrace(err); // a bug: the trace is what its report needs
        }
        return e instanceof IllegalArgumentException ? BAD_INPUT : FAILED;
    }
}
