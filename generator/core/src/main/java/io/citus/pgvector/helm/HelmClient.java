package io.citus.pgvector.helm;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.PushCommand;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.TemplateCommand;
import io.citus.pgvector.Failure.Kind;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The generator's use of Helm, through helm-java's bundled native Helm library. Helm's failures come back as
 * {@link HelmException} carrying Helm's message; a failed lint is a result, not an exception.
 */
public final class HelmClient {

    /** The Kubernetes version a render targets when no cluster is asked; {@code template}'s default. */
    public static final String DEFAULT_KUBE_VERSION = "1.31.0";

    /** The namespace of a render that names none, as {@code helm template} defaults it. */
    public static final String DEFAULT_NAMESPACE = "default";

    /** How Helm's registry client says a repository or tag does not exist. */
    private static final Pattern NOT_FOUND = Pattern.compile("(?i)not found|name unknown|manifest unknown");

    private static final Pattern DIGEST = Pattern.compile("Digest:\\s*(sha256:[0-9a-f]{64})");

    /** Where and how to reach an OCI registry. */
    public record Registry(boolean plainHttp, boolean insecureSkipTlsVerify, Path caFile) {
        public static final Registry DEFAULT = new Registry(false, false, null);

        /** Sets these options on a helm-java command, whose option setters share no interface. */
        void applyTo(Runnable plainHttpSetter, Runnable insecureSetter, Consumer<Path> caFileSetter) {
            if (plainHttp) {
                plainHttpSetter.run();
            }
            if (insecureSkipTlsVerify) {
                insecureSetter.run();
            }
            if (caFile != null) {
                caFileSetter.accept(caFile);
            }
        }
    }

    /** What to render: a chart folder or a remote reference, with release name, namespace and values. */
    public record TemplateRequest(
            String chart,
            String version,
            String releaseName,
            String namespace,
            String kubeVersion,
            List<Path> valuesFiles,
            Map<String, String> set,
            Registry registry) {

        /** A chart folder rendered without further options: namespace default, the default Kubernetes version. */
        public static TemplateRequest folder(
                Path chart, String releaseName, List<Path> valuesFiles, Map<String, String> set) {
            return new TemplateRequest(
                    chart.toString(),
                    null,
                    releaseName,
                    null,
                    DEFAULT_KUBE_VERSION,
                    valuesFiles,
                    set,
                    Registry.DEFAULT);
        }
    }

    /** The archive pushed, Helm's output and the manifest digest. */
    public record Pushed(Path archive, String output, Optional<String> digest) {}

    public LintResult lint(Path chart) throws HelmException {
        return call(
                Kind.ENVIRONMENT,
                "helm lint " + chart,
                () -> new Helm(chart).lint().strict().call());
    }

    public String template(TemplateRequest request) throws HelmException {
        // Helm refusing a local chart is the chart's or the values' fault; a remote one may also be out of reach.
        Kind kind = request.chart().startsWith("oci://") ? Kind.ENVIRONMENT : Kind.INVALID_INPUT;
        return call(kind, "helm template " + request.chart(), () -> {
            Path local = Path.of(request.chart());
            TemplateCommand command = !request.chart().startsWith("oci://") && Files.isDirectory(local)
                    ? new Helm(local).template()
                    : Helm.template(request.chart());
            command.withName(request.releaseName())
                    .withKubeVersion(request.kubeVersion())
                    .withNamespace(
                            request.namespace() == null || request.namespace().isEmpty()
                                    ? DEFAULT_NAMESPACE
                                    : request.namespace());
            if (request.version() != null) {
                command.withVersion(request.version());
            }
            request.valuesFiles().forEach(command::withValuesFile);
            request.set().forEach(command::set);
            request.registry().applyTo(command::plainHttp, command::insecureSkipTlsVerify, command::withCaFile);
            return command.call();
        });
    }

    /**
     * The NOTES of a chart folder as {@code helm install} prints them, from a client-only dry run (which never
     * connects to a cluster); empty when the chart has none.
     */
    public String notes(Path chart, String releaseName, String namespace, String kubeVersion, Path valuesFile)
            throws HelmException {
        Release release = call(
                Kind.INVALID_INPUT,
                "helm install --dry-run=client " + chart,
                () -> new Helm(chart)
                        .install()
                        .withName(releaseName)
                        .withNamespace(namespace)
                        .withKubeVersion(kubeVersion)
                        .withValuesFile(valuesFile)
                        .dryRun()
                        .withDryRunOption(DryRun.CLIENT)
                        .clientOnly()
                        .call());
        String output = release.getOutput();
        int notes = output.indexOf("\nNOTES:\n");
        return notes < 0 ? "" : output.substring(notes + "\nNOTES:\n".length());
    }

    /** Packages the chart folder into {@code destination} and returns the archive Helm wrote. */
    public Path packageChart(Path chart, Path destination, String name, String version) throws HelmException {
        call(Kind.ENVIRONMENT, "helm package " + chart, () -> {
            Files.createDirectories(destination);
            return new Helm(chart).packageIt().withDestination(destination).call();
        });
        return destination.resolve(name + "-" + version + ".tgz");
    }

    public void login(String host, String username, String password, Registry registry) throws HelmException {
        call(Kind.ENVIRONMENT, "helm registry login " + host, () -> {
            var login = Helm.registry()
                    .login()
                    .withHost(host)
                    .withUsername(username)
                    .withPassword(password);
            registry.applyTo(login::plainHttp, login::insecureSkipTlsVerify, login::withCaFile);
            return login.call();
        });
    }

    /**
     * Whether {@code reference} (oci://HOST/PATH/NAME) has {@code version} in the registry: Helm's registry client asks
     * for it, with the credentials Helm has for that registry. A missing chart or tag answers false; anything else
     * (unreachable, refused) is an environment failure.
     */
    public boolean exists(String reference, String version, Registry registry) throws HelmException {
        try {
            var show = Helm.show(reference).chart().withVersion(version);
            registry.applyTo(show::plainHttp, show::insecureSkipTlsVerify, show::withCaFile);
            show.call();
            return true;
        } catch (RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            if (NOT_FOUND.matcher(message).find()) {
                return false;
            }
            throw new HelmException(Kind.ENVIRONMENT, "helm show chart " + reference + " --version " + version, e);
        }
    }

    public Pushed push(Path archive, URI remote, Registry registry) throws HelmException {
        String output = call(Kind.ENVIRONMENT, "helm push " + archive.getFileName() + " " + remote, () -> {
            PushCommand push = Helm.push().withChart(archive).withRemote(remote);
            registry.applyTo(push::plainHttp, push::insecureSkipTlsVerify, push::withCaFile);
            return push.call();
        });
        Matcher m = DIGEST.matcher(output == null ? "" : output);
        return new Pushed(archive, output, m.find() ? Optional.of(m.group(1)) : Optional.empty());
    }

    private static <T> T call(Kind kind, String action, Callable<T> command) throws HelmException {
        try {
            return command.call();
        } catch (RuntimeException e) {
            throw new HelmException(kind, action, e);
        } catch (Exception e) {
            throw new HelmException(kind, action, new IllegalStateException(e.getMessage(), e));
        }
    }
}
