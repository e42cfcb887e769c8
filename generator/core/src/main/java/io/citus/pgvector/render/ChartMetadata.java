package io.citus.pgvector.render;

import java.util.regex.Pattern;

/** What the generator writes into Chart.yaml besides the templates: the chart version and the app version. */
public record ChartMetadata(String version, String appVersion) {

    /** Semantic Versioning 2, which Helm requires of chart versions. */
    private static final Pattern SEMVER = Pattern.compile(
            "^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$");

    private static final Pattern APP_VERSION = Pattern.compile("^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$");

    public ChartMetadata {
        if (!SEMVER.matcher(version).matches()) {
            throw new IllegalArgumentException(
                    "--chart-version: the chart version must be a semantic version such as 1.2.3, got \"" + version
                            + "\"");
        }
        if (!APP_VERSION.matcher(appVersion).matches()) {
            throw new IllegalArgumentException(
                    "--app-version: the app version must be an image tag such as 17-4.0-p3-citus13.2, got \""
                            + appVersion + "\"");
        }
    }

    public boolean prerelease() {
        return version.contains("-");
    }
}
