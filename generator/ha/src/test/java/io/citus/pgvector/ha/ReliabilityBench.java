package io.citus.pgvector.ha;

import io.citus.pgvector.ha.FailoverScenario.Fault;
import io.citus.pgvector.ha.FailoverScenario.Outcome;
import io.citus.pgvector.scaling.ShippedHooks;
import io.citus.pgvector.testing.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * The figures of docs/reliability.md: the rendered default chart brought up by {@link PatroniRelease} (with Citus
 * where installed), then for synchronous and asynchronous replication the write throughput and latency through the
 * coordinator, and every fault of {@link Fault} on the coordinator's and on a worker's primary under writes: seconds
 * until writes succeed again, failed attempts, acknowledged rows lost (node loss with the walsender stalled 2 s
 * first). Options:
 * <pre>
 *   DIR                       working folder (deleted contents are not reused)
 *   --runs N                  repetitions of every fault (default 1)
 *   --timing TTL/LOOP/RETRY   Patroni ttl, loop_wait, retry_timeout set through /config, as the operator applies
 *                             spec.patroni (default: what the chart renders, else Patroni's 30/10/10)
 *   --faults A,B              of postmaster-kill, patroni-stop, node-loss, switchover (default all)
 *   --modes A,B               of sync, async (default both)
 *   --throughput-seconds S    length of each throughput measurement (default 20; 0 skips it)
 *   --plain                   plain PostgreSQL even where Citus is installed
 * </pre>
 */
public final class ReliabilityBench {

    private static final Duration CONVERGE = Duration.ofSeconds(180);
    private static final Duration PACE = Duration.ofMillis(20);

    private ReliabilityBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = null;
        int runs = 1;
        Map<String, Object> timing = null;
        List<Fault> faults = List.of(Fault.values());
        List<String> modes = List.of("sync", "async");
        int throughputSeconds = 20;
        boolean citus = LocalPostgres.citusUnavailableReason().isEmpty();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--timing" -> timing = timing(args[++i]);
                case "--faults" ->
                    faults = Arrays.stream(args[++i].split(","))
                            .map(f -> Fault.valueOf(f.toUpperCase(Locale.ROOT).replace('-', '_')))
                            .toList();
                case "--modes" -> modes = List.of(args[++i].split(","));
                case "--throughput-seconds" -> throughputSeconds = Integer.parseInt(args[++i]);
                case "--plain" -> citus = false;
                default -> dir = Path.of(args[i]).toAbsolutePath();
            }
        }
        if (dir == null) {
            throw new IllegalArgumentException("usage: ReliabilityBench DIR [--runs N] [--timing TTL/LOOP/RETRY]"
                    + " [--faults ...] [--modes sync,async] [--throughput-seconds S] [--plain]");
        }
        PatroniRelease.unavailableReason().ifPresent(reason -> {
            throw new IllegalStateException(reason);
        });
        Files.createDirectories(dir);
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, load average "
                + loadAverage() + " at start");
        try (PatroniRelease release =
                PatroniRelease.start(dir, ShippedHooks.render(dir, Map.of("registrar.intervalSeconds", "5")), citus)) {
            if (citus) {
                release.awaitRegistrarsFor("registered", CONVERGE);
            }
            for (PatroniCluster cluster : citus ? List.of(release.coordinator()) : release.clusters()) {
                try (Connection c = cluster.connect("postgres")) {
                    Writer.createTable(c, citus);
                }
            }
            if (timing != null) {
                for (PatroniCluster cluster : release.clusters()) {
                    cluster.patchConfig(timing, CONVERGE);
                }
            }
            PatroniCluster worker = release.workers().get(0);
            System.out.printf(
                    "release: %s, Patroni %s%n",
                    citus ? "Citus" : "plain PostgreSQL (no Citus)",
                    release.coordinator()
                            .config()
                            .map(c -> "ttl " + c.path("ttl").asText() + ", loop_wait "
                                    + c.path("loop_wait").asText() + ", retry_timeout "
                                    + c.path("retry_timeout").asText())
                            .orElse("?"));
            List<Outcome> outcomes = new ArrayList<>();
            Map<String, Writer.Throughput> throughputs = new LinkedHashMap<>();
            int tenant = 1000;
            for (String mode : modes) {
                for (PatroniCluster cluster : release.clusters()) {
                    cluster.patchConfig(Map.of("synchronous_mode", mode.equals("sync")), CONVERGE);
                }
                if (throughputSeconds > 0) {
                    for (int clients : List.of(1, 4)) {
                        Writer.Throughput t = throughput(release, clients, throughputSeconds, tenant);
                        tenant += clients;
                        throughputs.put(mode + ", " + clients + " client" + (clients > 1 ? "s" : ""), t);
                        System.out.println(throughputLine(mode, t));
                    }
                }
                for (int run = 1; run <= runs; run++) {
                    for (PatroniCluster target : List.of(release.coordinator(), worker)) {
                        for (Fault fault : faults) {
                            PatroniCluster through = citus ? release.coordinator() : target;
                            int writeTenant =
                                    citus && target == worker ? FailoverScenario.tenantOn(release, worker) : ++tenant;
                            Outcome outcome = FailoverScenario.run(
                                    release, target, fault, fault == Fault.NODE_LOSS, through, writeTenant, PACE);
                            outcomes.add(outcome);
                            System.out.println(outcome.line());
                        }
                    }
                }
            }
            System.out.println();
            System.out.println("summary (" + runs + " run" + (runs > 1 ? "s" : "") + " each; load average "
                    + loadAverage() + " at the end)");
            throughputs.forEach((label, t) -> System.out.println(throughputLine(label.split(",")[0], t)));
            System.out.printf(
                    "%-18s %-44s %-6s %18s %8s %8s %6s%n",
                    "cluster", "fault", "mode", "writes again (s)", "failed", "acked", "lost");
            Map<String, List<Outcome>> groups = outcomes.stream()
                    .collect(Collectors.groupingBy(
                            o -> o.cluster() + "|" + o.fault() + "|" + o.synchronous(),
                            LinkedHashMap::new,
                            Collectors.toList()));
            for (List<Outcome> group : groups.values()) {
                Outcome first = group.get(0);
                System.out.printf(
                        Locale.ROOT,
                        "%-18s %-44s %-6s %18s %8d %8d %6d%n",
                        first.cluster(),
                        first.fault().description,
                        first.synchronous() ? "sync" : "async",
                        seconds(group),
                        group.stream().mapToLong(Outcome::failedAttempts).sum(),
                        group.stream().mapToLong(Outcome::acknowledged).sum(),
                        group.stream().mapToLong(Outcome::lost).sum());
            }
        }
    }

    /** {@code TTL/LOOP_WAIT/RETRY_TIMEOUT} as the change to Patroni's /config, refused below what production runs. */
    private static Map<String, Object> timing(String text) {
        int[] values =
                Arrays.stream(text.split("/")).mapToInt(Integer::parseInt).toArray();
        // Debian's Patroni 3.0 takes any timing; the image's Patroni 4 raises these to its minimums, so a figure
        // measured below them would describe nothing production can run.
        if (values.length != 3 || values[0] < 20 || values[1] < 1 || values[2] < 3) {
            throw new IllegalArgumentException("--timing " + text
                    + ": want TTL/LOOP_WAIT/RETRY_TIMEOUT at or above Patroni 4's minimums (ttl 20, loop_wait 1,"
                    + " retry_timeout 3)");
        }
        return Map.of("ttl", values[0], "loop_wait", values[1], "retry_timeout", values[2]);
    }

    /** {@code clients} writers as fast as they can through the coordinator for {@code seconds}. */
    private static Writer.Throughput throughput(PatroniRelease release, int clients, int seconds, int firstTenant)
            throws InterruptedException {
        List<Writer> writers = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            writers.add(Writer.start(
                    release.coordinator().jdbcUrl("postgres"),
                    release.superuserPassword(release.coordinator().name()),
                    firstTenant + i,
                    Duration.ZERO));
        }
        try {
            Thread.sleep(3000);
            long from = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long to = System.nanoTime();
            return Writer.Throughput.of(writers, from, to);
        } finally {
            writers.forEach(Writer::stop);
        }
    }

    private static String throughputLine(String mode, Writer.Throughput t) {
        return String.format(
                Locale.ROOT,
                "writes %-5s %d client(s): %7.1f rows/s, latency p50 %.2f ms, p99 %.2f ms",
                mode,
                t.clients(),
                t.perSecond(),
                t.latency().p50Ms(),
                t.latency().p99Ms());
    }

    /** Median and range of the seconds until writes succeeded again. */
    private static String seconds(List<Outcome> group) {
        double[] values = group.stream()
                .map(Outcome::writesAgainAfter)
                .filter(OptionalDouble::isPresent)
                .mapToDouble(OptionalDouble::getAsDouble)
                .sorted()
                .toArray();
        if (values.length == 0) {
            return "never";
        }
        double median = values.length % 2 == 1
                ? values[values.length / 2]
                : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
        return values.length == 1
                ? String.format(Locale.ROOT, "%.1f", median)
                : String.format(Locale.ROOT, "%.1f (%.1f-%.1f)", median, values[0], values[values.length - 1]);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
