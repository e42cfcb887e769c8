package io.citus.pgvector.cli;

import io.citus.pgvector.Failure;
import io.citus.pgvector.chart.ChartJobs;
import io.citus.pgvector.chart.ChartTemplate;
import io.citus.pgvector.helm.HelmClient;
import io.citus.pgvector.helm.ValueOverrides;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "template",
        description = {
            "Render the chart's manifests as helm template does, for GitOps tools or review: the release manifest,"
                    + " then the hooks (scaling and uninstall-guard Jobs, the helm test pod) unless --no-hooks, then"
                    + " the NOTES as a comment. Helm renders them; nothing reads a cluster, so lookup finds nothing,"
                    + " as in helm template.",
            "An oci:// chart renders as helm-java renders it: the release manifest only (helm-java cannot pull a"
                    + " chart to render its hooks); helm pull it and pass the unpacked folder for the rest."
        },
        footerHeading = "%n",
        footer = ExitCode.HELP)
final class TemplateCommand implements Callable<Integer> {

    @Mixin
    HelpOptions help;

    @Option(
            names = "--chart",
            paramLabel = "DIR|oci://REF",
            defaultValue = ChartJobs.DEFAULT_CHART,
            description = "Chart folder or oci:// reference (default: ${DEFAULT-VALUE}).")
    String chart;

    @Option(names = "--chart-version", paramLabel = "SEMVER", description = "Version of an oci:// chart.")
    String chartVersion;

    @Option(
            names = "--release",
            paramLabel = "NAME",
            defaultValue = "citus",
            description = "Release name, the prefix of every resource name (default: ${DEFAULT-VALUE}).")
    String release;

    @Option(
            names = {"-n", "--namespace"},
            paramLabel = "NS",
            defaultValue = HelmClient.DEFAULT_NAMESPACE,
            description = "Namespace of the release (default: ${DEFAULT-VALUE}, as helm template).")
    String namespace;

    @Option(
            names = "--kube-version",
            paramLabel = "VERSION",
            defaultValue = HelmClient.DEFAULT_KUBE_VERSION,
            description = "Kubernetes version to render for; Helm has no cluster to ask (default: ${DEFAULT-VALUE}).")
    String kubeVersion;

    @Option(
            names = {"-a", "--api-versions"},
            paramLabel = "API",
            split = ",",
            description = "An API version the target serves, as Argo CD passes them (e.g."
                    + " acid.zalan.do/v1/postgresql, monitoring.coreos.com/v1); repeatable or comma-separated.")
    List<String> apiVersions = new ArrayList<>();

    @Option(
            names = {"-f", "--values"},
            paramLabel = "FILE",
            description = "Helm values file; repeatable, later ones win.")
    List<Path> valuesFiles = List.of();

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "Helm value in Helm's syntax (a.b=1,c={x,y}, a\\.b=escaped dot); repeatable.")
    List<String> set = new ArrayList<>();

    @Option(names = "--set-string", paramLabel = "KEY=VALUE", description = "Like --set, every value a string.")
    List<String> setString = new ArrayList<>();

    @Option(names = "--set-file", paramLabel = "KEY=PATH", description = "A value read from a file; repeatable.")
    List<String> setFile = new ArrayList<>();

    @Option(names = "--set-json", paramLabel = "KEY=JSON", description = "A value given as JSON; repeatable.")
    List<String> setJson = new ArrayList<>();

    @Option(
            names = {"-s", "--show-only"},
            paramLabel = "TEMPLATE",
            description = "Print only what this template renders (e.g. templates/workers/postgresql.yaml, globs"
                    + " allowed); repeatable.")
    List<String> showOnly = new ArrayList<>();

    @Option(names = "--no-hooks", description = "Leave out the hooks (scaling, uninstall guard, helm test).")
    boolean noHooks;

    @Option(names = "--skip-tests", description = "Leave out the helm test pod.")
    boolean skipTests;

    @Option(
            names = "--output-dir",
            paramLabel = "DIR",
            description = "Write one file per template below DIR/citus-pgvector instead of printing.")
    Path outputDir;

    @Mixin
    RegistryOptions registry;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Failure {
        String manifests = ChartJobs.template(new ChartTemplate.Options(
                chart,
                chartVersion,
                release,
                namespace,
                kubeVersion,
                valuesFiles,
                new ValueOverrides(setJson, set, setString, setFile),
                apiVersions,
                showOnly,
                !noHooks,
                !skipTests,
                registry.registry()));
        if (outputDir == null) {
            spec.commandLine().getOut().print(manifests);
        } else {
            Map.Entry<Path, Integer> written = ChartJobs.writeTemplates(manifests, outputDir);
            spec.commandLine().getOut().printf("wrote %d files below %s%n", written.getValue(), written.getKey());
        }
        return ExitCode.OK;
    }
}
