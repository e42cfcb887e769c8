package io.citus.pgvector.ha;

import io.citus.pgvector.testing.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** One etcd 3.4 member (Debian's etcd-server) on 127.0.0.1, the DCS of every Patroni cluster (v3 API). */
final class Etcd implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/etcd");

    private final BackgroundProcess process;
    private final int clientPort;

    private Etcd(BackgroundProcess process, int clientPort) {
        this.process = process;
        this.clientPort = clientPort;
    }

    static Etcd start(Path dir, Duration timeout) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int client = Ports.free();
        int peer = Ports.free();
        String peerUrl = "http://127.0.0.1:" + peer;
        String clientUrl = "http://127.0.0.1:" + client;
        BackgroundProcess process = BackgroundProcess.start(
                "etcd",
                List.of(
                        BINARY.toString(),
                        "--name",
                        "dcs",
                        "--data-dir",
                        dir.resolve("data").toString(),
                        "--listen-client-urls",
                        clientUrl,
                        "--advertise-client-urls",
                        clientUrl,
                        "--listen-peer-urls",
                        peerUrl,
                        "--initial-advertise-peer-urls",
                        peerUrl,
                        "--initial-cluster",
                        "dcs=" + peerUrl,
                        "--initial-cluster-state",
                        "new",
                        "--initial-cluster-token",
                        "ha-" + client,
                        "--logger",
                        "zap",
                        "--log-level",
                        "warn"),
                Map.of("PATH", "/usr/bin:/bin"),
                dir.resolve("etcd.log"),
                false);
        Etcd etcd = new Etcd(process, client);
        BackgroundProcess.remember(etcd);
        try {
            Waits.until(timeout, "etcd on port " + client + " to be healthy", etcd::healthy, () -> process.logTail(20));
        } catch (RuntimeException | AssertionError e) {
            etcd.close();
            throw e;
        }
        return etcd;
    }

    /** host:port for Patroni's {@code etcd3.hosts}. */
    String endpoint() {
        return "127.0.0.1:" + clientPort;
    }

    private boolean healthy() {
        if (!process.isAlive()) {
            throw new IllegalStateException("etcd exited:\n" + process.logTail(20));
        }
        HttpResponse<String> response = LocalHttp.send("GET", "http://" + endpoint() + "/health", null);
        return response != null
                && response.statusCode() == 200
                && response.body().contains("\"true\"");
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(10));
        BackgroundProcess.forget(this);
    }
}
