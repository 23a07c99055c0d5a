package org.seemore.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.seemore.UserException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How the command line turns what goes wrong into one line on stderr and a non-zero exit: parse
 * errors name the command once ({@code seemore train: ...}) and point to its {@code --help}; user
 * errors print {@code seemore: message}; running out of heap says how to give the JVM more. Numbers
 * must be finite and paths representable, checked where the flags are converted. Public for the
 * optional modules' command lines ({@code seemore spark}), which refuse in the same way.
 */
public final class ErrorHandling {
    /** The exit code of every refusal (picocli's own for bad usage). */
    public static final int USER_ERROR = 2;

    private ErrorHandling() {}

    /** Installs the converters and handlers on the root command line (subcommands included). */
    public static void install(CommandLine cli) {
        CommandLine.ITypeConverter<Double> finite = ErrorHandling::finiteNumber;
        cli.registerConverter(Double.class, finite);
        cli.registerConverter(Double.TYPE, finite);
        cli.registerConverter(Path.class, ErrorHandling::path);
        cli.setParameterExceptionHandler(ErrorHandling::parameterError);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof UserException) {
                commandLine.getErr().println("seemore: " + ex.getMessage());
                return USER_ERROR;
            }
            if (ex instanceof InvalidPathException e) {
                commandLine.getErr().println("seemore: " + flagGiving(parseResult, e.getInput()) + unrepresentable(e.getInput()));
                return USER_ERROR;
            }
            throw ex;
        });
    }

    /** The one line printed when the heap runs out, wherever that happens in a command. */
    static String outOfMemory() {
        return "seemore: out of memory: the JVM may use " + MemoryCheck.gigabytes(Runtime.getRuntime().maxMemory())
                + "; " + MemoryCheck.howToRaise(2 * Runtime.getRuntime().maxMemory()) + ", or use a smaller model or batch";
    }

    /**
     * {@code seemore train: Missing required option '--out=DIR' (see 'seemore train --help')}: the
     * qualified name ({@code seemore bench gemm}), so that the root command is not named twice.
     */
    private static int parameterError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        String message = ex.getMessage();
        if (ex instanceof UnmatchedArgumentException u && !cmd.getSubcommands().isEmpty() && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().getFirst().startsWith("-")) {
            String unknown = u.getUnmatched().getFirst();
            List<String> suggestions = u.getSuggestions();
            message = "unknown command '" + unknown + "'"
                    + (unknown.equals(cmd.getCommandName()) ? "; the program's name is given twice"
                    : suggestions.isEmpty() ? "" : "; did you mean '" + suggestions.getFirst() + "'?")
                    + " (commands: " + String.join(", ", cmd.getSubcommands().keySet()) + ")";
        }
        cmd.getErr().println(name + ": " + message.strip().replaceAll("\\s*\\n\\s*", " ") + " (see '" + name + " --help')");
        return USER_ERROR;
    }

    /** A number flag: NaN or an infinity makes no sense for any of them (a temperature, a learning rate). */
    private static Double finiteNumber(String text) {
        double value;
        try {
            value = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a number");
        }
        if (!Double.isFinite(value)) throw new TypeConversionException("'" + text + "' is not a finite number");
        return value;
    }

    private static Path path(String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new TypeConversionException(unrepresentable(text).substring(2));
        }
    }

    /**
     * Java decodes arguments and encodes file names in the locale's charset (sun.jnu.encoding, which
     * cannot be overridden); under LC_ALL=C that is ASCII, so "ü" arrives as two U+FFFD and no file
     * can be named with it.
     */
    private static String unrepresentable(String text) {
        return ": '" + text + "' cannot be a path in this locale's character set ("
                + System.getProperty("sun.jnu.encoding", "unknown") + "); run under a UTF-8 locale, e.g. LC_ALL=C.UTF-8";
    }

    /** The flag (or positional parameter) whose value holds {@code input}, e.g. {@code "--data /tmp/x"}. */
    private static String flagGiving(ParseResult top, String input) {
        ParseResult result = top;
        while (result.subcommand() != null) result = result.subcommand();
        for (CommandLine.Model.OptionSpec option : result.matchedOptions()) {
            for (String value : option.originalStringValues()) {
                if (value.contains(input)) return option.longestName();
            }
        }
        for (CommandLine.Model.PositionalParamSpec positional : result.matchedPositionals()) {
            for (String value : positional.originalStringValues()) {
                if (value.contains(input)) return positional.paramLabel().toUpperCase(Locale.ROOT);
            }
        }
        return "path";
    }
}
