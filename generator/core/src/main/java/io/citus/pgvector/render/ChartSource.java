package io.citus.pgvector.render;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The chart's source files shipped inside the generator (under the classpath folder {@code chart/}). */
final class ChartSource {

    private static final String ROOT = "chart";

    private ChartSource() {}

    /** Every source file by its path relative to the chart root, with '/' separators. */
    static SortedMap<String, byte[]> files() {
        URL url = ChartSource.class.getClassLoader().getResource(ROOT);
        if (url == null) {
            throw new IllegalStateException("the generator has no chart sources on its classpath");
        }
        try {
            URI uri = url.toURI();
            if (uri.getScheme().equals("jar")) {
                return readJar(uri);
            }
            return read(Path.of(uri));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SortedMap<String, byte[]> readJar(URI uri) throws IOException {
        FileSystem jar;
        boolean opened;
        try {
            jar = FileSystems.newFileSystem(uri, Map.of());
            opened = true;
        } catch (FileSystemAlreadyExistsException e) {
            jar = FileSystems.getFileSystem(uri);
            opened = false;
        }
        try {
            return read(jar.provider().getPath(uri));
        } finally {
            if (opened) {
                jar.close();
            }
        }
    }

    /** Every regular file under {@code root}, by relative path with '/' separators. */
    static SortedMap<String, byte[]> read(Path root) throws IOException {
        SortedMap<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.filter(Files::isRegularFile)::iterator) {
                files.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        return files;
    }
}
