package io.citus.pgvector.ha;

import io.citus.pgvector.testing.LocalPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Short commands of the HA fixture: bounded, without the caller's PG* environment, failing on a non-zero exit. */
final class Commands {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Commands() {}

    static String run(List<String> command) {
        LocalPostgres.Result result = LocalPostgres.run(command, Map.of(), TIMEOUT);
        if (result.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + result.exitCode() + "):\n"
                    + result.stdout() + result.stderr());
        }
        return result.stdout();
    }

    static void chownToPostgres(Path path) {
        LocalPostgres.chownToPostgres(path);
    }
}
