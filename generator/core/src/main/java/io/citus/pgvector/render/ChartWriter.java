package io.citus.pgvector.render;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a chart so that the target folder is either the old chart or the whole new one: the files go to a temporary
 * sibling folder first, which then replaces the target by renames.
 */
public final class ChartWriter {

    private ChartWriter() {}

    public static void write(Map<String, byte[]> files, Path target) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, "." + absolute.getFileName() + ".new-");
        Path previous = null;
        try {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                Path path = staging.resolve(file.getKey());
                Files.createDirectories(path.getParent());
                Files.write(path, file.getValue());
            }
            if (Files.exists(absolute)) {
                previous = Files.createTempDirectory(parent, "." + absolute.getFileName() + ".old-");
                Files.delete(previous);
                move(absolute, previous);
            }
            move(staging, absolute);
            staging = null;
        } catch (IOException | RuntimeException e) {
            if (previous != null && !Files.exists(absolute)) {
                move(previous, absolute);
                previous = null;
            }
            throw e;
        } finally {
            deleteTree(staging);
            deleteTree(previous);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
