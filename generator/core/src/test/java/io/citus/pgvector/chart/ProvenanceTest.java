package io.citus.pgvector.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.sun.net.httpserver.HttpServer;
import io.citus.pgvector.Failure;
import io.citus.pgvector.testing.ProjectFiles;
import io.citus.pgvector.testing.TestPgpKey;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed charts: the provenance file {@code package --sign} writes is Helm's, checked three ways: its text against
 * the one Helm's own signer ({@code helm package --sign}, helm-java's native Helm) writes for the same archive, its
 * signature by GnuPG, and the whole file by Helm's verifier ({@code helm dependency update --verify}, which downloads
 * the chart and its .prov from a chart repository and runs the same check as {@code helm verify}). A tampered archive
 * and a key not in the keyring are refused by Helm and by {@code verify-chart}'s check.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ProvenanceTest {

    @TempDir
    static Path dir;

    static TestPgpKey signer;
    static TestPgpKey stranger;
    static Path chart;

    @BeforeAll
    static void keysAndChart() throws Exception {
        signer = TestPgpKey.generate(dir.resolve("keys"), "Chart Signer <signer@example.com>", "s3cret phrase");
        stranger = TestPgpKey.generate(dir.resolve("keys"), "Someone Else <else@example.com>", "");
        chart = dir.resolve("charts/citus-pgvector");
        ChartJobs.generate(
                new ChartJobs.Source(List.of(ProjectFiles.root().resolve("values/default.yaml")), null, null),
                chart,
                false);
    }

    private static Provenance.SigningKey key(TestPgpKey key) {
        return new Provenance.SigningKey(
                key.secretKey(),
                Optional.empty(),
                key.passphrase().isEmpty()
                        ? Optional.empty()
                        : Optional.of(key.passphrase().toCharArray()));
    }

    private static ChartJobs.Packaged signed(String folder) throws Failure {
        return ChartJobs.packageChart(chart, dir.resolve(folder), false, Optional.of(key(signer)));
    }

    @Test
    @DisplayName("the signed text is byte for byte the one Helm's own signer writes for the same archive")
    void sameTextAsHelm() throws Exception {
        Path helmOut = Files.createDirectories(dir.resolve("helm-signed"));
        Path passphrase = dir.resolve("passphrase");
        Files.writeString(passphrase, signer.passphrase());
        new Helm(chart)
                .packageIt()
                .withDestination(helmOut)
                .sign()
                .withKey(signer.userId())
                .withKeyring(signer.secretKey())
                .withPassphraseFile(passphrase)
                .call();
        Path helmArchive = helmOut.resolve("citus-pgvector-0.1.0.tgz");
        String helmProv = Files.readString(helmOut.resolve("citus-pgvector-0.1.0.tgz.prov"));

        String ours = new String(Provenance.messageBlock(ChartArchive.read(helmArchive)), StandardCharsets.UTF_8);
        assertThat(cleartext(helmProv)).isEqualTo(ours);
        assertThat(Provenance.verify(
                                helmArchive, helmOut.resolve("citus-pgvector-0.1.0.tgz.prov"), signer.publicKeyring())
                        .userId())
                .isEqualTo(signer.userId());

        ChartJobs.Packaged packaged = signed("ours");
        String prov = Files.readString(packaged.provenance().orElseThrow());
        assertThat(layout(prov)).isEqualTo(layout(helmProv));
    }

    /** The text between the armor header and the signature (with its last line break), dash-escaping undone. */
    private static String cleartext(String prov) {
        int start = prov.indexOf("\n\n") + 2;
        int end = prov.indexOf("-----BEGIN PGP SIGNATURE-----");
        return prov.substring(start, end).replaceAll("(?m)^- ", "");
    }

    /** The armor lines with the signature's own bytes left out: what must be laid out like Helm's. */
    private static List<String> layout(String prov) {
        List<String> lines = new ArrayList<>();
        for (String line : prov.split("\n", -1)) {
            lines.add(line.matches("[A-Za-z0-9+/=]{4,}") ? "<base64>" : line.replaceAll("sha256:[0-9a-f]{64}", ""));
        }
        return lines.stream().distinct().toList();
    }

    @Test
    @DisplayName("GnuPG verifies the clear-signed provenance file with the signer's public key")
    void gnupgVerifies() throws Exception {
        Path gpg = Path.of("/usr/bin/gpg");
        Assumptions.assumeTrue(
                Files.isExecutable(gpg), "no /usr/bin/gpg (Debian package gnupg): the GnuPG cross-check is skipped");
        Path prov = signed("gpg").provenance().orElseThrow();
        Path home = Files.createDirectories(dir.resolve("gnupg"));
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        assertThat(run(
                                gpg.toString(),
                                "--homedir",
                                home.toString(),
                                "--batch",
                                "--import",
                                signer.armoredPublicKey().toString())
                        .exit())
                .isZero();
        Run verified = run(gpg.toString(), "--homedir", home.toString(), "--batch", "--verify", prov.toString());
        assertThat(verified.exit()).as(verified.output()).isZero();
        assertThat(verified.output()).contains("Good signature from \"" + signer.userId() + "\"");

        Path altered = dir.resolve("altered.prov");
        Files.writeString(altered, Files.readString(prov).replace("name: citus-pgvector", "name: citus-pgvectoR"));
        Run refused = run(gpg.toString(), "--homedir", home.toString(), "--batch", "--verify", altered.toString());
        assertThat(refused.exit()).as(refused.output()).isNotZero();
        assertThat(refused.output()).contains("BAD signature");
    }

    record Run(int exit, String output) {}

    private static Run run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), output);
    }

    @Nested
    @DisplayName("Helm's verifier, fetching chart and .prov from a chart repository (helm dependency update --verify)")
    class HelmVerifies {

        @Test
        @DisplayName("accepts the signed chart with the signer's keyring")
        void accepts() throws Exception {
            ChartJobs.Packaged packaged = signed("repo-ok");
            String out = helmVerify(packaged.archive(), signer.publicKeyring(), "ok");
            assertThat(out).contains("Downloading citus-pgvector");
            assertThat(dir.resolve("parent-ok/charts/citus-pgvector-0.1.0.tgz")).exists();
        }

        @Test
        @DisplayName("refuses a tampered archive, and so does verify-chart's check")
        void refusesTampered() throws Exception {
            ChartJobs.Packaged packaged = signed("repo-tampered");
            Files.write(packaged.archive(), new byte[] {0}, StandardOpenOption.APPEND);
            assertThatThrownBy(() -> helmVerify(packaged.archive(), signer.publicKeyring(), "tampered"))
                    .hasMessageContaining("sha256 sum does not match");
            assertThatThrownBy(() -> ChartJobs.verifyChart(packaged.archive(), signer.publicKeyring()))
                    .isInstanceOf(Provenance.Rejected.class)
                    .hasMessageContaining("the archive was changed after it was signed");
        }

        @Test
        @DisplayName("refuses a chart signed by a key that is not in the keyring, and so does verify-chart's check")
        void refusesWrongKey() throws Exception {
            ChartJobs.Packaged packaged = signed("repo-wrong-key");
            assertThatThrownBy(() -> helmVerify(packaged.archive(), stranger.publicKeyring(), "wrong-key"))
                    .hasMessageContaining("signature made by unknown entity");
            assertThatThrownBy(() -> ChartJobs.verifyChart(packaged.archive(), stranger.publicKeyring()))
                    .isInstanceOf(Provenance.Rejected.class)
                    .hasMessageContaining("which is not in " + stranger.publicKeyring());
        }

        /**
         * Serves the archive and its .prov as a chart repository on 127.0.0.1 and has Helm download it as the
         * dependency of a chart, verifying it against the keyring; returns Helm's output.
         */
        private String helmVerify(Path archive, Path keyring, String name) throws Exception {
            Path repo = archive.getParent();
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                Path file = repo.resolve(exchange.getRequestURI().getPath().substring(1))
                        .normalize();
                if (!file.startsWith(repo) || !Files.isRegularFile(file)) {
                    exchange.sendResponseHeaders(404, -1);
                    exchange.close();
                    return;
                }
                byte[] body = Files.readAllBytes(file);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            try {
                String url = "http://127.0.0.1:" + server.getAddress().getPort();
                Files.writeString(repo.resolve("index.yaml"), """
                        apiVersion: v1
                        entries:
                          citus-pgvector:
                          - apiVersion: v2
                            name: citus-pgvector
                            version: 0.1.0
                            digest: %s
                            urls:
                            - %s/%s
                        """.formatted(
                                ChartArchive.sha256(archive), url, archive.getFileName()));
                Path parent = Files.createDirectories(dir.resolve("parent-" + name));
                Files.writeString(parent.resolve("Chart.yaml"), """
                        apiVersion: v2
                        name: verify-parent
                        version: 0.0.1
                        dependencies:
                        - name: citus-pgvector
                          version: 0.1.0
                          repository: %s
                        """.formatted(url));
                return new Helm(parent)
                        .dependency()
                        .update()
                        .verify()
                        .withKeyring(keyring)
                        .call();
            } finally {
                server.stop(0);
            }
        }
    }

    @Test
    @DisplayName("a wrong passphrase, a missing passphrase and an unknown --key-name are refused before anything is"
            + " written")
    void badKeys() throws Exception {
        Path out = dir.resolve("bad-keys");
        assertThatThrownBy(() -> ChartJobs.packageChart(
                        chart,
                        out,
                        false,
                        Optional.of(new Provenance.SigningKey(
                                signer.secretKey(), Optional.empty(), Optional.of("wrong".toCharArray())))))
                .hasMessageContaining("the passphrase does not unlock the key of " + signer.userId());
        assertThatThrownBy(() -> ChartJobs.packageChart(
                        chart,
                        out,
                        false,
                        Optional.of(new Provenance.SigningKey(signer.secretKey(), Optional.empty(), Optional.empty()))))
                .hasMessageContaining("is protected by a passphrase");
        assertThatThrownBy(() -> ChartJobs.packageChart(
                        chart,
                        out,
                        false,
                        Optional.of(new Provenance.SigningKey(
                                stranger.secretKey(), Optional.of("nobody@example.com"), Optional.empty()))))
                .hasMessageContaining("--key-name \"nobody@example.com\": no key in");
        assertThatThrownBy(() -> ChartJobs.packageChart(
                        chart,
                        out,
                        false,
                        Optional.of(new Provenance.SigningKey(
                                stranger.publicKeyring(), Optional.empty(), Optional.empty()))))
                .hasMessageContaining("holds no secret key");
        assertThat(out).doesNotExist();
    }
}
