package io.citus.pgvector.cluster;

import io.citus.pgvector.testing.KeepRunning;
import io.citus.pgvector.testing.LocalCitusCluster;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A coordinator and two workers on 127.0.0.1 with the chart's Citus and pgvector parameters in every node's
 * postgresql.conf, kept running for {@code bench} from the command line (docs/performance.md), then stopped and
 * deleted. Arguments: a folder, the minutes to run (at most 240), and optionally {@code plain} for a cluster without
 * the chart's parameters (Citus preloaded, pgvector not, no {@code hnsw.*} anywhere: a cluster built without the
 * chart); creating the file {@code stop} in the folder ends it sooner.
 */
public final class LocalBenchCluster {

    private LocalBenchCluster() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]).toAbsolutePath();
        Duration lifetime = Duration.ofMinutes(Math.min(240, Long.parseLong(args[1])));
        LocalPostgres.citusUnavailableReason().ifPresent(reason -> {
            throw new IllegalStateException(reason);
        });
        String password = "bench-" + Long.toHexString(System.nanoTime());
        try (LocalCitusCluster cluster = LocalCitusCluster.start(dir, 2, password, true)) {
            boolean plain = args.length > 2 && args[2].equals("plain");
            Map<String, String> coordinator =
                    plain ? Map.of() : ChartParameters.of(ProjectFiles.committedChart(), "citus-coordinator", 2);
            Map<String, String> worker =
                    plain ? Map.of() : ChartParameters.of(ProjectFiles.committedChart(), "citus-worker-1", 2);
            if (!plain) {
                cluster.coordinator().configure(coordinator);
                cluster.workers().forEach(w -> w.configure(worker));
            }
            Path passwordFile = Files.writeString(dir.resolve("password"), password + "\n");
            System.out.println("coordinator: " + coordinator);
            System.out.println("workers:     " + worker);
            System.out.printf(
                    "ready: -h 127.0.0.1 -p %d -U postgres -d postgres --password-file %s%n",
                    cluster.coordinator().port(), passwordFile);
            KeepRunning.untilStopped(dir, lifetime);
        }
    }
}
