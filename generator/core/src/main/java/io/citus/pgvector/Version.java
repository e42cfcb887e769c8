package io.citus.pgvector;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The generator's version and the image tag it targets, filtered in from the build. */
public final class Version {

    private static final Properties PROPERTIES = load();

    private Version() {}

    /** The project version: the generator's, and the default version of the chart it writes. */
    public static String version() {
        return PROPERTIES.getProperty("version");
    }

    /** The tag of the Spilo + Citus + pgvector image: the chart's default appVersion. */
    public static String imageTag() {
        return PROPERTIES.getProperty("imageTag");
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/citus-pgvector-version.properties")) {
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
