package io.citus.pgvector.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartWriterTest {

    @TempDir
    Path dir;

    private static Map<String, byte[]> files(String... pathsAndContents) {
        Map<String, byte[]> files = new TreeMap<>();
        for (int i = 0; i < pathsAndContents.length; i += 2) {
            files.put(pathsAndContents[i], pathsAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return files;
    }

    private long entries() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.count();
        }
    }

    @Test
    void replacesTheWholeFolder() throws IOException {
        Path chart = dir.resolve("chart");
        ChartWriter.write(files("Chart.yaml", "v1", "templates/old.yaml", "old"), chart);
        ChartWriter.write(files("Chart.yaml", "v2", "templates/new.yaml", "new"), chart);
        assertThat(chart.resolve("Chart.yaml")).hasContent("v2");
        assertThat(chart.resolve("templates/new.yaml")).hasContent("new");
        assertThat(chart.resolve("templates/old.yaml")).doesNotExist();
        assertThat(entries())
                .as("no staging or backup folders left beside the chart")
                .isEqualTo(1);
    }

    @Test
    void aFailedWriteLeavesTheOldChartAndNoLeftovers() throws IOException {
        Path chart = dir.resolve("chart");
        ChartWriter.write(files("Chart.yaml", "v1"), chart);
        // "a" is a file, so "a/b" cannot be written: the write fails half way.
        assertThatThrownBy(() -> ChartWriter.write(files("Chart.yaml", "v2", "a", "file", "a/b", "x"), chart))
                .isInstanceOf(IOException.class);
        assertThat(chart.resolve("Chart.yaml")).hasContent("v1");
        assertThat(entries()).isEqualTo(1);
    }
}
