package io.citus.pgvector.ha;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * One pod of a cluster: a Patroni 3.0 process (Debian's patroni) with the member's Spilo-like configuration, its own
 * self-signed certificate (as Spilo makes one when none is given), PostgreSQL on a free port of 127.0.0.1 and the
 * socket in {@link SpiloConfiguration#SOCKET_DIRECTORY}. Patroni runs as the postgres OS user with a clean
 * environment. The ways a pod goes away are here: {@link #killPostmaster()} (Patroni restarts PostgreSQL),
 * {@link #stopPatroni()} (pod deletion: Patroni stops PostgreSQL and hands the leader key over) and
 * {@link #killHard()} (node loss: Patroni and every PostgreSQL process killed, the leader key expires after ttl).
 */
final class PatroniMember implements AutoCloseable {

    static final Path PATRONI = Path.of("/usr/bin/patroni");
    static final Path OPENSSL = Path.of("/usr/bin/openssl");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(60);

    private final String cluster;
    private final String name;
    private final Path dir;
    private final int postgresPort;
    private final int restPort;
    private final String superuserPassword;
    private volatile BackgroundProcess patroni;

    private PatroniMember(
            String cluster, String name, Path dir, int postgresPort, int restPort, String superuserPassword) {
        this.cluster = cluster;
        this.name = name;
        this.dir = dir;
        this.postgresPort = postgresPort;
        this.restPort = restPort;
        this.superuserPassword = superuserPassword;
    }

    /** Writes the member's certificate and Patroni configuration into {@code parent/<name>}; not started. */
    static PatroniMember create(
            Path parent,
            SpiloConfiguration spilo,
            int index,
            String etcd,
            String superuserPassword,
            String replicationPassword,
            Path postInit) {
        String name = spilo.clusterName() + "-" + index;
        Path dir = parent.resolve(name);
        PatroniMember member =
                new PatroniMember(spilo.clusterName(), name, dir, Ports.free(), Ports.free(), superuserPassword);
        try {
            Files.createDirectories(dir);
            member.createCertificate();
            if (spilo.archive() != null) {
                Files.createDirectories(spilo.archive());
                Commands.chownToPostgres(spilo.archive());
            }
            if (spilo.cloneFrom() != null) {
                Files.writeString(dir.resolve("clone_with_wale.sh"), cloneScript(spilo.cloneFrom()));
            }
            YAML.writeValue(
                    dir.resolve("patroni.yml").toFile(),
                    member.configuration(spilo, etcd, replicationPassword, postInit));
            Commands.chownToPostgres(dir);
            Commands.run(List.of(
                    "chmod",
                    "600",
                    dir.resolve("server.key").toString(),
                    dir.resolve("patroni.yml").toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return member;
    }

    /**
     * What Spilo's clone_with_wale.py does with WAL-G over the folder standing in for the source's bucket: the latest
     * base backup that finished before the target time ({@code choose_backup}: last_modified before the target),
     * fetched into the data directory; no backup before the target fails the bootstrap. Base backups are
     * {@code basebackups_005/base_<n>/data} with the finishing time, in epoch nanoseconds, in {@code finished}
     * ({@link PatroniRelease#baseBackup}).
     */
    private static String cloneScript(SpiloConfiguration.Clone clone) {
        return """
                #!/bin/bash
                set -euo pipefail
                target="" datadir=""
                for arg in "$@"; do
                  case "${arg}" in
                    --recovery-target-time=*) target="${arg#*=}" ;;
                    --datadir=*) datadir="${arg#*=}" ;;
                  esac
                done
                want="$(date -d "${target}" +%s%N)"
                best="" best_at=0
                for backup in ARCHIVE/basebackups_005/base_*; do
                  [[ -f "${backup}/finished" ]] || continue
                  at="$(cat "${backup}/finished")"
                  if ((at < want && at > best_at)); then best="${backup}" best_at="${at}"; fi
                done
                [[ -n "${best}" ]] || { echo "Could not find any backups prior to the point in time ${target}" >&2; exit 1; }
                echo "cloning SOURCE from ${best}"
                mkdir -p "${datadir}"
                cp -a "${best}/data/." "${datadir}/"
                chmod 700 "${datadir}"
                """.replace("ARCHIVE", clone.sourceArchive().toString()).replace("SOURCE", clone.sourceCluster());
    }

    private void createCertificate() {
        Commands.run(List.of(
                OPENSSL.toString(),
                "req",
                "-nodes",
                "-new",
                "-x509",
                "-days",
                "30",
                "-subj",
                "/CN=" + name,
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-keyout",
                dir.resolve("server.key").toString(),
                "-out",
                dir.resolve("server.crt").toString()));
    }

    private Map<String, Object> configuration(
            SpiloConfiguration spilo, String etcd, String replicationPassword, Path postInit) {
        Map<String, Object> local = new LinkedHashMap<>(spilo.localParameters());
        local.put("ssl_cert_file", dir.resolve("server.crt").toString());
        local.put("ssl_key_file", dir.resolve("server.key").toString());

        Map<String, Object> bootstrap = new LinkedHashMap<>();
        bootstrap.put("dcs", spilo.dcs());
        bootstrap.put("initdb", List.of(Map.of("encoding", "UTF8"), Map.of("locale", "C.UTF-8"), "data-checksums"));
        bootstrap.put("post_init", postInit.toString());
        SpiloConfiguration.Clone clone = spilo.cloneFrom();
        if (clone != null) {
            // Spilo's template for CLONE_METHOD=CLONE_WITH_WALE (configure_spilo.py), the source archive a folder.
            Map<String, Object> recovery = new LinkedHashMap<>();
            recovery.put("restore_command", "cp " + clone.sourceArchive() + "/%f %p");
            recovery.put("recovery_target_timeline", "latest");
            recovery.put("recovery_target_action", "promote");
            recovery.put("recovery_target_time", clone.targetTime());
            if (!clone.inclusive()) {
                recovery.put("recovery_target_inclusive", false);
            }
            bootstrap.put("method", "clone_with_wale");
            bootstrap.put(
                    "clone_with_wale",
                    Map.of(
                            "command",
                            "/bin/bash " + dir.resolve("clone_with_wale.sh") + " --recovery-target-time=\""
                                    + clone.targetTime() + "\"",
                            "recovery_conf",
                            recovery));
        }

        Map<String, Object> authentication = new LinkedHashMap<>();
        authentication.put("superuser", Map.of("username", LocalPostgres.SUPERUSER, "password", superuserPassword));
        authentication.put(
                "replication",
                Map.of("username", SpiloConfiguration.REPLICATION_USER, "password", replicationPassword));

        Map<String, Object> postgresql = new LinkedHashMap<>();
        postgresql.put("listen", "127.0.0.1:" + postgresPort);
        postgresql.put("connect_address", "127.0.0.1:" + postgresPort);
        postgresql.put("data_dir", dataDir().toString());
        postgresql.put("bin_dir", LocalPostgres.BINDIR.toString());
        postgresql.put("pgpass", dir.resolve("pgpass").toString());
        postgresql.put("use_unix_socket", true);
        // A fast checkpoint on the leader makes a replica in seconds: bring-up speed only (Spilo uses its own script).
        postgresql.put("basebackup", List.of(Map.of("checkpoint", "fast")));
        postgresql.put("authentication", authentication);
        postgresql.put("parameters", local);
        postgresql.put("pg_hba", spilo.pgHba());

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("scope", spilo.clusterName());
        config.put("namespace", "/service/");
        config.put("name", name);
        config.put("log", Map.of("level", "INFO"));
        config.put("restapi", Map.of("listen", "127.0.0.1:" + restPort, "connect_address", "127.0.0.1:" + restPort));
        config.put("etcd3", Map.of("hosts", List.of(etcd)));
        config.put("bootstrap", bootstrap);
        config.put("postgresql", postgresql);
        config.put("watchdog", Map.of("mode", "off"));
        return config;
    }

    /** Starts Patroni (again, after a stop or kill: it rejoins, with pg_rewind where needed). */
    synchronized void start() {
        if (patroni != null && patroni.isAlive()) {
            return;
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", LocalPostgres.BINDIR + ":/usr/bin:/bin");
        env.put("LANG", "C.UTF-8");
        env.put("LC_ALL", "C.UTF-8");
        env.put("HOME", dir.toString());
        patroni = BackgroundProcess.start(
                "patroni " + name,
                List.of(PATRONI.toString(), dir.resolve("patroni.yml").toString()),
                env,
                dir.resolve("patroni.log"),
                true);
        BackgroundProcess.remember(this);
    }

    boolean isRunning() {
        BackgroundProcess process = patroni;
        return process != null && process.isAlive();
    }

    /** This member's view from its REST API ({@code GET /patroni}), or null when it does not answer. */
    JsonNode status() {
        HttpResponse<String> response = rest("GET", "/patroni", null);
        if (response == null) {
            return null;
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether Patroni answers {@code /primary} with 200 (what HAProxy checks). */
    boolean isLeader() {
        HttpResponse<String> response = rest("OPTIONS", "/primary", null);
        return response != null && response.statusCode() == 200;
    }

    /** A REST call to this member; null when it does not answer within a few seconds. */
    HttpResponse<String> rest(String method, String path, String jsonBody) {
        return rest(method, path, jsonBody, Duration.ofSeconds(5));
    }

    /** A REST call that may take long (a switchover answers once it is done); null when there is no answer. */
    HttpResponse<String> rest(String method, String path, String jsonBody, Duration timeout) {
        return LocalHttp.send(method, "http://127.0.0.1:" + restPort + path, jsonBody, timeout);
    }

    /** The postmaster's pid from postmaster.pid, if it is running. */
    OptionalLong postmasterPid() {
        Path pidFile = dataDir().resolve("postmaster.pid");
        try {
            if (!Files.exists(pidFile)) {
                return OptionalLong.empty();
            }
            List<String> lines = Files.readAllLines(pidFile);
            if (lines.isEmpty() || lines.get(0).isBlank()) {
                return OptionalLong.empty();
            }
            long pid = Long.parseLong(lines.get(0).strip());
            return isPostmasterOfThisMember(pid) ? OptionalLong.of(pid) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * A postmaster killed by a test leaves its postmaster.pid behind, and on a busy machine the pid may by now belong
     * to another program: only a process whose command line names this member's data folder is signalled.
     */
    private boolean isPostmasterOfThisMember(long pid) {
        try {
            String commandLine = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"))
                    .replace('\0', ' ');
            return commandLine.contains(" -D " + dataDir() + " ");
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL of the postmaster only: Patroni, still holding the leader key, starts PostgreSQL again. */
    void killPostmaster() {
        long pid = postmasterPid().orElseThrow(() -> new IllegalStateException(name + " runs no postmaster"));
        BackgroundProcess.signal(pid, "KILL");
    }

    /** SIGTERM to Patroni, as Kubernetes deletes a pod: PostgreSQL stops and the leader key is handed over. */
    void stopPatroni() {
        BackgroundProcess process = patroni;
        if (process != null && !process.stop(GRACEFUL_STOP)) {
            killPostgres();
        }
    }

    /** Node loss: Patroni and every PostgreSQL process SIGKILLed at once; nothing is handed over. */
    void killHard() {
        BackgroundProcess process = patroni;
        if (process != null) {
            process.signal("KILL");
        }
        killPostgres();
        if (process != null) {
            process.waitFor(COMMAND_TIMEOUT);
        }
    }

    private void killPostgres() {
        OptionalLong postmaster = postmasterPid();
        if (postmaster.isEmpty()) {
            return;
        }
        long pid = postmaster.getAsLong();
        // Stopped, the postmaster forks nothing while its children are collected.
        BackgroundProcess.signal(pid, "STOP");
        List<Long> all = new ArrayList<>();
        all.add(pid);
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> all.add(d.pid())));
        for (long each : all) {
            BackgroundProcess.signal(each, "KILL");
        }
        Waits.until(
                COMMAND_TIMEOUT,
                "the processes of " + name + " to end",
                () -> all.stream()
                        .noneMatch(p ->
                                ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)));
    }

    /** A direct connection to this member (not through the Service), TLS and password as every TCP client. */
    Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), LocalPostgres.SUPERUSER, superuserPassword);
    }

    String jdbcUrl(String database) {
        return PatroniRelease.jdbcUrl(postgresPort, database);
    }

    String name() {
        return name;
    }

    String cluster() {
        return cluster;
    }

    int postgresPort() {
        return postgresPort;
    }

    int restPort() {
        return restPort;
    }

    Path dir() {
        return dir;
    }

    Path dataDir() {
        return dir.resolve("pgdata");
    }

    String patroniLogTail(int lines) {
        return BackgroundProcess.tail(dir.resolve("patroni.log"), lines);
    }

    /** The end of PostgreSQL's newest log file (Spilo's pg_log folder). */
    String postgresLogTail(int lines) {
        Path logs = dir.resolve("pg_log");
        if (!Files.isDirectory(logs)) {
            return "(no " + logs + ")";
        }
        try (Stream<Path> files = Files.list(logs)) {
            return files.filter(p -> p.toString().endsWith(".log"))
                    .max(Comparator.comparing(p -> p.toFile().lastModified()))
                    .map(p -> BackgroundProcess.tail(p, lines))
                    .orElse("(no log in " + logs + ")");
        } catch (IOException e) {
            return "(cannot list " + logs + ": " + e + ")";
        }
    }

    String diagnostics() {
        return "--- " + name + " patroni.log\n" + patroniLogTail(15) + "\n--- " + name + " postgres log\n"
                + postgresLogTail(15);
    }

    /** Teardown: Patroni and PostgreSQL killed; the data is thrown away with the folder. */
    @Override
    public void close() {
        killHard();
        BackgroundProcess.forget(this);
    }

    @Override
    public String toString() {
        return name;
    }
}
