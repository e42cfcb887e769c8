package io.citus.pgvector.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository's files are, for tests run from any module. */
public final class ProjectFiles {

    private ProjectFiles() {}

    /**
     * The repository root (where charts/, values/ and docker/ are): the system property {@code project.root} the
     * build sets, else the nearest folder above the working directory that holds the Maven wrapper.
     */
    public static Path root() {
        String configured = System.getProperty("project.root");
        if (configured != null && !configured.isBlank() && Files.isDirectory(Path.of(configured))) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("no project.root system property and no mvnw above "
                + Path.of("").toAbsolutePath());
    }

    /** The committed chart, generated from values/default.yaml. */
    public static Path committedChart() {
        return root().resolve("charts/citus-pgvector");
    }
}
