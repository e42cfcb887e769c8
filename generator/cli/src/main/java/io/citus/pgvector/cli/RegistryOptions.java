package io.citus.pgvector.cli;

import io.citus.pgvector.helm.HelmClient;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How to reach an OCI registry. */
final class RegistryOptions {

    @Option(names = "--plain-http", description = "Talk HTTP instead of HTTPS (local registries).")
    boolean plainHttp;

    @Option(names = "--insecure-skip-tls-verify", description = "Do not verify the registry's TLS certificate.")
    boolean insecureSkipTlsVerify;

    @Option(names = "--ca-file", paramLabel = "FILE", description = "CA bundle to verify the registry's certificate.")
    Path caFile;

    /** The same options as Helm's flags, for the commands printed to copy. */
    String helmFlags() {
        return (plainHttp ? " --plain-http" : "")
                + (insecureSkipTlsVerify ? " --insecure-skip-tls-verify" : "")
                + (caFile != null ? " --ca-file " + caFile : "");
    }

    HelmClient.Registry registry() {
        return new HelmClient.Registry(plainHttp, insecureSkipTlsVerify, caFile);
    }
}
