package io.citus.pgvector.registrar;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.testing.LocalPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registrar against plain PostgreSQL servers on 127.0.0.1 (no Citus needed): whatever goes
 * wrong, it says so in one clear line, keeps retrying, stays alive and exits 0 on SIGTERM.
 */
@DisplayName("registrar.sh when something is wrong")
class RegistrarFailureTest {

    private static final String PASSWORD = "s3cret-Superuser";
    private static final String DATABASE = "vectors";
    /** Long enough for several retries with the tests' 1-2 s backoff. */
    private static final Duration RETRY_WINDOW = Duration.ofSeconds(6);

    @TempDir
    Path tempDir;

    private LocalPostgres worker;
    private LocalPostgres coordinator;
    private RegistrarProcess registrar;

    @BeforeEach
    void startWorker() throws IOException {
        Optional<String> reason = LocalPostgres.unavailableReason();
        Assumptions.assumeTrue(reason.isEmpty(), () -> reason.orElseThrow());
        // Plain PostgreSQL: citus not preloaded, so the citus extension cannot be created.
        worker = LocalPostgres.create(tempDir, "worker", PASSWORD, false, false);
        worker.start();
        worker.query("postgres", "CREATE DATABASE " + DATABASE);
    }

    @AfterEach
    void stopEverything() throws IOException {
        try {
            if (registrar != null) {
                registrar.stop();
            }
        } finally {
            try {
                if (coordinator != null) {
                    coordinator.close();
                }
            } finally {
                if (worker != null) {
                    worker.close();
                }
            }
        }
    }

    @Test
    @DisplayName("coordinator down: says so once, keeps waiting, exits 0 on SIGTERM")
    void coordinatorDown() throws Exception {
        int closedPort = LocalPostgres.freePort();
        registrar = RegistrarProcess.start(
                tempDir.resolve("registrar"), "worker-1", closedPort, worker.port(), DATABASE, PASSWORD);

        RegistrarProcess.await(
                Duration.ofSeconds(20),
                "the registrar to report the coordinator as down",
                () -> output().contains("coordinator 127.0.0.1:" + closedPort + " does not accept connections yet"));
        Thread.sleep(RETRY_WINDOW.toMillis());

        assertThat(registrar.isAlive()).as("alive while waiting").isTrue();
        assertThat(registrar.state()).isEqualTo("waiting");
        assertThat(output().lines()
                        .filter(line -> line.contains("does not accept connections yet"))
                        .count())
                .as("logged once, not per retry")
                .isEqualTo(1);
        assertThat(registrar.statusCommand().exitCode())
                .as("status exit code while waiting")
                .isEqualTo(1);
        assertThat(registrar.stop()).as("exit code on SIGTERM").isZero();
        assertThat(output()).contains("stopping on signal");
    }

    @Test
    @DisplayName("wrong password: says authentication failed, never prints the password, keeps retrying")
    void wrongPassword() throws Exception {
        coordinator = LocalPostgres.create(tempDir, "coordinator", PASSWORD, false, false);
        coordinator.start();
        String wrongPassword = "Wrong-Pa55word-xyz";
        registrar = RegistrarProcess.start(
                tempDir.resolve("registrar"), "worker-1", coordinator.port(), worker.port(), DATABASE, wrongPassword);

        RegistrarProcess.await(
                Duration.ofSeconds(20),
                "an authentication failure in the log",
                () -> output().contains("authentication failed"));
        long attemptsBefore = countAuthFailures(worker);
        Thread.sleep(RETRY_WINDOW.toMillis());

        assertThat(registrar.isAlive()).isTrue();
        assertThat(registrar.state()).isEqualTo("error");
        assertThat(countAuthFailures(worker))
                .as("login attempts seen by the server: still retrying")
                .isGreaterThan(attemptsBefore);
        assertThat(output().lines()
                        .filter(line -> line.contains("authentication failed"))
                        .count())
                .as("logged once, not per retry")
                .isEqualTo(1);
        assertThat(output()).doesNotContain(wrongPassword).doesNotContain(PASSWORD);
        assertThat(registrar.statusCommand().stdout())
                .contains("authentication failed")
                .doesNotContain(wrongPassword);
        assertThat(registrar.stop()).isZero();
    }

    @Test
    @DisplayName("citus not installable: names the problem, keeps retrying")
    void citusNotInstallable() throws Exception {
        coordinator = LocalPostgres.create(tempDir, "coordinator", PASSWORD, false, false);
        coordinator.start();
        coordinator.query("postgres", "CREATE DATABASE " + DATABASE);
        registrar = RegistrarProcess.start(
                tempDir.resolve("registrar"), "worker-1", coordinator.port(), worker.port(), DATABASE, PASSWORD);

        // Citus installed but not preloaded, or not installed at all: both are a clear citus message.
        Pattern message = Pattern.compile("citus is not loaded at worker .*shared_preload_libraries"
                + "|the citus extension is not installed at worker");
        RegistrarProcess.await(
                Duration.ofSeconds(20),
                "a citus message in the log",
                () -> message.matcher(output()).find());
        Thread.sleep(RETRY_WINDOW.toMillis());

        assertThat(registrar.isAlive()).isTrue();
        assertThat(registrar.state()).isEqualTo("error");
        assertThat(output().lines().filter(line -> message.matcher(line).find()).count())
                .as("logged once, not per retry")
                .isEqualTo(1);
        assertThat(worker.query(DATABASE, "SELECT count(*) FROM pg_extension WHERE extname = 'citus'"))
                .isEqualTo("0");
        assertThat(registrar.stop()).isZero();
    }

    private String output() {
        try {
            return registrar.output();
        } catch (IOException e) {
            return "";
        }
    }

    private static long countAuthFailures(LocalPostgres server) {
        return count(readLog(server), "password authentication failed");
    }

    private static String readLog(LocalPostgres server) {
        try {
            return java.nio.file.Files.readString(server.logFile());
        } catch (IOException e) {
            return "";
        }
    }

    private static int count(String text, String needle) {
        Matcher matcher = Pattern.compile(Pattern.quote(needle)).matcher(text);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }
}
