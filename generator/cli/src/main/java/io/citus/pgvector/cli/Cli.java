package io.citus.pgvector.cli;

import io.citus.pgvector.Failure;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/** The command line: subcommands, and the one place where failures become messages and exit codes. */
@Command(
        name = "citus-pgvector",
        description = "Generates, checks, lints, packages and publishes the citus-pgvector Helm chart.",
        subcommands = {
            GenerateCommand.class,
            CheckCommand.class,
            LintCommand.class,
            TemplateCommand.class,
            PackageCommand.class,
            PublishCommand.class,
            BuildCommand.class,
            VerifyCommand.class,
            VerifyChartCommand.class,
            BenchCommand.class,
            TuneCommand.class,
            CompletionCommand.class,
            CommandLine.HelpCommand.class
        },
        footerHeading = "%n",
        footer = {Cli.EXAMPLES, ExitCode.HELP})
public final class Cli implements Runnable {

    static final String EXAMPLES = """
            Examples:
              citus-pgvector build
              citus-pgvector template -f values/dev.yaml --set superuser.password=changeme
              citus-pgvector help publish
              source <(citus-pgvector completion)
            """;

    @Mixin
    HelpOptions help;

    @Option(names = "--stacktrace", scope = ScopeType.INHERIT, description = "Print the stack trace of a failure.")
    boolean stacktrace;

    @CommandLine.Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** Runs the command line with the given streams; the test seam for everything but {@code System.exit}. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Cli());
        addShortHelp(cli);
        cli.setExecutionStrategy(Cli::execute);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExitCodeExceptionMapper(e -> ExitCode.USAGE);
        cli.setExecutionExceptionHandler(Cli::handle);
        try {
            return cli.execute(helpForTrailingShortH(args));
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * A trailing {@code -h} with no host after it is help, also on the commands where {@code -h} takes the host: as
     * {@code --help}, it shows the usage before required options are checked ({@code tune -h}).
     */
    private static String[] helpForTrailingShortH(String... args) {
        if (args.length == 0 || !args[args.length - 1].equals("-h")) {
            return args;
        }
        String[] help = args.clone();
        help[help.length - 1] = "--help";
        return help;
    }

    /**
     * {@code -h} is help on every command where it is not the host: {@code verify} and {@code bench} take {@code -h
     * HOST} as psql does, and there {@code -h} without a host is help.
     */
    private static void addShortHelp(CommandLine command) {
        CommandSpec spec = command.getCommandSpec();
        if (spec.findOption('h') == null) {
            spec.addOption(OptionSpec.builder("-h")
                    .usageHelp(true)
                    .hidden(true)
                    .description("Show this help message and exit.")
                    .build());
        }
        command.getSubcommands().values().forEach(Cli::addShortHelp);
    }

    private static int execute(ParseResult parsed) {
        ParseResult last = parsed;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        OptionSpec host = last.matchedOption("--host");
        if (host != null && VerifyCommand.ConnectionOptions.HELP.equals(host.getValue())) {
            CommandLine command = last.commandSpec().commandLine();
            command.usage(command.getOut());
            return ExitCode.OK;
        }
        return new CommandLine.RunLast().execute(parsed);
    }

    private static int handle(Exception e, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        int code;
        if (e instanceof Failure failure) {
            err.println("error: " + failure.getMessage());
            failure.details().forEach(detail -> err.println("  " + detail));
            code = ExitCode.of(failure.kind());
        } else {
            err.println("error: internal error: " + e + " (rerun with --stacktrace and report it)");
            code = ExitCode.INTERNAL;
        }
        if (wantsStacktrace(parseResult)) {
            e.printStackTrace(err);
        }
        return code;
    }

    private static boolean wantsStacktrace(ParseResult result) {
        for (ParseResult level = result;
                level != null;
                level = level.subcommands().isEmpty()
                        ? null
                        : level.subcommands().get(0)) {
            if (level.hasMatchedOption("--stacktrace")) {
                return true;
            }
        }
        return false;
    }
}
