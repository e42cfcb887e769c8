package io.citus.pgvector.registrar;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.testing.ProjectFiles;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * Builds docker/Dockerfile.spilo-citus-pgvector and checks the PostgreSQL, Citus and pgvector
 * versions inside, without starting Spilo. Needs Docker, amd64 (Citus packages exist for amd64
 * only) and the fingerprint of Citus's apt signing key, which the Dockerfile requires and the
 * project does not pin (-Dcitus.repo.key.fingerprint or CITUS_REPO_KEY_FINGERPRINT); skipped
 * otherwise. DockerfileAptSourcesTest checks the apt steps without Docker.
 */
@DisplayName("the custom Spilo image")
class SpiloImageTest {

    private static final Path DOCKER_DIR =
            ProjectFiles.root().resolve("docker").toAbsolutePath().normalize();

    @Test
    @DisplayName("has citus 13.2 and vector >= 0.8 for PostgreSQL 17")
    void citusAndVectorInside() throws Exception {
        Assumptions.assumeTrue(dockerAvailable(), "Docker is not available (Testcontainers found no Docker engine)");
        Assumptions.assumeTrue(
                "amd64".equals(System.getProperty("os.arch")),
                "Citus packages exist for amd64 only; this machine is " + System.getProperty("os.arch"));
        String fingerprint = System.getProperty(
                "citus.repo.key.fingerprint", System.getenv().getOrDefault("CITUS_REPO_KEY_FINGERPRINT", ""));
        Assumptions.assumeFalse(
                fingerprint.isBlank(),
                "the image build needs the Citus apt key's fingerprint:"
                        + " set -Dcitus.repo.key.fingerprint or CITUS_REPO_KEY_FINGERPRINT (see docs/user-guide.md, The image)");

        ImageFromDockerfile image = new ImageFromDockerfile("citus-pgvector/spilo-test", true)
                .withDockerfile(DOCKER_DIR.resolve("Dockerfile.spilo-citus-pgvector"))
                .withBuildArg("CITUS_REPO_KEY_FINGERPRINT", fingerprint);
        try (GenericContainer<?> container = new GenericContainer<>(image)
                .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("/bin/sleep"))
                .withCommand("600")) {
            container.start();

            ExecResult postgres = container.execInContainer("/usr/lib/postgresql/17/bin/postgres", "--version");
            assertThat(postgres.getStdout()).contains("(PostgreSQL) 17.");

            ExecResult versions = container.execInContainer(
                    "/bin/bash",
                    "-c",
                    "grep -h default_version /usr/share/postgresql/17/extension/citus.control"
                            + " /usr/share/postgresql/17/extension/vector.control");
            assertThat(versions.getExitCode()).isZero();
            assertThat(versions.getStdout())
                    .containsPattern("default_version = '13\\.2-\\d+'")
                    .containsPattern("default_version = '0\\.(8|9|\\d\\d)\\.\\d+'");

            ExecResult libraries = container.execInContainer(
                    "/bin/bash", "-c", "ls /usr/lib/postgresql/17/lib/citus.so /usr/lib/postgresql/17/lib/vector.so");
            assertThat(libraries.getExitCode()).as(libraries.getStderr()).isZero();
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
