package io.citus.pgvector.testing;

import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A throw-away chart ({@code demo} 0.0.1, one ConfigMap) for registry tests that must not need the generator. */
final class DemoChart {

    static final String NAME = "demo";
    static final String VERSION = "0.0.1";

    private DemoChart() {}

    /** Writes the chart under {@code dir/demo}, packages it into {@code dir/dist} and returns the .tgz. */
    static Path packaged(Path dir) {
        try {
            Path chart = Files.createDirectories(dir.resolve(NAME));
            Files.writeString(
                    chart.resolve("Chart.yaml"),
                    ""
                            + "apiVersion: v2\n"
                            + "name: " + NAME + "\n"
                            + "description: registry fixture chart\n"
                            + "type: application\n"
                            + "version: " + VERSION + "\n",
                    StandardCharsets.UTF_8);
            Files.writeString(chart.resolve("values.yaml"), "greeting: hello from demo\n", StandardCharsets.UTF_8);
            Path templates = Files.createDirectories(chart.resolve("templates"));
            Files.writeString(
                    templates.resolve("configmap.yaml"),
                    ""
                            + "apiVersion: v1\n"
                            + "kind: ConfigMap\n"
                            + "metadata:\n"
                            + "  name: {{ .Release.Name }}-demo\n"
                            + "data:\n"
                            + "  greeting: {{ .Values.greeting | quote }}\n",
                    StandardCharsets.UTF_8);
            Path dist = Files.createDirectories(dir.resolve("dist"));
            new Helm(chart).packageIt().withDestination(dist).call();
            Path tgz = dist.resolve(NAME + "-" + VERSION + ".tgz");
            if (!Files.isRegularFile(tgz)) {
                throw new IllegalStateException("helm package did not write " + tgz);
            }
            return tgz;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
