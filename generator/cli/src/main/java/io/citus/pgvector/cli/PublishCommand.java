package io.citus.pgvector.cli;

import io.citus.pgvector.helm.HelmClient;
import io.citus.pgvector.helm.HelmException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "publish", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = {"Push the packaged chart to an OCI registry.",
            "The password comes from --password-stdin or the environment variable " + PublishCommand.PASSWORD_ENV
                    + ", never from the command line."},
        footerHeading = "%n", footer = ExitCode.HELP)
final class PublishCommand implements Callable<Integer> {

    static final String PASSWORD_ENV = "CITUS_PGVECTOR_REGISTRY_PASSWORD";

    @Option(names = "--registry", required = true, paramLabel = "oci://HOST[:PORT]/PATH",
            description = "Where to push, e.g. oci://ghcr.io/my-org/charts.")
    String registryUri;

    static final class Source {
        @Option(names = "--archive", paramLabel = "FILE", description = "The packaged chart to push.")
        Path archive;

        @Option(names = "--chart", paramLabel = "DIR", description = "Package this chart folder and push it"
                + " (default: " + ChartOption.DEFAULT_CHART + ").")
        Path chart;
    }

    @ArgGroup(exclusive = true)
    Source source = new Source();

    @Option(names = {"-u", "--username"}, paramLabel = "USER", description = "Registry user; log in before pushing.")
    String username;

    @Option(names = "--password-stdin", description = "Read the registry password from standard input.")
    boolean passwordStdin;

    @Mixin
    RegistryOptions registry;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        URI remote = remote();
        Path archive = archive();
        try {
            if (username != null) {
                new HelmClient().login(remote.getAuthority(), username, password(), registry.registry());
            }
            HelmClient.Pushed pushed = new HelmClient().push(archive, remote, registry.registry());
            spec.commandLine().getOut().printf("pushed %s to %s%s%n", archive.getFileName(), remote,
                    pushed.digest().map(d -> " (digest " + d + ")").orElse(""));
        } catch (HelmException e) {
            throw new CliException(ExitCode.ENVIRONMENT, e.getMessage(), e);
        }
        return ExitCode.OK;
    }

    private URI remote() throws CliException {
        try {
            URI uri = new URI(registryUri);
            if (!"oci".equals(uri.getScheme()) || uri.getAuthority() == null) {
                throw new CliException(ExitCode.INVALID_INPUT, "--registry must be an oci://HOST[:PORT]/PATH reference,"
                        + " got \"" + registryUri + "\"");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new CliException(ExitCode.INVALID_INPUT, "--registry is not a valid reference: " + e.getMessage());
        }
    }

    private Path archive() throws CliException {
        if (source.archive != null) {
            if (!Files.isRegularFile(source.archive)) {
                throw new CliException(ExitCode.INVALID_INPUT, source.archive + ": no such chart archive");
            }
            return source.archive;
        }
        ChartOption chart = new ChartOption();
        chart.chart = source.chart == null ? Path.of(ChartOption.DEFAULT_CHART) : source.chart;
        try {
            Path staging = Files.createTempDirectory("citus-pgvector-publish-");
            staging.toFile().deleteOnExit();
            Path archive = PackageCommand.packageChart(chart.existing(), staging);
            archive.toFile().deleteOnExit();
            return archive;
        } catch (IOException e) {
            throw new CliException(ExitCode.ENVIRONMENT, "cannot create a temporary folder: " + e, e);
        }
    }

    private String password() throws CliException {
        if (passwordStdin) {
            try {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line = in.readLine();
                if (line == null || line.isEmpty()) {
                    throw new CliException(ExitCode.INVALID_INPUT, "--password-stdin: standard input is empty");
                }
                return line;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String fromEnv = System.getenv(PASSWORD_ENV);
        if (fromEnv == null || fromEnv.isEmpty()) {
            throw new CliException(ExitCode.INVALID_INPUT, "--username needs a password: pass --password-stdin or set "
                    + PASSWORD_ENV);
        }
        return fromEnv;
    }
}
