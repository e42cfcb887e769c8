package io.citus.pgvector.ha;

import io.citus.pgvector.scaling.ShippedHooks;
import io.citus.pgvector.testing.KeepRunning;
import io.citus.pgvector.testing.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HA fixture kept running from the command line, to replay scenarios by hand against its processes
 * (docs/reliability.md): {@code LocalHaRelease DIR MINUTES [--plain] [NAME=VALUE ...]} renders the chart with the
 * given values, brings the release up (Citus when installed, unless {@code --plain}), prints every Service and
 * member, then keeps it up for the minutes given (at most 240) or until the file {@code DIR/stop} exists.
 */
public final class LocalHaRelease {

    private LocalHaRelease() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]).toAbsolutePath();
        Duration lifetime = Duration.ofMinutes(Math.min(240, Long.parseLong(args[1])));
        boolean citus = LocalPostgres.citusUnavailableReason().isEmpty();
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i++) {
            if (args[i].equals("--plain")) {
                citus = false;
            } else {
                values.put(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
            }
        }
        PatroniRelease.unavailableReason().ifPresent(reason -> {
            throw new IllegalStateException(reason);
        });
        Files.createDirectories(dir);
        ShippedHooks chart = ShippedHooks.render(dir, values);
        try (PatroniRelease release = PatroniRelease.start(dir, chart, citus)) {
            Path passwordFile = Files.writeString(
                    dir.resolve("password"),
                    release.superuserPassword(release.coordinator().name()) + "\n");
            for (PatroniCluster cluster : release.clusters()) {
                System.out.printf(
                        "Service %s: psql 'host=127.0.0.1 port=%d user=postgres dbname=postgres"
                                + " sslmode=require'%n",
                        cluster.name(), cluster.servicePort());
                for (PatroniMember member : cluster.members()) {
                    System.out.printf(
                            "  %s: postgres port %d, Patroni REST http://127.0.0.1:%d, folder %s%n",
                            member.name(), member.postgresPort(), member.restPort(), member.dir());
                }
            }
            System.out.println("password file: " + passwordFile);
            System.out.println("ready");
            KeepRunning.untilStopped(dir, lifetime);
        }
    }
}
