package io.citus.pgvector.ha;

import io.citus.pgvector.testing.LocalPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A long-running program of the HA fixture (etcd, HAProxy, Patroni, a registrar), started with exactly the given
 * environment (nothing inherited: an inherited PGPASSWORD, for one, would override Patroni's password file and break
 * pg_rewind), output appended to a log file. As root, {@code asPostgres} runs it as the postgres OS user through
 * setpriv, which execs, so {@link #pid()} is the program's own pid. Anything still registered when the JVM exits is
 * closed by a shutdown hook, newest first.
 */
final class BackgroundProcess {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final List<AutoCloseable> OPEN = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(BackgroundProcess::closeAll, "ha-fixture-reaper"));
    }

    private final Process process;
    private final Path log;
    private final String name;

    private BackgroundProcess(Process process, Path log, String name) {
        this.process = process;
        this.log = log;
        this.name = name;
    }

    static BackgroundProcess start(
            String name, List<String> command, Map<String, String> env, Path log, boolean asPostgres) {
        List<String> full = new ArrayList<>();
        if (asPostgres && isRoot()) {
            full.addAll(List.of("/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
        }
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(env);
        try {
            return new BackgroundProcess(builder.start(), log, name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", full), e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends a signal by number or name (TERM, KILL, STOP, CONT, QUIT) to this process only. */
    void signal(String signal) {
        signal(pid(), signal);
    }

    static void signal(long pid, String signal) {
        LocalPostgres.Result result =
                LocalPostgres.run(List.of("kill", "-s", signal, Long.toString(pid)), Map.of(), COMMAND_TIMEOUT);
        if (result.exitCode() != 0
                && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            throw new IllegalStateException("kill -s " + signal + " " + pid + ": " + result.stderr());
        }
    }

    /** SIGTERM, then SIGKILL when it has not ended within {@code timeout}. Returns whether it ended by itself. */
    boolean stop(Duration timeout) {
        if (!process.isAlive()) {
            return true;
        }
        process.destroy();
        if (waitFor(timeout)) {
            return true;
        }
        kill();
        return false;
    }

    void kill() {
        process.destroyForcibly();
        waitFor(COMMAND_TIMEOUT);
    }

    boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    String logTail(int lines) {
        return tail(log, lines);
    }

    static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(no " + file + ")";
            }
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Keeps {@code resource} to be closed by the shutdown hook unless {@link #forget} is called first. */
    static void remember(AutoCloseable resource) {
        synchronized (OPEN) {
            if (!OPEN.contains(resource)) {
                OPEN.add(resource);
            }
        }
    }

    static void forget(AutoCloseable resource) {
        synchronized (OPEN) {
            OPEN.remove(resource);
        }
    }

    private static void closeAll() {
        List<AutoCloseable> open;
        synchronized (OPEN) {
            open = new ArrayList<>(OPEN);
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception ignored) {
                // Best effort while the JVM exits.
            }
        }
    }

    /** Pids of the direct children of {@code pid}, from /proc. */
    static Set<Long> children(long pid) {
        Set<Long> children = ConcurrentHashMap.newKeySet();
        ProcessHandle.of(pid).ifPresent(p -> p.children().forEach(c -> children.add(c.pid())));
        return children;
    }
}
