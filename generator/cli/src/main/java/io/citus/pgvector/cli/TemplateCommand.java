package io.citus.pgvector.cli;

import io.citus.pgvector.Failure;
import io.citus.pgvector.chart.ChartJobs;
import io.citus.pgvector.helm.HelmClient;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
        description = "Render the chart's manifests with Helm, for GitOps tools or review.",
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
            description = "Namespace of the release.")
    String namespace;

    @Option(
            names = "--kube-version",
            paramLabel = "VERSION",
            defaultValue = HelmClient.DEFAULT_KUBE_VERSION,
            description = "Kubernetes version to render for; Helm has no cluster to ask (default: ${DEFAULT-VALUE}).")
    String kubeVersion;

    @Option(
            names = {"-f", "--values"},
            paramLabel = "FILE",
            description = "Helm values file; repeatable.")
    List<Path> valuesFiles = List.of();

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Helm value; repeatable.")
    Map<String, String> set = new LinkedHashMap<>();

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
        String manifests = ChartJobs.template(new HelmClient.TemplateRequest(
                chart, chartVersion, release, namespace, kubeVersion, valuesFiles, set, registry.registry()));
        if (outputDir == null) {
            spec.commandLine().getOut().print(manifests);
        } else {
            Map.Entry<Path, Integer> written = ChartJobs.writeTemplates(manifests, outputDir);
            spec.commandLine().getOut().printf("wrote %d files below %s%n", written.getValue(), written.getKey());
        }
        return ExitCode.OK;
    }
}
