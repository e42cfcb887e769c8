package io.citus.pgvector;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The generator's version, the image tag it targets and the project's release metadata, filtered in from the build. */
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

    /** The project's home page: Chart.yaml's {@code home}, where the README and the runbooks are. */
    public static String home() {
        return PROPERTIES.getProperty("home");
    }

    /** Fingerprint of the PGP key that signs released charts; empty until the owner sets it in the build. */
    public static String signKeyFingerprint() {
        return PROPERTIES.getProperty("signKeyFingerprint", "");
    }

    /** Where the public key of {@link #signKeyFingerprint()} can be downloaded; empty until the owner sets it. */
    public static String signKeyUrl() {
        return PROPERTIES.getProperty("signKeyUrl", "");
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
