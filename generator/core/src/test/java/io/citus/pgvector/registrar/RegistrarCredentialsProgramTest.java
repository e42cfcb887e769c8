package io.citus.pgvector.registrar;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.testing.LocalPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SCRAM-SHA-256 verifier registrar-credentials.py computes on the client (so that an application role's password
 * never reaches a statement's text) is one PostgreSQL accepts: a role created with it logs in through psql (libpq's
 * SASLprep and SCRAM, the same code as the server's) with the password, ASCII or not. Needs a local PostgreSQL and
 * python3; skipped otherwise.
 */
@DisplayName("registrar-credentials.py's SCRAM verifier")
class RegistrarCredentialsProgramTest {

    private static final Path PROGRAM = RegistrarProcess.SCRIPT.resolveSibling("registrar-credentials.py");
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private static LocalPostgres server;
    private static Path dir;
    private static int roles;

    @BeforeAll
    static void start() throws IOException {
        Optional<String> reason = LocalPostgres.unavailableReason();
        Assumptions.assumeTrue(reason.isEmpty(), () -> reason.orElseThrow());
        Assumptions.assumeTrue(Files.isExecutable(PYTHON), "no " + PYTHON + " (the image's interpreter is python3)");
        dir = Files.createTempDirectory("registrar-credentials");
        server = LocalPostgres.start(dir, "scram", "Superuser-Pa55", false, false);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
            strings = {
                "plain-ascii-Pa55word",
                "quotes ' \" back\\slash $$ and spaces",
                "pässwörd-ünïcode",
                "ﬁnance\u00a0key", // a ligature NFKC splits, a no-break space SASLprep maps to a space
                "soft\u00adhyphen", // mapped to nothing
                "\u0627\u0644abc" // right-to-left with left-to-right: SASLprep refuses it, the raw bytes count
            })
    @DisplayName("a role created with the verifier logs in with the password")
    void verifierLogsIn(String password) throws IOException {
        Path file = Files.write(dir.resolve("password-" + (++roles)), password.getBytes(StandardCharsets.UTF_8));
        LocalPostgres.Result verifier = LocalPostgres.run(
                List.of(
                        PYTHON.toString(),
                        "-c",
                        "import runpy, sys; program = runpy.run_path(sys.argv[1]);"
                                + " print(program['scram_verifier'](open(sys.argv[2], 'rb').read()))",
                        PROGRAM.toString(),
                        file.toString()),
                Map.of(),
                Duration.ofSeconds(30));
        assertThat(verifier.exitCode()).as(verifier.stderr()).isZero();
        String scram = verifier.stdout().strip();
        assertThat(scram).startsWith("SCRAM-SHA-256$4096:").doesNotContain(password);

        String role = "role_" + roles;
        server.query("postgres", "CREATE ROLE " + role + " LOGIN PASSWORD '" + scram + "'");
        assertThat(server.query("postgres", "SELECT rolpassword FROM pg_authid WHERE rolname = '" + role + "'"))
                .as("stored as given")
                .isEqualTo(scram);
        LocalPostgres.Result login = server.psqlAs(role, password, "postgres", "SELECT current_user");
        assertThat(login.exitCode()).as("login: %s", login.stderr()).isZero();
        assertThat(login.stdout().strip()).isEqualTo(role);
        LocalPostgres.Result wrong = server.psqlAs(role, password + "x", "postgres", "SELECT 1");
        assertThat(wrong.exitCode()).as("a wrong password").isNotZero();
    }
}
