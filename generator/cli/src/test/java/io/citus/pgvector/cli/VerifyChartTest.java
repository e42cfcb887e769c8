package io.citus.pgvector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.citus.pgvector.testing.TestPgpKey;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code package --sign} then {@code verify-chart}: exit 0 for the signer's keyring; exit 1 ("refused") for a tampered
 * archive, an altered provenance file and a key not in the keyring.
 */
class VerifyChartTest {

    @TempDir
    Path dir;

    private Path signedArchive(TestPgpKey key) throws Exception {
        Path chart = dir.resolve("charts/citus-pgvector");
        CliRun generate = CliRun.of("generate", "-f", CliTest.DEFAULT_VALUES, "--chart", chart.toString());
        assertThat(generate.exitCode()).as(generate.toString()).isZero();
        InputStream stdin = System.in;
        CliRun pack;
        try {
            System.setIn(new ByteArrayInputStream((key.passphrase() + "\n").getBytes(StandardCharsets.UTF_8)));
            List<String> args = new ArrayList<>(List.of(
                    "package",
                    "--chart",
                    chart.toString(),
                    "-d",
                    dir.resolve("dist").toString(),
                    "--sign",
                    "--key",
                    key.secretKey().toString(),
                    "--key-name",
                    "signer@example.com"));
            if (!key.passphrase().isEmpty()) {
                args.add("--passphrase-stdin");
            }
            pack = CliRun.of(args.toArray(String[]::new));
        } finally {
            System.setIn(stdin);
        }
        assertThat(pack.exitCode()).as(pack.toString()).isZero();
        Path archive = dir.resolve("dist/citus-pgvector-0.1.0.tgz");
        assertThat(pack.out()).contains("packaged " + archive, "signed " + archive + ".prov");
        return archive;
    }

    @Test
    @DisplayName("the signer's keyring verifies; tampering and a stranger's keyring are refused with exit 1")
    void roundTrip() throws Exception {
        TestPgpKey signer = TestPgpKey.generate(dir.resolve("keys"), "Signer <signer@example.com>", "pass phrase");
        TestPgpKey stranger = TestPgpKey.generate(dir.resolve("keys"), "Stranger <stranger@example.com>", "");
        Path archive = signedArchive(signer);
        Path prov = archive.resolveSibling(archive.getFileName() + ".prov");

        for (Path keyring : new Path[] {signer.publicKeyring(), signer.armoredPublicKey()}) {
            CliRun ok = CliRun.of("verify-chart", archive.toString(), "--keyring", keyring.toString());
            assertThat(ok.exitCode()).as(ok.toString()).isZero();
            assertThat(ok.out()).contains("verified citus-pgvector-0.1.0.tgz: signed by Signer <signer@example.com>");
        }

        CliRun wrongKey = CliRun.of(
                "verify-chart",
                archive.toString(),
                "--keyring",
                stranger.publicKeyring().toString());
        assertThat(wrongKey.exitCode()).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(wrongKey.err()).startsWith("refused: ").contains("which is not in " + stranger.publicKeyring());

        String original = Files.readString(prov);
        Files.writeString(prov, original.replace("appVersion: ", "appVersion: x"));
        CliRun altered = CliRun.of(
                "verify-chart",
                archive.toString(),
                "--keyring",
                signer.publicKeyring().toString());
        assertThat(altered.exitCode()).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(altered.err()).contains("the provenance file was altered");
        Files.writeString(prov, original);

        Files.write(archive, new byte[] {0}, StandardOpenOption.APPEND);
        CliRun tampered = CliRun.of(
                "verify-chart",
                archive.toString(),
                "--keyring",
                signer.publicKeyring().toString());
        assertThat(tampered.exitCode()).isEqualTo(ExitCode.CHECK_FAILED);
        assertThat(tampered.err()).contains("the archive was changed after it was signed");

        Files.delete(prov);
        CliRun unsigned = CliRun.of(
                "verify-chart",
                archive.toString(),
                "--keyring",
                signer.publicKeyring().toString());
        assertThat(unsigned.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(unsigned.err()).contains(prov.toString(), "no provenance file");
    }

    @Test
    @DisplayName("packaging again without --sign removes the provenance file of the earlier archive")
    void noStaleProvenance() throws Exception {
        TestPgpKey signer = TestPgpKey.generate(dir.resolve("keys"), "Signer <signer@example.com>", "");
        Path archive = signedArchive(signer);
        CliRun again = CliRun.of(
                "package",
                "--chart",
                dir.resolve("charts/citus-pgvector").toString(),
                "-d",
                archive.getParent().toString());
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(archive.resolveSibling(archive.getFileName() + ".prov")).doesNotExist();
    }
}
