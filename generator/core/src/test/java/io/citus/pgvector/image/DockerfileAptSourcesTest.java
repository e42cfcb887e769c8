package io.citus.pgvector.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.ProjectFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's apt steps against the apt state Spilo 4.0-p3 leaves behind (build_scripts/prepare.sh and base.sh): the
 * Ubuntu archive, PGDG over http with deb-src and Timescale's packagecloud in sources.list.d, and no package lists.
 * A plain {@code apt-get update} there fetches all of them, so the Dockerfile must point every apt-get at its own
 * sources file. Runs the machine's real apt-get ({@code --print-uris}: it says what it would fetch, without network)
 * on a sandbox holding Spilo's sources and the one the Dockerfile writes. Needs apt-get (Debian, Ubuntu).
 */
@DisplayName("the Dockerfile's apt steps use only the sources it adds")
class DockerfileAptSourcesTest {

    private static final Path DOCKERFILE = ProjectFiles.root().resolve("docker/Dockerfile.spilo-citus-pgvector");
    private static final String OWN_SOURCES = "\"${APT_OWN_SOURCES[@]}\"";

    @TempDir
    static Path sandbox;

    private static String run;

    @BeforeAll
    static void readDockerfile() throws IOException {
        // One logical line per instruction, as Docker reads it.
        String logical = Files.readString(DOCKERFILE).replace("\\\n", " ");
        run = logical.lines().filter(l -> l.startsWith("RUN ")).reduce("", (a, b) -> a + "\n" + b);
    }

    @Test
    @DisplayName("every apt-get names the Dockerfile's own sources (apt-get clean excepted)")
    void everyAptGetUsesOwnSources() {
        Matcher m = Pattern.compile("\\bapt-get\\s+([^\\s;]+)").matcher(run);
        List<String> calls = new ArrayList<>();
        while (m.find()) {
            calls.add(m.group(1));
            assertThat(m.group(1)).as("apt-get call %d", calls.size()).isIn(OWN_SOURCES, "clean");
        }
        assertThat(calls)
                .as("apt-get update and install, then clean")
                .containsExactly(OWN_SOURCES, OWN_SOURCES, "clean");
        assertThat(run).doesNotContainPattern("\\bapt\\s+(update|install)");
    }

    @Test
    @DisplayName("every RUN step parses as bash, the shell the Dockerfile sets")
    void runStepsParse() throws IOException {
        assertThat(Files.readString(DOCKERFILE)).contains("SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]");
        for (String step : run.lines().filter(l -> l.startsWith("RUN ")).toList()) {
            LocalPostgres.Result result = LocalPostgres.run(
                    List.of("/bin/bash", "-n", "-c", step.substring("RUN ".length())),
                    Map.of(),
                    Duration.ofSeconds(10));
            assertThat(result.exitCode())
                    .as("bash -n of %s: %s", step, result.stderr())
                    .isZero();
        }
    }

    @Test
    @DisplayName("apt-get update with those options, on Spilo's sources plus the Dockerfile's, fetches only the"
            + " Dockerfile's repositories over https")
    void updateFetchesOnlyOwnSources() throws IOException {
        Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/apt-get")),
                "no /usr/bin/apt-get on this machine (not Debian or Ubuntu)");
        Matcher array = Pattern.compile("APT_OWN_SOURCES=\\((.*?)\\);").matcher(run);
        assertThat(array.find())
                .as("the Dockerfile defines APT_OWN_SOURCES=(...)")
                .isTrue();
        List<String> options = bash("a=(" + array.group(1) + "); printf '%s\\n' \"${a[@]}\"")
                .lines()
                .toList();
        Matcher sources = Pattern.compile("\\{((?:\\s*echo \"[^\"]*\";)+)\\s*}\\s*>(/etc/apt/[\\w.-]+);")
                .matcher(run);
        assertThat(sources.find())
                .as("the Dockerfile writes its sources file with { echo ...; } >FILE")
                .isTrue();
        assertThat(options)
                .contains(
                        "Dir::Etc::sourcelist=" + sources.group(2).substring("/etc/apt/".length()),
                        "Dir::Etc::sourceparts=-");
        String own = bash("codename=jammy; " + sources.group(1));
        assertThat(own.lines()).allMatch(l -> l.startsWith("deb [signed-by=") && l.contains(" https://"));

        assertThat(sources.group(2))
                .as("apt reads every file of sources.list.d in a plain update")
                .doesNotStartWith("/etc/apt/sources.list");
        Path etc = Files.createDirectories(sandbox.resolve("etc/apt/sources.list.d"));
        for (String dir : List.of(
                "etc/apt/apt.conf.d",
                "etc/apt/preferences.d",
                "etc/apt/trusted.gpg.d",
                "var/lib/apt/lists/partial",
                "var/cache/apt/archives/partial",
                "var/lib/dpkg")) {
            Files.createDirectories(sandbox.resolve(dir));
        }
        Files.writeString(sandbox.resolve("var/lib/dpkg/status"), "");
        Files.writeString(
                sandbox.resolve("etc/apt/sources.list"),
                "deb http://archive.ubuntu.com/ubuntu/ jammy main restricted universe\n");
        Files.writeString(
                etc.resolve("pgdg.list"),
                "deb http://apt.postgresql.org/pub/repos/apt/ jammy-pgdg main\n"
                        + "deb-src http://apt.postgresql.org/pub/repos/apt/ jammy-pgdg main\n");
        Files.writeString(
                etc.resolve("timescaledb.list"),
                "deb [signed-by=/etc/apt/keyrings/"
                        + "timescale_timescaledb-archive-keyring.gpg] https://packagecloud.io/timescale/timescaledb/ubuntu/"
                        + " jammy main\n");
        Files.writeString(sandbox.resolve(sources.group(2).substring(1)), own);

        List<String> plain = uris(List.of());
        assertThat(plain)
                .as("the sandbox is Spilo's: a plain update fetches its sources, and a derived image's plain"
                        + " update still reads them without a conflict")
                .anyMatch(u -> u.startsWith("https://packagecloud.io/timescale/"))
                .anyMatch(u -> u.startsWith("http://apt.postgresql.org/") && u.endsWith("/Sources.xz"))
                .anyMatch(u -> u.startsWith("http://archive.ubuntu.com/"))
                .noneMatch(u -> u.startsWith("https://repos.citusdata.com/"));

        List<String> restricted = uris(options);
        assertThat(restricted)
                .isNotEmpty()
                .allMatch(u -> u.startsWith("https://repos.citusdata.com/community/ubuntu/dists/jammy/")
                        || u.startsWith("https://apt.postgresql.org/pub/repos/apt/dists/jammy-pgdg/"))
                .anyMatch(u -> u.startsWith("https://repos.citusdata.com/"))
                .anyMatch(u -> u.startsWith("https://apt.postgresql.org/"));
    }

    /** The URIs {@code apt-get update} would fetch in the sandbox with {@code options}. */
    private static List<String> uris(List<String> options) {
        List<String> command = new ArrayList<>(List.of("apt-get", "-o", "Dir=" + sandbox + "/"));
        command.addAll(options);
        command.addAll(List.of("--print-uris", "update"));
        LocalPostgres.Result result = LocalPostgres.run(command, Map.of(), Duration.ofSeconds(60));
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        return result.stdout()
                .lines()
                .map(l -> l.replaceFirst("^'([^']*)'.*$", "$1"))
                .toList();
    }

    private static String bash(String script) {
        LocalPostgres.Result result =
                LocalPostgres.run(List.of("/bin/bash", "-c", script), Map.of(), Duration.ofSeconds(10));
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        return result.stdout();
    }
}
