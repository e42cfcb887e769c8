package io.citus.pgvector.cli;

import io.citus.pgvector.cluster.ChartIntent;
import io.citus.pgvector.cluster.ClusterUnreachableException;
import io.citus.pgvector.cluster.ClusterVerifier;
import io.citus.pgvector.cluster.ConnectionSettings;
import io.citus.pgvector.cluster.Coordinator;
import io.citus.pgvector.cluster.VerifyReport;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.render.RenderedChart;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
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
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "verify", versionProvider = VersionInfo.class,
        description = {"Check a running cluster through its coordinator: active workers, citus and vector versions on"
                + " every node, shard balance, the HNSW/IVFFlat indexes on every shard of every table with a vector"
                + " column, and that the pgvector settings (hnsw.ef_search, hnsw.iterative_scan) reach the"
                + " workers.",
            "With -f, also against what the chart renders for those values (as template renders it): the"
                + " coordinator and workers by name (each node's cluster_name, which Patroni sets to the cluster's"
                + " name), every parameter of every node, and the Citus version of the image.",
            VerifyCommand.ConnectionOptions.DESCRIPTION},
        footerHeading = "%n", footer = VerifyCommand.HELP)
final class VerifyCommand implements Callable<Integer> {

    static final String HELP = """
            Exit codes:
              0  healthy
              1  unhealthy: a check failed
              2  bad command line
              3  invalid option value, or values the chart refuses
              4  coordinator unreachable, refusing the login, or lost during the checks
              5  internal error (rerun with --stacktrace)""";

    @Option(names = "--help", usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print version information and exit.")
    boolean version;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--expected-workers", paramLabel = "N",
            description = "Fail unless exactly N workers are active; with -f the chart's workers.count is expected.")
    Integer expectedWorkers;

    @Option(names = "--setting", paramLabel = "NAME=VALUE",
            description = "A value every node must have, e.g. hnsw.ef_search=100; repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = {"-f", "--values"}, paramLabel = "FILE",
            description = "Check against the chart rendered with this values file; repeatable.")
    List<Path> valuesFiles = List.of();

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Helm value for the render; repeatable; needs -f.")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--release", paramLabel = "NAME",
            description = "Release name of the render, the prefix of the nodes' names (default: citus); needs -f.")
    String release;

    @Option(names = "--chart", paramLabel = "DIR", description = "Chart folder to render (default: "
            + ChartOption.DEFAULT_CHART + "); needs -f.")
    Path chart;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json.")
    String format;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("text") && !format.equals("json")) {
            throw new CliException(ExitCode.INVALID_INPUT, "--format must be text or json, got \"" + format + "\"");
        }
        if (expectedWorkers != null && expectedWorkers < 1) {
            throw new CliException(ExitCode.INVALID_INPUT, "--expected-workers must be at least 1, got "
                    + expectedWorkers);
        }
        Optional<ChartIntent> intent = intent();
        VerifyReport report;
        try (Coordinator coordinator = Coordinator.connect(connection.settings())) {
            report = new ClusterVerifier(expectedWorkers == null ? OptionalInt.empty()
                    : OptionalInt.of(expectedWorkers), settings, intent).verify(coordinator);
        } catch (ClusterUnreachableException e) {
            throw new CliException(ExitCode.ENVIRONMENT, e.getMessage(), e);
        } catch (SQLException e) {
            throw new CliException(ExitCode.ENVIRONMENT, "the coordinator failed during the checks: " + e.getMessage(),
                    e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(format.equals("json") ? report.toJson() : report.toText());
        return report.healthy() ? ExitCode.OK : ExitCode.CHECK_FAILED;
    }

    /** What the chart renders for the given values, rendered before connecting so bad values stop the command. */
    private Optional<ChartIntent> intent() throws CliException {
        if (valuesFiles.isEmpty()) {
            if (!set.isEmpty() || release != null || chart != null) {
                throw new CliException(ExitCode.USAGE, "--set, --release and --chart describe a render: give the"
                        + " values with -f");
            }
            return Optional.empty();
        }
        if (expectedWorkers != null) {
            throw new CliException(ExitCode.USAGE, "--expected-workers and -f: the chart's workers.count is what is"
                    + " expected; give one of them");
        }
        Path folder = chart == null ? Path.of(ChartOption.DEFAULT_CHART) : chart;
        if (!Files.isRegularFile(folder.resolve("Chart.yaml"))) {
            throw new CliException(ExitCode.INVALID_INPUT, folder + ": not a chart folder (no Chart.yaml)");
        }
        for (Path file : valuesFiles) {
            if (!Files.isRegularFile(file)) {
                throw new CliException(ExitCode.INVALID_INPUT, file + ": no such values file");
            }
        }
        try {
            return Optional.of(ChartIntent.of(RenderedChart.render(folder, release == null ? "citus" : release,
                    valuesFiles, set)));
        } catch (HelmException | IllegalArgumentException e) {
            throw new CliException(ExitCode.INVALID_INPUT, e.getMessage(), e);
        }
    }

    /**
     * How to reach the coordinator, in the usual PostgreSQL forms. The password comes from PGPASSWORD or
     * {@code --password-file}, never from an option value, and is never printed.
     */
    static final class ConnectionOptions {

        static final String DESCRIPTION = "Connection: a postgresql://USER@HOST:PORT/DB?sslmode=MODE URI and/or -h, -p,"
                + " -U, -d; unset parts come from PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSLMODE (defaults: localhost,"
                + " 5432, postgres, the user's name). The password comes from --password-file or PGPASSWORD.";

        @Parameters(index = "0", arity = "0..1", paramLabel = "URI",
                description = "Connection URI of the coordinator, postgresql://USER@HOST:PORT/DB?sslmode=MODE.")
        String uri;

        @Option(names = {"-h", "--host"}, paramLabel = "HOST", description = "Coordinator host (default: PGHOST or"
                + " localhost).")
        String host;

        @Option(names = {"-p", "--port"}, paramLabel = "PORT", description = "Coordinator port (default: PGPORT or"
                + " 5432).")
        Integer port;

        @Option(names = {"-U", "--username"}, paramLabel = "USER", description = "User (default: PGUSER or postgres).")
        String username;

        @Option(names = {"-d", "--dbname"}, paramLabel = "DB", description = "Database (default: PGDATABASE or the"
                + " user's name).")
        String dbname;

        @Option(names = "--sslmode", paramLabel = "MODE", description = "disable, allow, prefer, require, verify-ca or"
                + " verify-full (default: PGSSLMODE or prefer).")
        String sslMode;

        @Option(names = "--password-file", paramLabel = "FILE", description = "File whose first line is the password"
                + " (default: PGPASSWORD).")
        Path passwordFile;

        ConnectionSettings settings() throws CliException {
            return settings(System.getenv());
        }

        ConnectionSettings settings(Map<String, String> env) throws CliException {
            String password = null;
            if (passwordFile != null) {
                try {
                    password = Files.readAllLines(passwordFile, StandardCharsets.UTF_8).stream().findFirst().orElse("");
                } catch (IOException e) {
                    throw new CliException(ExitCode.INVALID_INPUT, "--password-file: cannot read " + passwordFile + ": "
                            + e.getMessage());
                }
            }
            try {
                return ConnectionSettings.resolve(new ConnectionSettings.Given(uri, host, port, username, dbname,
                        sslMode), env, password);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCode.INVALID_INPUT, e.getMessage());
            }
        }
    }
}
