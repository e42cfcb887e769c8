package io.citus.pgvector.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A certificate authority made with the machine's openssl for a test, and server certificates it signs, as
 * cert-manager's CA issuer makes them: an ECDSA key, the server names as subject alternative names, server auth usage.
 * {@link #serveTls} turns TLS on in a {@link LocalPostgres} with such a certificate, as Spilo does with the operator's
 * {@code spec.tls} (ssl_cert_file, ssl_key_file; a reload applies it). The local server still accepts clients without
 * TLS; the tests are about clients that require and verify it.
 */
public final class TestCa {

    private static final Path OPENSSL = Path.of(System.getProperty("openssl.binary", "/usr/bin/openssl"));
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final String name;

    private TestCa(Path dir, String name) {
        this.dir = dir;
        this.name = name;
    }

    /** Why no CA can be made here, or empty. */
    public static Optional<String> unavailableReason() {
        return Files.isExecutable(OPENSSL)
                ? Optional.empty()
                : Optional.of(
                        "no openssl: " + OPENSSL + " is missing (apt-get install openssl, or -Dopenssl.binary=PATH)");
    }

    /** A new self-signed CA in {@code parent/name}. */
    public static TestCa create(Path parent, String name) {
        try {
            Path dir = Files.createDirectories(parent.resolve(name));
            TestCa ca = new TestCa(dir, name);
            openssl(
                    "ecparam",
                    "-name",
                    "prime256v1",
                    "-genkey",
                    "-noout",
                    "-out",
                    ca.key().toString());
            openssl(
                    "req",
                    "-x509",
                    "-new",
                    "-key",
                    ca.key().toString(),
                    "-sha256",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=" + name,
                    "-addext",
                    "basicConstraints=critical,CA:TRUE",
                    "-addext",
                    "keyUsage=critical,keyCertSign,cRLSign",
                    "-out",
                    ca.certificate().toString());
            return ca;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The CA's certificate: what tls.caFile holds. */
    public Path certificate() {
        return dir.resolve("ca.crt");
    }

    private Path key() {
        return dir.resolve("ca.key");
    }

    /** A server certificate and key, signed by this CA, for the given DNS names and 127.0.0.1. */
    public ServerCertificate issue(String commonName, List<String> dnsNames) {
        Path key = dir.resolve(commonName + ".key");
        Path csr = dir.resolve(commonName + ".csr");
        Path certificate = dir.resolve(commonName + ".crt");
        Path extensions = dir.resolve(commonName + ".ext");
        try {
            StringBuilder san = new StringBuilder("subjectAltName=IP:127.0.0.1");
            dnsNames.forEach(n -> san.append(",DNS:").append(n));
            Files.writeString(
                    extensions, san + "\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n");
            openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString());
            openssl("req", "-new", "-key", key.toString(), "-subj", "/CN=" + commonName, "-out", csr.toString());
            openssl(
                    "x509",
                    "-req",
                    "-in",
                    csr.toString(),
                    "-CA",
                    certificate().toString(),
                    "-CAkey",
                    key().toString(),
                    "-CAcreateserial",
                    "-days",
                    "2",
                    "-sha256",
                    "-extfile",
                    extensions.toString(),
                    "-out",
                    certificate.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ServerCertificate(certificate, key, name);
    }

    /** A server's certificate and private key, and the name of the CA that signed it. */
    public record ServerCertificate(Path certificate, Path key, String issuer) {}

    /** Serves TLS on {@code server} with the certificate (copied into its folder, readable only by it). */
    public static void serveTls(LocalPostgres server, ServerCertificate certificate) {
        try {
            Path cert = server.dir().resolve("server.crt");
            Path key = server.dir().resolve("server.key");
            Files.copy(certificate.certificate(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(certificate.key(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            LocalPostgres.chownToPostgres(server.dir());
            LocalPostgres.runAsPostgres(List.of("chmod", "600", key.toString()));
            server.configure(Map.of("ssl", "on", "ssl_cert_file", cert.toString(), "ssl_key_file", key.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void openssl(String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of(OPENSSL.toString()));
        command.addAll(List.of(arguments));
        LocalPostgres.Result result = LocalPostgres.run(command, Map.of(), TIMEOUT);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + result.exitCode() + "):\n"
                    + result.stdout() + result.stderr());
        }
    }
}
