package io.citus.pgvector.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The generator's version and the image tag it targets, filtered in from the build. */
final class VersionInfo implements IVersionProvider {

    private static final Properties PROPERTIES = load();

    static String version() {
        return PROPERTIES.getProperty("version");
    }

    static String imageTag() {
        return PROPERTIES.getProperty("imageTag");
    }

    @Override
    public String[] getVersion() {
        return new String[] {"citus-pgvector " + version() + " (image tag " + imageTag() + ")"};
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = VersionInfo.class.getResourceAsStream("/citus-pgvector-version.properties")) {
            if (in == null) {
                throw new IllegalStateException("citus-pgvector-version.properties is missing from the build");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }
}
