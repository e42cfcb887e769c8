package io.citus.pgvector.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.model.ValuesLoader;
import java.io.IOException;
import java.nio.file.Path;

/** Reads what the commands need from a chart's Chart.yaml. */
final class ChartFile {

    private ChartFile() {
    }

    static String version(Path chart) throws CliException {
        Path file = chart.resolve("Chart.yaml");
        try {
            JsonNode version = ValuesLoader.YAML.readTree(file.toFile()).path("version");
            if (!version.isTextual()) {
                throw new CliException(ExitCode.INVALID_INPUT, file + ": has no version");
            }
            return version.textValue();
        } catch (IOException e) {
            throw new CliException(ExitCode.INVALID_INPUT, file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
