package io.citus.pgvector.cli;

import io.citus.pgvector.Version;
import picocli.CommandLine.IVersionProvider;

/** What {@code --version} prints. */
final class VersionInfo implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {"citus-pgvector " + Version.version() + " (image tag " + Version.imageTag() + ")"};
    }
}
