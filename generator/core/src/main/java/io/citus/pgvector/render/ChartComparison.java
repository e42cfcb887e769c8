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
    private static final int MAX_LINES = 20;

    private ChartComparison() {}

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

    /**
     * The changed block between the common beginning and the common end, '-' for what is on disk and '+' for what is
     * expected, with a little context before it.
     */
    private static String firstDifference(byte[] want, byte[] have) {
        List<String> expected = new String(want, StandardCharsets.UTF_8).lines().toList();
        List<String> actual = new String(have, StandardCharsets.UTF_8).lines().toList();
        int start = 0;
        while (start < expected.size()
                && start < actual.size()
                && expected.get(start).equals(actual.get(start))) {
            start++;
        }
        int endExpected = expected.size();
        int endActual = actual.size();
        while (endExpected > start
                && endActual > start
                && expected.get(endExpected - 1).equals(actual.get(endActual - 1))) {
            endExpected--;
            endActual--;
        }
        StringBuilder out = new StringBuilder("  @@ line ").append(start + 1).append(" @@\n");
        for (int i = Math.max(0, start - CONTEXT); i < start; i++) {
            out.append("    ").append(expected.get(i)).append('\n');
        }
        appendLines(out, "  - ", actual, start, endActual);
        appendLines(out, "  + ", expected, start, endExpected);
        if (start == endExpected && start == endActual) {
            out.append("  (only line endings or the final newline differ)\n");
        }
        return out.toString().stripTrailing();
    }

    private static void appendLines(StringBuilder out, String marker, List<String> lines, int from, int to) {
        for (int i = from; i < Math.min(to, from + MAX_LINES); i++) {
            out.append(marker).append(lines.get(i)).append('\n');
        }
        if (to - from > MAX_LINES) {
            out.append(marker).append("... ").append(to - from - MAX_LINES).append(" more lines\n");
        }
    }
}
