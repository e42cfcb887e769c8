package io.citus.pgvector.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server made SSL-only the way the registrar tests make it (a test CA's certificate, then Spilo's pg_hba) right
 * after start: each reload has taken effect before the next change, so the second never races the first (a reload is
 * a signal the postmaster handles later, and a pg_hba.conf demanding SSL read early rejects the reload's own
 * connection).
 */
class SslOnlyServerTest {

    @TempDir
    Path dir;

    @RepeatedTest(3)
    @DisplayName("serveTls then rejectTcpWithoutSsl: TLS connections only")
    void sslOnly() throws Exception {
        Optional<String> postgres = LocalPostgres.unavailableReason();
        Assumptions.assumeTrue(postgres.isEmpty(), () -> postgres.orElseThrow());
        Optional<String> openssl = TestCa.unavailableReason();
        Assumptions.assumeTrue(openssl.isEmpty(), () -> openssl.orElseThrow());
        TestCa ca = TestCa.create(dir, "ca");
        try (LocalPostgres server = LocalPostgres.start(dir, "server", "ssl-only-1", false, false)) {
            TestCa.serveTls(server, ca.issue("server", List.of("localhost")));
            server.rejectTcpWithoutSsl();
            assertThat(server.sslMode()).isEqualTo("require");
            try (Connection c = server.connect("postgres")) {
                assertThat(c.isValid(5)).isTrue();
            }
            String plain = "jdbc:postgresql://127.0.0.1:" + server.port() + "/postgres?sslmode=disable";
            assertThatThrownBy(() -> DriverManager.getConnection(plain, LocalPostgres.SUPERUSER, "ssl-only-1")
                            .close())
                    .hasMessageContaining("no encryption");
        }
    }
}
