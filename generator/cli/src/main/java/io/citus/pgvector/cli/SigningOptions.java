package io.citus.pgvector.cli;

import io.citus.pgvector.Failure;
import io.citus.pgvector.Failure.Kind;
import io.citus.pgvector.chart.Provenance;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** How a command signs the archive it writes: Helm's provenance file, made with the user's PGP key. */
final class SigningOptions {

    static final String PASSPHRASE_ENV = "CITUS_PGVECTOR_SIGNING_PASSPHRASE";

    @Option(
            names = "--sign",
            description = "Sign the archive: write ARCHIVE.prov, Helm's provenance file (helm verify, helm install"
                    + " --verify); needs --key.")
    boolean sign;

    @Option(
            names = "--key",
            paramLabel = "FILE",
            description =
                    "PGP secret key to sign with, binary or ASCII-armored (gpg --export-secret-keys KEY-ID > FILE).")
    Path keyFile;

    @Option(
            names = "--key-name",
            paramLabel = "NAME",
            description = "Which key of --key FILE: its user id, or a part of it (default: the only key in FILE).")
    String keyName;

    @Option(
            names = "--passphrase-stdin",
            description = "Read the key's passphrase from standard input (default: the environment variable "
                    + PASSPHRASE_ENV + ", for a key that has one).")
    boolean passphraseStdin;

    /** The key to sign with, or empty when not signing. */
    Optional<Provenance.SigningKey> key() throws Failure {
        return key(System.getenv());
    }

    Optional<Provenance.SigningKey> key(Map<String, String> env) throws Failure {
        if (!sign) {
            if (keyFile != null || keyName != null || passphraseStdin) {
                throw new Failure(Kind.INVALID_INPUT, "--key, --key-name and --passphrase-stdin sign: add --sign");
            }
            return Optional.empty();
        }
        if (keyFile == null) {
            throw new Failure(Kind.INVALID_INPUT, "--sign needs --key FILE, the PGP secret key to sign with");
        }
        Optional<char[]> passphrase;
        if (passphraseStdin) {
            passphrase = Optional.of(readStdin().toCharArray());
        } else {
            String fromEnv = env.get(PASSPHRASE_ENV);
            passphrase = fromEnv == null || fromEnv.isEmpty() ? Optional.empty() : Optional.of(fromEnv.toCharArray());
        }
        return Optional.of(new Provenance.SigningKey(keyFile, Optional.ofNullable(keyName), passphrase));
    }

    private static String readStdin() throws Failure {
        try {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty()) {
                throw new Failure(Kind.INVALID_INPUT, "--passphrase-stdin: standard input is empty");
            }
            return line;
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, "--passphrase-stdin: cannot read standard input: " + e, e);
        }
    }
}
