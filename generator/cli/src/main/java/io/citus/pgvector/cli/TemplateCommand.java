package io.citus.pgvector.cli;

import io.citus.pgvector.helm.HelmClient;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.render.ChartRenderer;
import io.citus.pgvector.render.ChartWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "template", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "Render the chart's manifests with Helm, for GitOps tools or review.",
        footerHeading = "%n", footer = ExitCode.HELP)
final class TemplateCommand implements Callable<Integer> {

    private static final Pattern SOURCE = Pattern.compile("^# Source: (\\S+)$", Pattern.MULTILINE);

    @Option(names = "--chart", paramLabel = "DIR|oci://REF", defaultValue = ChartOption.DEFAULT_CHART,
            description = "Chart folder or oci:// reference (default: ${DEFAULT-VALUE}).")
    String chart;

    @Option(names = "--chart-version", paramLabel = "SEMVER", description = "Version of an oci:// chart.")
    String chartVersion;

    @Option(names = "--release", paramLabel = "NAME", defaultValue = "citus",
            description = "Release name, the prefix of every resource name (default: ${DEFAULT-VALUE}).")
    String release;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Namespace of the release.")
    String namespace;

    @Option(names = "--kube-version", paramLabel = "VERSION", defaultValue = HelmClient.DEFAULT_KUBE_VERSION,
            description = "Kubernetes version to render for; Helm has no cluster to ask (default: ${DEFAULT-VALUE}).")
    String kubeVersion;

    @Option(names = {"-f", "--values"}, paramLabel = "FILE", description = "Helm values file; repeatable.")
    List<Path> valuesFiles = List.of();

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Helm value; repeatable.")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--output-dir", paramLabel = "DIR",
            description = "Write one file per template below DIR/citus-pgvector instead of printing.")
    Path outputDir;

    @Mixin
    RegistryOptions registry;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        boolean remote = chart.startsWith("oci://");
        if (!remote && !Files.isRegularFile(Path.of(chart, "Chart.yaml"))) {
            throw new CliException(ExitCode.INVALID_INPUT, chart + ": not a chart folder (no Chart.yaml)");
        }
        for (Path file : valuesFiles) {
            if (!Files.isRegularFile(file)) {
                throw new CliException(ExitCode.INVALID_INPUT, file + ": no such values file");
            }
        }
        String manifests;
        try {
            manifests = new HelmClient().template(new HelmClient.TemplateRequest(chart, chartVersion, release,
                    namespace, kubeVersion, valuesFiles, set, registry.registry()));
        } catch (HelmException e) {
            throw new CliException(remote ? ExitCode.ENVIRONMENT : ExitCode.INVALID_INPUT, e.getMessage(), e);
        }
        if (outputDir == null) {
            spec.commandLine().getOut().print(manifests);
            return ExitCode.OK;
        }
        write(manifests);
        return ExitCode.OK;
    }

    private void write(String manifests) throws CliException {
        Map<String, StringBuilder> bySource = new TreeMap<>();
        for (String document : manifests.split("(?m)^---\\s*$")) {
            Matcher m = SOURCE.matcher(document);
            if (m.find()) {
                String path = m.group(1).substring(m.group(1).indexOf('/') + 1);
                bySource.computeIfAbsent(path, p -> new StringBuilder()).append("---").append(document);
            }
        }
        Map<String, byte[]> files = new TreeMap<>();
        bySource.forEach((path, text) -> files.put(path, text.toString().getBytes(StandardCharsets.UTF_8)));
        try {
            refuseForeignContent(outputDir);
            ChartWriter.write(files, outputDir.resolve(ChartRenderer.CHART_NAME));
        } catch (IOException e) {
            throw new CliException(ExitCode.ENVIRONMENT, "cannot write " + outputDir + ": " + e, e);
        }
        spec.commandLine().getOut().printf("wrote %d files below %s%n", files.size(),
                outputDir.resolve(ChartRenderer.CHART_NAME));
    }

    /** Only a folder that is new, empty or holds nothing but an earlier output is written to. */
    private static void refuseForeignContent(Path dir) throws IOException, CliException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            List<String> foreign = entries.map(p -> p.getFileName().toString())
                    .filter(name -> !name.equals(ChartRenderer.CHART_NAME)).toList();
            if (!foreign.isEmpty()) {
                throw new CliException(ExitCode.INVALID_INPUT, dir + " holds other files " + foreign
                        + "; pick an empty or new --output-dir");
            }
        }
    }
}
