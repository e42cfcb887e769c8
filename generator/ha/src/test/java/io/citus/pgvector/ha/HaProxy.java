package io.citus.pgvector.ha;

import io.citus.pgvector.testing.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * HAProxy 2.6 standing in for the Kubernetes Services of every cluster: per cluster one TCP frontend on 127.0.0.1 that
 * routes only to the member whose Patroni REST API answers {@code /primary} with 200, the way the operator's Service
 * follows the leader, and one for its replica Service {@code <cluster>-repl} that routes to the members answering
 * {@code /replica} with 200 (running as replicas), the way the operator's replica Service selects the pods Patroni
 * labels as replicas; with several, HAProxy's round robin spreads connections like a Service. The check is an OPTIONS request (a GET makes Patroni log a traceback per check); a member marked
 * down has its sessions cut, as a Service endpoint change ends them.
 */
final class HaProxy implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/haproxy");

    /** A backend server: a member's PostgreSQL port and its Patroni REST port. */
    record Server(String name, int postgresPort, int restPort) {}

    /** One server line of the stats CSV. */
    record ServerState(String name, String status, String checkStatus) {

        boolean upAndChecked() {
            return status.equals("UP") && checkStatus.startsWith("L7OK");
        }
    }

    private final BackgroundProcess process;
    private final Map<String, Integer> frontends;
    private final int statsPort;

    private HaProxy(BackgroundProcess process, Map<String, Integer> frontends, int statsPort) {
        this.process = process;
        this.frontends = frontends;
        this.statsPort = statsPort;
    }

    /** Starts one frontend per cluster (name to its members). */
    static HaProxy start(Path dir, Map<String, List<Server>> clusters, Duration timeout) {
        int statsPort = Ports.free();
        Map<String, Integer> frontends = new LinkedHashMap<>();
        StringBuilder config = new StringBuilder("""
                global
                    maxconn 2000

                defaults
                    mode tcp
                    timeout connect 3s
                    timeout client 1h
                    timeout server 1h
                    timeout check 2s

                listen stats
                    mode http
                    bind 127.0.0.1:%d
                    stats enable
                    stats uri /stats
                """.formatted(statsPort));
        clusters.forEach((cluster, servers) -> {
            for (String role : List.of("primary", "replica")) {
                String frontend = role.equals("primary") ? cluster : replicaService(cluster);
                int port = Ports.free();
                frontends.put(frontend, port);
                config.append("""

                        listen %s
                            bind 127.0.0.1:%d
                            option httpchk
                            http-check send meth OPTIONS uri /%s
                            http-check expect status 200
                            default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
                        """.formatted(frontend, port, role));
                for (Server server : servers) {
                    config.append("    server %s 127.0.0.1:%d check port %d%n"
                            .formatted(server.name(), server.postgresPort(), server.restPort()));
                }
            }
        });
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("haproxy.cfg"), config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        BackgroundProcess process = BackgroundProcess.start(
                "haproxy",
                List.of(
                        BINARY.toString(),
                        "-db",
                        "-f",
                        dir.resolve("haproxy.cfg").toString()),
                Map.of("PATH", "/usr/bin:/bin"),
                dir.resolve("haproxy.log"),
                false);
        HaProxy haproxy = new HaProxy(process, Map.copyOf(frontends), statsPort);
        BackgroundProcess.remember(haproxy);
        try {
            Waits.until(
                    timeout,
                    "HAProxy's stats page",
                    () -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("haproxy exited:\n" + process.logTail(20));
                        }
                        return haproxy.statsCsv() != null;
                    },
                    () -> process.logTail(20));
        } catch (RuntimeException | AssertionError e) {
            haproxy.close();
            throw e;
        }
        return haproxy;
    }

    /** The name of a cluster's replica Service, as the operator names it: {@code <cluster>-repl}. */
    static String replicaService(String cluster) {
        return cluster + "-repl";
    }

    /** The port of a frontend: a cluster's Service, or its replica Service ({@link #replicaService}). */
    int frontendPort(String cluster) {
        Integer port = frontends.get(cluster);
        if (port == null) {
            throw new IllegalArgumentException("no frontend for " + cluster + "; have " + frontends.keySet());
        }
        return port;
    }

    /** The servers of a cluster's backend as the stats page shows them now. */
    List<ServerState> servers(String cluster) {
        String csv = statsCsv();
        if (csv == null) {
            return List.of();
        }
        List<String> lines = csv.lines().toList();
        List<String> header = Arrays.asList(lines.get(0).replaceFirst("^# ", "").split(",", -1));
        int proxy = header.indexOf("pxname");
        int server = header.indexOf("svname");
        int status = header.indexOf("status");
        int check = header.indexOf("check_status");
        List<ServerState> states = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",", -1);
            if (fields.length > check
                    && fields[proxy].equals(cluster)
                    && !fields[server].equals("FRONTEND")
                    && !fields[server].equals("BACKEND")) {
                states.add(new ServerState(fields[server], fields[status], fields[check]));
            }
        }
        return states;
    }

    /**
     * The one server the cluster's frontend routes to, or null. HAProxy 2.6 starts every server as UP before its first
     * check, so only a server that passed a check counts, and only when it is the only one up.
     */
    String routedServer(String cluster) {
        List<ServerState> states = servers(cluster);
        List<ServerState> up =
                states.stream().filter(s -> s.status().startsWith("UP")).toList();
        if (up.size() == 1 && up.get(0).upAndChecked()) {
            return up.get(0).name();
        }
        return null;
    }

    private String statsCsv() {
        HttpResponse<String> response = LocalHttp.send("GET", "http://127.0.0.1:" + statsPort + "/stats;csv", null);
        return response != null && response.statusCode() == 200 ? response.body() : null;
    }

    String logTail() {
        return process.logTail(20);
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(10));
        BackgroundProcess.forget(this);
    }
}
