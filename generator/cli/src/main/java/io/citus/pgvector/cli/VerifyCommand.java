package io.citus.pgvector.cli;

import io.citus.pgvector.Failure;
import io.citus.pgvector.Failure.Kind;
import io.citus.pgvector.chart.ChartJobs;
import io.citus.pgvector.cluster.ChartIntent;
import io.citus.pgvector.cluster.ClusterVerifier;
import io.citus.pgvector.cluster.ConnectionSettings;
import io.citus.pgvector.cluster.VerifyReport;
import io.citus.pgvector.helm.ValueOverrides;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "verify",
        description = {
            "Check a running cluster through its coordinator: active workers, citus and vector versions on"
                    + " every node, shard balance, the HNSW/IVFFlat indexes on every shard of every table with a vector"
                    + " column, and that the pgvector settings (hnsw.ef_search, hnsw.iterative_scan) reach the"
                    + " workers.",
            "With -f, also against what the chart renders for those values (as template renders it): the"
                    + " coordinator and workers by name (each node's cluster_name, which Patroni sets to the cluster's"
                    + " name), every parameter of every node, and the Citus version of the image.",
            VerifyCommand.ConnectionOptions.DESCRIPTION
        },
        footerHeading = "%n",
        footer = VerifyCommand.HELP)
final class VerifyCommand implements Callable<Integer> {

    static final String HELP = """
            Examples:
              PGPASSWORD=... citus-pgvector verify -h 127.0.0.1 -p 5432 -U postgres \\
                -d postgres
              citus-pgvector verify \\
                "postgresql://postgres@127.0.0.1:5432/postgres?sslmode=require" \\
                --password-file pw.txt -f values/default.yaml --release citus

            Exit codes:
              0  healthy
              1  unhealthy: a check failed
              2  bad command line
              3  invalid option value, or values the chart refuses
              4  coordinator unreachable, refusing the login, or lost during the checks
              5  internal error (rerun with --stacktrace)""";

    @Mixin
    HelpOptions help;

    @Mixin
    ConnectionOptions connection;

    @Option(
            names = "--expected-workers",
            paramLabel = "N",
            description = "Fail unless exactly N workers are active; with -f the chart's workers.count is expected.")
    Integer expectedWorkers;

    @Option(
            names = "--setting",
            paramLabel = "NAME=VALUE",
            description = "A value every node must have, e.g. hnsw.ef_search=100; repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(
            names = {"-f", "--values"},
            paramLabel = "FILE",
            description = "Check against the chart rendered with this values file; repeatable.")
    List<Path> valuesFiles = List.of();

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "Helm value for the render, in Helm's --set syntax; repeatable; needs -f.")
    List<String> set = List.of();

    @Option(
            names = "--release",
            paramLabel = "NAME",
            description = "Release name of the render, the prefix of the nodes' names (default: citus); needs -f.")
    String release;

    @Option(
            names = "--chart",
            paramLabel = "DIR",
            description = "Chart folder to render (default: " + ChartJobs.DEFAULT_CHART + "); needs -f.")
    Path chart;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", description = "text (default) or json.")
    String format;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Failure {
        if (!format.equals("text") && !format.equals("json")) {
            throw new Failure(Kind.INVALID_INPUT, "--format must be text or json, got \"" + format + "\"");
        }
        if (expectedWorkers != null && expectedWorkers < 1) {
            throw new Failure(Kind.INVALID_INPUT, "--expected-workers must be at least 1, got " + expectedWorkers);
        }
        VerifyReport report = new ClusterVerifier(
                        expectedWorkers == null ? OptionalInt.empty() : OptionalInt.of(expectedWorkers),
                        settings,
                        intent())
                .verify(connection.settings());
        spec.commandLine().getOut().print(format.equals("json") ? report.toJson() : report.toText());
        return report.healthy() ? ExitCode.OK : ExitCode.CHECK_FAILED;
    }

    /** What the chart renders for the given values, rendered before connecting so bad values stop the command. */
    private Optional<ChartIntent> intent() throws Failure {
        if (valuesFiles.isEmpty()) {
            if (!set.isEmpty() || release != null || chart != null) {
                throw new ParameterException(
                        spec.commandLine(), "--set, --release and --chart describe a render: give the values with -f");
            }
            return Optional.empty();
        }
        if (expectedWorkers != null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--expected-workers and -f: the chart's workers.count is what is expected; give one of them");
        }
        return Optional.of(ChartIntent.render(
                chart == null ? Path.of(ChartJobs.DEFAULT_CHART) : chart,
                release == null ? "citus" : release,
                valuesFiles,
                new ValueOverrides(List.of(), set, List.of(), List.of())));
    }

    /**
     * How to reach the coordinator, in the usual PostgreSQL forms. The password comes from PGPASSWORD or
     * {@code --password-file}, never from an option value, and is never printed.
     */
    static final class ConnectionOptions {

        static final String DESCRIPTION = "Connection: a postgresql://USER@HOST:PORT/DB?sslmode=MODE URI and/or -h, -p,"
                + " -U, -d; unset parts come from PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSLMODE (defaults: localhost,"
                + " 5432, postgres, the user's name). The password comes from --password-file or PGPASSWORD.";

        @Parameters(
                index = "0",
                arity = "0..1",
                paramLabel = "URI",
                description = "Connection URI of the coordinator, postgresql://USER@HOST:PORT/DB?sslmode=MODE.")
        String uri;

        /** What {@code -h} without a host stands for: help, as on the other commands. */
        static final String HELP = "(help)";

        @Option(
                names = {"-h", "--host"},
                paramLabel = "HOST",
                arity = "0..1",
                fallbackValue = HELP,
                description = "Coordinator host (default: PGHOST or localhost); -h alone shows this help.")
        String host;

        @Option(
                names = {"-p", "--port"},
                paramLabel = "PORT",
                description = "Coordinator port (default: PGPORT or 5432).")
        Integer port;

        @Option(
                names = {"-U", "--username"},
                paramLabel = "USER",
                description = "User (default: PGUSER or postgres).")
        String username;

        @Option(
                names = {"-d", "--dbname"},
                paramLabel = "DB",
                description = "Database (default: PGDATABASE or the user's name).")
        String dbname;

        @Option(
                names = "--sslmode",
                paramLabel = "MODE",
                description = "disable, allow, prefer, require, verify-ca or"
                        + " verify-full (default: PGSSLMODE or prefer).")
        String sslMode;

        @Option(
                names = "--password-file",
                paramLabel = "FILE",
                description = "File whose first line is the password (default: PGPASSWORD).")
        Path passwordFile;

        ConnectionSettings settings() throws Failure {
            return settings(System.getenv());
        }

        ConnectionSettings settings(Map<String, String> env) throws Failure {
            String password = null;
            if (passwordFile != null) {
                try {
                    password = Files.readAllLines(passwordFile, StandardCharsets.UTF_8).stream()
                            .findFirst()
                            .orElse("");
                } catch (IOException e) {
                    throw new Failure(
                            Kind.INVALID_INPUT, "--password-file: cannot read " + passwordFile + ": " + e.getMessage());
                }
            }
            try {
                return ConnectionSettings.resolve(
                        new ConnectionSettings.Given(uri, host, port, username, dbname, sslMode), env, password);
            } catch (IllegalArgumentException e) {
                throw new Failure(Kind.INVALID_INPUT, e.getMessage());
            }
        }
    }
}
