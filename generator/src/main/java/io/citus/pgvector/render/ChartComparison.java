package io.citus.pgvector.render;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/** How a chart folder on disk differs from what the generator makes: missing, extra and changed files. */
public final class ChartComparison {

    private static final int CONTEXT = 2;

    private ChartComparison() {
    }

    /** Human-readable differences, empty when the folder holds exactly the expected files. */
    public static List<String> differences(SortedMap<String, byte[]> expected, Path chartDir) throws IOException {
        SortedMap<String, byte[]> actual = Files.isDirectory(chartDir) ? ChartSource.read(chartDir) : new TreeMap<>();
        List<String> differences = new ArrayList<>();
        TreeSet<String> paths = new TreeSet<>(expected.keySet());
        paths.addAll(actual.keySet());
        for (String path : paths) {
            byte[] want = expected.get(path);
            byte[] have = actual.get(path);
            if (have == null) {
                differences.add("missing " + path);
            } else if (want == null) {
                differences.add("unexpected " + path + " (the generator does not make it)");
            } else if (!Arrays.equals(want, have)) {
                differences.add("changed " + path + ":\n" + firstDifference(want, have));
            }
        }
        return differences;
    }

    /** The first differing line with a little context, '-' for what is on disk and '+' for what is expected. */
    private static String firstDifference(byte[] want, byte[] have) {
        List<String> expected = new String(want, StandardCharsets.UTF_8).lines().toList();
        List<String> actual = new String(have, StandardCharsets.UTF_8).lines().toList();
        int line = 0;
        while (line < expected.size() && line < actual.size() && expected.get(line).equals(actual.get(line))) {
            line++;
        }
        StringBuilder out = new StringBuilder();
        out.append("  @@ line ").append(line + 1).append(" @@\n");
        for (int i = Math.max(0, line - CONTEXT); i < line; i++) {
            out.append("    ").append(expected.get(i)).append('\n');
        }
        for (int i = line; i < Math.min(actual.size(), line + CONTEXT + 1); i++) {
            out.append("  - ").append(actual.get(i)).append('\n');
        }
        for (int i = line; i < Math.min(expected.size(), line + CONTEXT + 1); i++) {
            out.append("  + ").append(expected.get(i)).append('\n');
        }
        if (line >= expected.size() && line >= actual.size()) {
            out.append("  (line endings or trailing newline differ)\n");
        }
        return out.toString().stripTrailing();
    }
}
