package io.citus.pgvector.ha;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.chart.Charts;
import io.citus.pgvector.cli.Cli;
import io.citus.pgvector.registrar.RegistrarProcess;
import io.citus.pgvector.scaling.ShippedHooks;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.OperatorExtensionSync;
import io.citus.pgvector.testing.SpiloFirstBoot;
import io.citus.pgvector.testing.Waits;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * The rendered chart run the way production runs it, on this machine: one etcd 3.4 (v3 API) as the DCS of every
 * cluster; for every rendered {@code postgresql} resource {@code numberOfInstances} Patroni members configured as the
 * operator and Spilo configure them ({@link SpiloConfiguration}); HAProxy frontends that follow each cluster's leader
 * (its Service); Spilo's first boot ({@code spilo-post-init.sql}); the operator's {@code preparedDatabases} step,
 * through the Service with TLS; and in every worker member the registrar sidecar, run from the rendered ConfigMap
 * with the rendered sidecar env plus what the operator injects (POD_NAME, POD_NAMESPACE, POSTGRES_USER,
 * POSTGRES_PASSWORD from the cluster's credentials Secret).
 *
 * <p>Names differ where a machine without Kubernetes must differ: a Service {@code <cluster>:5432} is
 * {@code 127.0.0.1:<its frontend port>} (the hooks' worker-name pattern becomes {@code ^127\.0\.0\.1$}), PostgreSQL
 * is this machine's major version, memory settings are small, and a registrar's status file and TMPDIR are in its
 * member's folder (a pod's /tmp is its own). Bring-up, every wait and teardown are bounded; every process is stopped by
 * {@link #close()}, or by the shutdown hook when a test dies.
 */
final class PatroniRelease implements AutoCloseable {

    static final String REGISTRAR = "citus-worker-registrar";
    static final Duration SERVICE_TIMEOUT = Duration.ofSeconds(240);
    private static final String CREDENTIALS = "postgres.%s.credentials.postgresql.acid.zalan.do";

    private final Path dir;
    private final ShippedHooks chart;
    private final boolean citus;
    private final Etcd etcd;
    private final Map<String, PatroniCluster> clusters = new LinkedHashMap<>();
    private final Map<String, RegistrarProcess> registrars = new LinkedHashMap<>();
    private final List<String> operatorProblems = Collections.synchronizedList(new ArrayList<>());
    private HaProxy haproxy;
    private Path scripts;
    private Path registrarScript;

    private final Path bucketRoot;

    private PatroniRelease(Path dir, ShippedHooks chart, boolean citus, Etcd etcd, Path bucketRoot) {
        this.dir = dir;
        this.chart = chart;
        this.citus = citus;
        this.etcd = etcd;
        this.bucketRoot = bucketRoot;
    }

    /** Why the fixture cannot run here (a program missing), or empty. */
    static Optional<String> unavailableReason() {
        Optional<String> postgres = LocalPostgres.unavailableReason();
        if (postgres.isPresent()) {
            return postgres;
        }
        for (Path program : List.of(PatroniMember.PATRONI, Etcd.BINARY, HaProxy.BINARY, PatroniMember.OPENSSL)) {
            if (!Files.isExecutable(program)) {
                return Optional.of(program + " is missing: apt-get install patroni etcd-server haproxy openssl"
                        + " (see .ci/run)");
            }
        }
        if (BackgroundProcess.isRoot() && !Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            return Optional.of("running as root and no /usr/bin/setpriv to run Patroni as user postgres");
        }
        if (!Files.isDirectory(Path.of(SpiloConfiguration.SOCKET_DIRECTORY))) {
            return Optional.of(SpiloConfiguration.SOCKET_DIRECTORY + " does not exist (Debian's postgresql-common"
                    + " creates it): Spilo's socket folder, where citus.local_hostname points");
        }
        return Optional.empty();
    }

    /**
     * Brings the release up and returns once every cluster has a leader behind its Service, the operator's step has
     * run and every replica streams.
     *
     * @param citus run Citus where the chart preloads it (false: plain PostgreSQL, Citus left out even if installed)
     */
    static PatroniRelease start(Path dir, ShippedHooks chart, boolean citus) throws IOException {
        return start(dir, chart, citus, null);
    }

    /**
     * Like {@link #start(Path, ShippedHooks, boolean)}, with {@code bucketRoot} standing in for the object store:
     * clusters the chart gives WAL archiving archive into it, clones restore from it ({@link SpiloConfiguration}).
     */
    static PatroniRelease start(Path dir, ShippedHooks chart, boolean citus, Path bucketRoot) throws IOException {
        long started = System.nanoTime();
        Files.createDirectories(dir);
        LocalPostgres.openUp(dir);
        PatroniRelease release = new PatroniRelease(
                dir, chart, citus, Etcd.start(dir.resolve("etcd"), Duration.ofSeconds(60)), bucketRoot);
        try {
            release.bringUp();
        } catch (RuntimeException | AssertionError | IOException e) {
            release.close();
            throw e;
        }
        System.out.printf(
                "HA fixture: %d clusters, %d Patroni members up in %.1f s (%s)%n",
                release.clusters.size(),
                release.members().size(),
                (System.nanoTime() - started) / 1e9,
                release.timings());
        return release;
    }

    private void bringUp() throws IOException {
        Set<String> libraries = new HashSet<>(SpiloConfiguration.installedLibraries(pkglibdir()));
        if (!citus) {
            libraries.remove("citus");
        }
        Path postInit = writePostInit();
        Map<String, List<HaProxy.Server>> servers = new LinkedHashMap<>();
        Map<String, List<PatroniMember>> membersByCluster = new LinkedHashMap<>();
        Map<String, SpiloConfiguration> configurations = new LinkedHashMap<>();
        for (JsonNode resource : postgresqls()) {
            SpiloConfiguration spilo = SpiloConfiguration.of(resource, libraries, bucketRoot);
            String password = superuserPassword(spilo.clusterName());
            String replicationPassword = UUID.randomUUID().toString();
            List<PatroniMember> members = new ArrayList<>();
            for (int i = 0; i < spilo.instances(); i++) {
                members.add(PatroniMember.create(
                        dir.resolve("clusters"), spilo, i, etcd.endpoint(), password, replicationPassword, postInit));
            }
            members.forEach(BackgroundProcess::remember);
            configurations.put(spilo.clusterName(), spilo);
            membersByCluster.put(spilo.clusterName(), members);
            servers.put(
                    spilo.clusterName(),
                    members.stream()
                            .map(m -> new HaProxy.Server(m.name(), m.postgresPort(), m.restPort()))
                            .toList());
        }
        LocalPostgres.openUp(dir.resolve("clusters"));
        haproxy = HaProxy.start(dir.resolve("haproxy"), servers, Duration.ofSeconds(30));
        membersByCluster.forEach((name, members) -> clusters.put(
                name, new PatroniCluster(configurations.get(name), members, haproxy, superuserPassword(name))));
        members().forEach(PatroniMember::start);

        scripts = chart.mountScripts(dir.resolve("hook-scripts"));
        registrarScript = mountRegistrar();
        for (PatroniCluster cluster : workers()) {
            for (PatroniMember member : cluster.members()) {
                startRegistrar(member);
            }
        }

        ExecutorService pool = Executors.newFixedThreadPool(clusters.size());
        try {
            List<Future<?>> steps = new ArrayList<>();
            for (PatroniCluster cluster : clusters.values()) {
                steps.add(pool.submit(() -> {
                    Duration service = cluster.awaitService(SERVICE_TIMEOUT);
                    syncPreparedDatabases(cluster);
                    Duration healthy = cluster.awaitHealthy(SERVICE_TIMEOUT);
                    System.out.printf(
                            "HA fixture: %s has a leader behind its Service after %.1f s, every replica"
                                    + " streaming %.1f s later%n",
                            cluster.name(), service.toMillis() / 1e3, healthy.toMillis() / 1e3);
                    return null;
                }));
            }
            for (Future<?> step : steps) {
                step.get();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
    }

    private String timings() {
        SpiloConfiguration any = clusters.values().iterator().next().spilo();
        return "ttl " + any.timing("ttl") + ", loop_wait " + any.timing("loop_wait") + ", retry_timeout "
                + any.timing("retry_timeout") + (any.synchronousMode() ? ", synchronous_mode" : "")
                + (any.droppedLibraries().isEmpty()
                        ? ""
                        : "; not installed here: " + String.join(",", any.droppedLibraries()));
    }

    private static Path pkglibdir() {
        return Path.of(
                Commands.run(List.of(LocalPostgres.BINDIR.resolve("pg_config").toString(), "--pkglibdir"))
                        .strip());
    }

    private List<JsonNode> postgresqls() {
        List<JsonNode> resources = new ArrayList<>(chart.objects().stream()
                .filter(o -> o.path("kind").asText().equals("postgresql"))
                .toList());
        // The coordinator first: its members start first, as after helm install.
        resources.sort((a, b) -> Boolean.compare(!isCoordinator(a), !isCoordinator(b)));
        return resources;
    }

    private static boolean isCoordinator(JsonNode resource) {
        return resource.at("/metadata/labels")
                .path("app.kubernetes.io/component")
                .asText()
                .equals("coordinator");
    }

    /** Spilo's post_init.sh as Patroni runs it after bootstrap: psql on the new primary with its first-boot SQL. */
    private Path writePostInit() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("spilo"));
        Path sql = folder.resolve("post-init.sql");
        Files.writeString(sql, String.join(";\n", SpiloFirstBoot.statements(false)) + ";\n");
        Path script = folder.resolve("post_init.sh");
        // Patroni passes the connection string of the new primary as the argument. Spilo's script checks before each
        // statement, so a clone (whose data had its first boot at the source) ends the same: here, a database that
        // already has the first boot's log server is left as it is.
        Files.writeString(
                script,
                "#!/bin/bash\nset -euo pipefail\n"
                        + "if [[ \"$(psql -X -At -d \"$1\" -c \"SELECT count(*) FROM pg_catalog.pg_foreign_server"
                        + " WHERE srvname = 'pglog'\")\" == 1 ]]; then exit 0; fi\n"
                        + "exec psql -X -q -v ON_ERROR_STOP=1 -d \"$1\" -f " + sql + "\n");
        Commands.run(List.of("chmod", "755", script.toString()));
        LocalPostgres.openUp(folder);
        return script;
    }

    private Path mountRegistrar() throws IOException {
        JsonNode volume = null;
        for (JsonNode v : workerResources().get(0).at("/spec/additionalVolumes")) {
            if (v.path("targetContainers").toString().contains(REGISTRAR)) {
                volume = v;
            }
        }
        if (volume == null) {
            throw new AssertionError("no registrar volume in the rendered worker resource");
        }
        String configMap = volume.at("/volumeSource/configMap/name").asText();
        return Charts.mountConfigMap(chart.named("ConfigMap", configMap), dir.resolve("registrar-mount"))
                .resolve("registrar.sh");
    }

    private List<JsonNode> workerResources() {
        return postgresqls().stream().filter(r -> !isCoordinator(r)).toList();
    }

    /** The registrar sidecar of a worker member, started as the pod starts it. */
    RegistrarProcess startRegistrar(PatroniMember member) throws IOException {
        JsonNode resource = postgresqls().stream()
                .filter(r -> r.at("/metadata/name").asText().equals(member.cluster()))
                .findFirst()
                .orElseThrow();
        JsonNode sidecar = null;
        for (JsonNode s : resource.at("/spec/sidecars")) {
            if (s.path("name").asText().equals(REGISTRAR)) {
                sidecar = s;
            }
        }
        if (sidecar == null) {
            throw new AssertionError("no " + REGISTRAR + " sidecar in " + member.cluster());
        }
        Map<String, String> rendered = new LinkedHashMap<>();
        for (JsonNode e : sidecar.path("env")) {
            rendered.put(e.path("name").asText(), e.path("value").asText());
        }
        Path folder = Files.createDirectories(member.dir().resolve("registrar"));
        Map<String, String> env = new LinkedHashMap<>(rendered);
        env.put("COORDINATOR_HOST", "127.0.0.1");
        env.put("COORDINATOR_PORT", Integer.toString(servicePort(rendered.get("COORDINATOR_HOST"))));
        env.put("WORKER_HOST", "127.0.0.1");
        env.put("WORKER_PORT", Integer.toString(servicePort(rendered.get("WORKER_HOST"))));
        // The replica Service, and the primary's Service under a second name (localhost, where the chart uses the
        // namespaced name), so that it is a second entry in pg_dist_node.
        env.put("WORKER_REPLICA_HOST", "127.0.0.1");
        env.put("WORKER_REPLICA_PORT", Integer.toString(haproxy.frontendPort(rendered.get("WORKER_REPLICA_HOST"))));
        env.put("WORKER_PRIMARY_ALIAS_HOST", "localhost");
        env.put("WORKER_PRIMARY_ALIAS_PORT", env.get("WORKER_PORT"));
        // What the operator injects into every sidecar.
        env.put("POD_NAME", member.name());
        env.put("POD_NAMESPACE", Charts.NAMESPACE);
        env.put("POSTGRES_USER", secret(String.format(CREDENTIALS, member.cluster()), "username"));
        env.put("POSTGRES_PASSWORD", superuserPassword(member.cluster()));
        // The container's own: its PATH to psql, its /tmp.
        env.put("PATH", LocalPostgres.BINDIR + ":/usr/bin:/bin");
        env.put("TMPDIR", folder.toString());
        env.put("REGISTRAR_STATUS_FILE", folder.resolve("registrar.status").toString());
        // The script's backoff cap (30 s) lowered, so that some pass falls inside every outage a test causes.
        env.put("REGISTRAR_MAX_BACKOFF_SECONDS", "2");
        RegistrarProcess registrar = RegistrarProcess.start(registrarScript, folder, member.name(), env);
        RegistrarProcess previous = registrars.put(member.name(), registrar);
        if (previous != null) {
            previous.stop();
        }
        return registrar;
    }

    /**
     * The operator's {@code preparedDatabases} step at create and on every sync: through the Service with
     * sslmode=require as the superuser, the default NOLOGIN roles, then the extensions ({@link OperatorExtensionSync}).
     * Like the operator, a failure is recorded (the cluster would show CreateFailed until the next sync), not thrown.
     * Extensions not installed on this machine are left out.
     */
    List<String> syncPreparedDatabases(PatroniCluster cluster) {
        List<String> problems = new ArrayList<>();
        Set<String> available = availableExtensions();
        cluster.spilo().preparedDatabases().forEach((database, prepared) -> {
            try (Connection c = cluster.connect(database);
                    Statement s = c.createStatement()) {
                if (prepared.defaultRoles()) {
                    for (String suffix : List.of("owner", "reader", "writer")) {
                        String role = database + "_" + suffix;
                        try (ResultSet r = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + role + "'")) {
                            if (r.next()) {
                                continue;
                            }
                        }
                        s.execute("CREATE ROLE \"" + role + "\" NOLOGIN");
                    }
                }
                Map<String, String> extensions = new LinkedHashMap<>(prepared.extensions());
                extensions.keySet().retainAll(available);
                OperatorExtensionSync.sync(c, cluster.name() + "/" + database, extensions)
                        .forEach(error -> problems.add(cluster.name() + "/" + database + ": " + error));
            } catch (SQLException e) {
                problems.add(cluster.name() + "/" + database + ": " + e.getMessage());
            }
        });
        operatorProblems.addAll(problems);
        return problems;
    }

    private Set<String> availableExtensions() {
        Path sharedir = Path.of(
                Commands.run(List.of(LocalPostgres.BINDIR.resolve("pg_config").toString(), "--sharedir"))
                        .strip(),
                "extension");
        try (var files = Files.list(sharedir)) {
            Set<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".control"))
                    .map(n -> n.substring(0, n.length() - ".control".length()))
                    .collect(Collectors.toCollection(HashSet::new));
            if (!citus) {
                names.remove("citus");
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the operator's steps recorded as failed so far. */
    List<String> operatorProblems() {
        return List.copyOf(operatorProblems);
    }

    // ---- names, Services, Secrets ---------------------------------------------------------------------------

    static String jdbcUrl(int port, String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database
                + "?sslmode=require&connectTimeout=3&socketTimeout=20&tcpKeepAlive=true";
    }

    /** The local port of the replica Service of a cluster ({@code <cluster>-repl}). */
    int replicaServicePort(String cluster) {
        return haproxy.frontendPort(HaProxy.replicaService(cluster));
    }

    /** The local port of the Service named {@code host} (a cluster name). */
    int servicePort(String host) {
        PatroniCluster cluster = clusters.get(host);
        if (cluster == null) {
            throw new IllegalArgumentException("no Service " + host + "; clusters: " + clusters.keySet());
        }
        return cluster.servicePort();
    }

    /** {@code host:5432,...} of Service names as this machine reaches them, {@code 127.0.0.1:<port>,...}. */
    String localAddresses(String serviceAddresses) {
        List<String> local = new ArrayList<>();
        for (String address : serviceAddresses.split(",")) {
            String host = address.substring(0, address.lastIndexOf(':'));
            local.add("127.0.0.1:" + servicePort(host));
        }
        return String.join(",", local);
    }

    String secret(String name, String key) {
        JsonNode secret = chart.named("Secret", name);
        JsonNode plain = secret.at("/stringData/" + key);
        if (!plain.isMissingNode()) {
            return plain.asText();
        }
        return new String(Base64.getDecoder().decode(secret.at("/data/" + key).asText()), StandardCharsets.UTF_8);
    }

    String superuserPassword(String cluster) {
        return secret(String.format(CREDENTIALS, cluster), "password");
    }

    // ---- backups ------------------------------------------------------------------------------------------------

    /**
     * A base backup of a cluster into its archive, as Spilo's backup job (WAL-G {@code backup-push}) makes one: the
     * leader's data directory without WAL (recovery takes the WAL from the archive), under
     * {@code basebackups_005/base_<n>/data}, with the time it finished, in epoch nanoseconds, in {@code finished}.
     */
    void baseBackup(PatroniCluster cluster) throws IOException {
        Path archive = cluster.spilo().archive();
        if (archive == null) {
            throw new IllegalStateException(cluster.name() + " has no WAL archive (backup.wal)");
        }
        PatroniMember leader = cluster.leader()
                .orElseThrow(() -> new IllegalStateException("no leader of " + cluster.name() + " to back up"));
        Path backup = archive.resolve("basebackups_005").resolve("base_" + System.currentTimeMillis());
        Files.createDirectories(backup.getParent());
        LocalPostgres.Result result = LocalPostgres.run(
                List.of(
                        LocalPostgres.BINDIR.resolve("pg_basebackup").toString(),
                        "-h",
                        SpiloConfiguration.SOCKET_DIRECTORY,
                        "-p",
                        Integer.toString(leader.postgresPort()),
                        "-U",
                        SpiloConfiguration.REPLICATION_USER,
                        "-D",
                        backup.resolve("data").toString(),
                        "-X",
                        "none",
                        "-c",
                        "fast",
                        "--no-sync"),
                Map.of(),
                Duration.ofMinutes(5));
        if (result.exitCode() != 0) {
            throw new IllegalStateException("base backup of " + cluster.name() + " failed: " + result.stderr());
        }
        java.time.Instant finished = java.time.Instant.now();
        Files.writeString(
                backup.resolve("finished"),
                Long.toString(finished.getEpochSecond() * 1_000_000_000L + finished.getNano()));
        Commands.chownToPostgres(backup);
    }

    // ---- hooks and helm test ---------------------------------------------------------------------------------

    /**
     * The overrides that point a hook Job's (or the test pod's) rendered env at this machine: the coordinator
     * Service as 127.0.0.1:port, the Secret values its secretKeyRefs name, worker Services as local addresses.
     */
    Map<String, String> hookOverrides(JsonNode jobOrPod) {
        Map<String, String> rendered = ShippedHooks.env(jobOrPod);
        Map<String, String> overrides = new LinkedHashMap<>();
        rendered.forEach((name, value) -> {
            if (value.startsWith("secret:")) {
                String ref = value.substring("secret:".length());
                overrides.put(name, secret(ref.substring(0, ref.indexOf('/')), ref.substring(ref.indexOf('/') + 1)));
            }
        });
        overrides.put("PGHOST", "127.0.0.1");
        overrides.put("PGPORT", Integer.toString(servicePort(rendered.get("PGHOST"))));
        if (rendered.containsKey("DESIRED_WORKERS")) {
            overrides.put("DESIRED_WORKERS", localAddresses(rendered.get("DESIRED_WORKERS")));
        }
        if (rendered.containsKey("WORKER_NAME_REGEX")) {
            overrides.put("WORKER_NAME_REGEX", "^127\\.0\\.0\\.1$");
        }
        return overrides;
    }

    /** Starts a hook Job's (kind Job) or the test pod's (kind Pod) script as its container runs it. */
    ShippedHooks.Running startHook(String kind, String name, Map<String, String> extra) {
        return startHook(chart, kind, name, extra);
    }

    /**
     * Like {@link #startHook(String, String, Map)} with the object from {@code render}: the chart rendered with the
     * values of a {@code helm upgrade}, whose pre-upgrade hooks run against this release.
     */
    ShippedHooks.Running startHook(ShippedHooks render, String kind, String name, Map<String, String> extra) {
        JsonNode object = render.named(kind, name);
        String script = Path.of(ShippedHooks.podSpec(object)
                        .at("/containers/0/command/1")
                        .asText())
                .getFileName()
                .toString();
        Map<String, String> overrides = new LinkedHashMap<>(hookOverrides(object));
        overrides.putAll(extra);
        return ShippedHooks.start(scripts, script, ShippedHooks.env(object), overrides);
    }

    /** {@code verify} of the command line against the coordinator's Service, with TLS; its exit code and output. */
    VerifyRun verify(int expectedWorkers) throws IOException {
        Path passwordFile = dir.resolve("verify-password");
        Files.writeString(passwordFile, superuserPassword(coordinator().name()) + "\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(
                new PrintWriter(out),
                new PrintWriter(err),
                "verify",
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(coordinator().servicePort()),
                "-U",
                LocalPostgres.SUPERUSER,
                "-d",
                "postgres",
                "--sslmode",
                "require",
                "--password-file",
                passwordFile.toString(),
                "--expected-workers",
                Integer.toString(expectedWorkers));
        return new VerifyRun(code, out + err.toString());
    }

    record VerifyRun(int exitCode, String output) {}

    // ---- the parts -------------------------------------------------------------------------------------------

    PatroniCluster cluster(String name) {
        PatroniCluster cluster = clusters.get(name);
        if (cluster == null) {
            throw new IllegalArgumentException("no cluster " + name + "; have " + clusters.keySet());
        }
        return cluster;
    }

    PatroniCluster coordinator() {
        return clusters.values().iterator().next();
    }

    List<PatroniCluster> workers() {
        return clusters.values().stream().skip(1).toList();
    }

    List<PatroniCluster> clusters() {
        return List.copyOf(clusters.values());
    }

    List<PatroniMember> members() {
        return clusters.values().stream().flatMap(c -> c.members().stream()).toList();
    }

    Map<String, RegistrarProcess> registrars() {
        return Collections.unmodifiableMap(registrars);
    }

    RegistrarProcess registrar(PatroniMember member) {
        return registrars.get(member.name());
    }

    boolean citus() {
        return citus;
    }

    Path dir() {
        return dir;
    }

    /** Pod deletion: the registrar sidecar and Patroni get SIGTERM; Patroni stops PostgreSQL and hands over. */
    void deletePod(PatroniMember member) {
        stopRegistrar(member);
        member.stopPatroni();
    }

    /** Node loss: the pod's processes die at once. */
    void losePod(PatroniMember member) {
        member.killHard();
        stopRegistrar(member);
    }

    private void stopRegistrar(PatroniMember member) {
        RegistrarProcess registrar = registrars.get(member.name());
        if (registrar != null) {
            try {
                registrar.stop();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The pod scheduled again: Patroni (which rejoins, rewinding where needed) and, on a worker, its registrar. */
    void startPod(PatroniMember member) {
        member.start();
        if (registrars.containsKey(member.name())
                && !registrars.get(member.name()).isAlive()) {
            try {
                startRegistrar(member);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Every member healthy again (pods that went away started first), each Service routing to its leader. */
    void awaitAllHealthy(Duration timeout) {
        members().stream().filter(m -> !m.isRunning()).forEach(this::startPod);
        for (PatroniCluster cluster : clusters.values()) {
            cluster.awaitHealthy(timeout);
        }
    }

    /** Waits until every registrar reports {@code state}; returns how long that took. */
    Duration awaitRegistrarsFor(String state, Duration timeout) {
        return Waits.until(
                timeout,
                "every registrar to be " + state,
                () -> registrars.values().stream().allMatch(r -> {
                    try {
                        return r.state().equals(state);
                    } catch (IOException e) {
                        return false;
                    }
                }),
                this::registrarDiagnostics);
    }

    String registrarDiagnostics() {
        return registrars.entrySet().stream()
                .map(e -> {
                    try {
                        List<String> lines = e.getValue().output().lines().toList();
                        return "--- registrar " + e.getKey() + " ("
                                + e.getValue().state() + ")\n"
                                + String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
                    } catch (IOException ex) {
                        return "--- registrar " + e.getKey() + ": " + ex;
                    }
                })
                .collect(Collectors.joining("\n"));
    }

    String diagnostics() {
        return clusters.values().stream().map(PatroniCluster::diagnostics).collect(Collectors.joining("\n")) + "\n"
                + registrarDiagnostics() + "\n--- haproxy\n" + (haproxy == null ? "" : haproxy.logTail());
    }

    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        for (RegistrarProcess registrar : registrars.values()) {
            try {
                registrar.stop();
            } catch (IOException | RuntimeException e) {
                failures.add(new IllegalStateException("stopping a registrar: " + e, e));
            }
        }
        for (PatroniMember member : members()) {
            try {
                member.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        for (AutoCloseable part : new AutoCloseable[] {haproxy, etcd}) {
            try {
                if (part != null) {
                    part.close();
                }
            } catch (Exception e) {
                failures.add(new IllegalStateException("stopping " + part + ": " + e, e));
            }
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }
}
