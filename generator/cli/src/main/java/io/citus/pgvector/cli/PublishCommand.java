package io.citus.pgvector.cli;

import io.citus.pgvector.Failure;
import io.citus.pgvector.Failure.Kind;
import io.citus.pgvector.chart.ChartJobs;
import io.citus.pgvector.helm.HelmClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "publish",
        description = {
            "Push the packaged chart to an OCI registry.",
            "The password comes from --password-stdin or the environment variable " + PublishCommand.PASSWORD_ENV
                    + ", never from the command line."
        },
        footerHeading = "%n",
        footer = ExitCode.HELP)
final class PublishCommand implements Callable<Integer> {

    static final String PASSWORD_ENV = "CITUS_PGVECTOR_REGISTRY_PASSWORD";

    @Mixin
    HelpOptions help;

    @Option(
            names = "--registry",
            required = true,
            paramLabel = "oci://HOST[:PORT]/PATH",
            description = "Where to push, e.g. oci://ghcr.io/my-org/charts.")
    String registryUri;

    static final class Source {
        @Option(names = "--archive", paramLabel = "FILE", description = "The packaged chart to push.")
        Path archive;

        @Option(
                names = "--chart",
                paramLabel = "DIR",
                description = "Package this chart folder and push it (default: " + ChartJobs.DEFAULT_CHART + ").")
        Path chart;
    }

    @ArgGroup(exclusive = true)
    Source source = new Source();

    @Option(
            names = {"-u", "--username"},
            paramLabel = "USER",
            description = "Registry user; log in before pushing.")
    String username;

    @Option(names = "--password-stdin", description = "Read the registry password from standard input.")
    boolean passwordStdin;

    @Mixin
    RegistryOptions registry;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Failure {
        URI remote = remote();
        Optional<ChartJobs.Login> login =
                username == null ? Optional.empty() : Optional.of(new ChartJobs.Login(username, password()));
        Path archive = source.archive != null
                ? source.archive
                : source.chart != null ? source.chart : Path.of(ChartJobs.DEFAULT_CHART);
        HelmClient.Pushed pushed = ChartJobs.publish(archive, remote, login, registry.registry());
        spec.commandLine()
                .getOut()
                .printf(
                        "pushed %s to %s%s%n",
                        pushed.archive().getFileName(),
                        remote,
                        pushed.digest().map(d -> " (digest " + d + ")").orElse(""));
        return ExitCode.OK;
    }

    private URI remote() throws Failure {
        try {
            URI uri = new URI(registryUri);
            if (!"oci".equals(uri.getScheme()) || uri.getAuthority() == null) {
                throw new Failure(
                        Kind.INVALID_INPUT,
                        "--registry must be an oci://HOST[:PORT]/PATH reference, got \"" + registryUri + "\"");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new Failure(Kind.INVALID_INPUT, "--registry is not a valid reference: " + e.getMessage());
        }
    }

    private String password() throws Failure {
        if (passwordStdin) {
            try {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line = in.readLine();
                if (line == null || line.isEmpty()) {
                    throw new Failure(Kind.INVALID_INPUT, "--password-stdin: standard input is empty");
                }
                return line;
            } catch (IOException e) {
                throw new Failure(Kind.ENVIRONMENT, "--password-stdin: cannot read standard input: " + e, e);
            }
        }
        String fromEnv = System.getenv(PASSWORD_ENV);
        if (fromEnv == null || fromEnv.isEmpty()) {
            throw new Failure(
                    Kind.INVALID_INPUT, "--username needs a password: pass --password-stdin or set " + PASSWORD_ENV);
        }
        return fromEnv;
    }
}
