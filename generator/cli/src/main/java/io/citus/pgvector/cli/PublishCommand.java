package io.citus.pgvector.cli;

import io.citus.pgvector.Failure;
import io.citus.pgvector.Failure.Kind;
import io.citus.pgvector.chart.ChartJobs;
import io.citus.pgvector.chart.OciReference;
import io.citus.pgvector.helm.HelmClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
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
            "Push the packaged chart to an OCI registry, then print the command that installs it.",
            "Before pushing: the archive must pass helm lint --strict and render (its default values and a superuser"
                    + " password), and its version must not be in the registry yet (--force to replace it). A signed"
                    + " archive's provenance file (ARCHIVE.prov, from package --sign or --sign here) is pushed with it.",
            "The password comes from --password-stdin or the environment variable " + PublishCommand.PASSWORD_ENV
                    + ", never from the command line."
        },
        footerHeading = "%n",
        footer = {PublishCommand.EXAMPLES, ExitCode.HELP})
final class PublishCommand implements Callable<Integer> {

    static final String PASSWORD_ENV = "CITUS_PGVECTOR_REGISTRY_PASSWORD";

    static final String EXAMPLES = """
            Examples:
              citus-pgvector publish --registry oci://ghcr.io/my-org/charts
              echo "$TOKEN" | citus-pgvector publish \\
                --archive target/charts/citus-pgvector-0.1.0.tgz \\
                --registry oci://ghcr.io/my-org/charts --username my-user --password-stdin
              citus-pgvector publish --registry oci://127.0.0.1:5000/charts --plain-http \\
                --sign --key signing-key.gpg
            """;

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

    @Mixin
    SigningOptions signing;

    @Option(names = "--force", description = "Replace the chart version if the registry already has it.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Failure {
        URI remote = remote();
        if (passwordStdin && signing.passphraseStdin) {
            throw new Failure(
                    Kind.INVALID_INPUT,
                    "--password-stdin and --passphrase-stdin both read standard input: give the passphrase in "
                            + SigningOptions.PASSPHRASE_ENV + " instead");
        }
        Optional<ChartJobs.Login> login =
                username == null ? Optional.empty() : Optional.of(new ChartJobs.Login(username, password()));
        Path archive = source.archive != null
                ? source.archive
                : source.chart != null ? source.chart : Path.of(ChartJobs.DEFAULT_CHART);
        ChartJobs.Published published =
                ChartJobs.publish(archive, remote, login, registry.registry(), force, signing.key());
        HelmClient.Pushed pushed = published.pushed();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "pushed %s to %s%s%s%n",
                pushed.archive().getFileName(),
                remote,
                pushed.digest().map(d -> " (digest " + d + ")").orElse(""),
                published.signed() ? " with its provenance file" : "");
        String flags = registry.helmFlags();
        out.printf(
                "install it with:%n  helm install citus %s --version %s%s%n",
                published.reference(), published.version(), flags);
        if (published.signed()) {
            out.printf(
                    "check its signature with:%n  helm pull %s --version %s%s --verify --keyring PUBLIC-KEYRING%n",
                    published.reference(), published.version(), flags);
        }
        return ExitCode.OK;
    }

    private URI remote() throws Failure {
        return OciReference.parse(registryUri, "--registry");
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
