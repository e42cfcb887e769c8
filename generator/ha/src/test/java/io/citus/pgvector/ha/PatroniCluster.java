package io.citus.pgvector.ha;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citus.pgvector.testing.LocalPostgres;
import io.citus.pgvector.testing.Waits;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One {@code postgresql} resource: its Patroni members and the HAProxy frontend that plays its Service. What the
 * operator does to a running cluster is here too: PATCH of Patroni's {@code /config} (the operator's sync of
 * {@code spec.patroni} and parameters) and the planned switchover through Patroni's API.
 */
final class PatroniCluster {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SpiloConfiguration spilo;
    private final List<PatroniMember> members;
    private final HaProxy haproxy;
    private final String password;

    PatroniCluster(SpiloConfiguration spilo, List<PatroniMember> members, HaProxy haproxy, String password) {
        this.spilo = spilo;
        this.members = List.copyOf(members);
        this.haproxy = haproxy;
        this.password = password;
    }

    String name() {
        return spilo.clusterName();
    }

    SpiloConfiguration spilo() {
        return spilo;
    }

    List<PatroniMember> members() {
        return members;
    }

    PatroniMember member(String name) {
        return members.stream()
                .filter(m -> m.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no member " + name + " in " + name()));
    }

    /** The Service's port on 127.0.0.1. */
    int servicePort() {
        return haproxy.frontendPort(name());
    }

    /** A connection through the Service (whichever member leads), with TLS and the superuser's password. */
    Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), LocalPostgres.SUPERUSER, password);
    }

    String jdbcUrl(String database) {
        return PatroniRelease.jdbcUrl(servicePort(), database);
    }

    /** The member the Service routes to, if HAProxy routes to exactly one that passed its check. */
    Optional<PatroniMember> routed() {
        return Optional.ofNullable(haproxy.routedServer(name())).map(this::member);
    }

    /** The leader as Patroni says: the member answering {@code /primary}. */
    Optional<PatroniMember> leader() {
        List<PatroniMember> leaders = members.stream()
                .filter(PatroniMember::isRunning)
                .filter(PatroniMember::isLeader)
                .toList();
        return leaders.size() == 1 ? Optional.of(leaders.get(0)) : Optional.empty();
    }

    PatroniMember requireLeader() {
        return leader().orElseThrow(() -> new AssertionError("no single leader in " + name() + "\n" + diagnostics()));
    }

    /** A member that is not the leader, running. */
    PatroniMember replica() {
        PatroniMember leader = requireLeader();
        return members.stream()
                .filter(m -> m != leader && m.isRunning())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no running replica in " + name()));
    }

    /** Waits until the Service routes to exactly one member and Patroni calls that member the leader. */
    Duration awaitService(Duration timeout) {
        return Waits.until(
                timeout,
                "the Service of " + name() + " to route to its leader only",
                () -> {
                    Optional<PatroniMember> routed = routed();
                    return routed.isPresent() && routed.get().isLeader();
                },
                this::diagnostics);
    }

    /**
     * Waits until every member runs, one leads, the others stream from it, and, in synchronous mode, one of them is the
     * synchronous standby: the state a cluster returns to after a pod comes back.
     */
    Duration awaitHealthy(Duration timeout) {
        return Waits.until(
                timeout,
                name() + " to be healthy with " + members.size() + " members",
                this::healthy,
                this::diagnostics);
    }

    boolean healthy() {
        if (!members.stream().allMatch(PatroniMember::isRunning)) {
            return false;
        }
        Optional<PatroniMember> leader = leader();
        if (leader.isEmpty() || routed().filter(m -> m == leader.get()).isEmpty()) {
            return false;
        }
        JsonNode status = leader.get().status();
        if (status == null) {
            return false;
        }
        long streaming = 0;
        long synchronous = 0;
        for (JsonNode replication : status.path("replication")) {
            if (replication.path("state").asText().equals("streaming")) {
                streaming++;
                if (replication.path("sync_state").asText().equals("sync")) {
                    synchronous++;
                }
            }
        }
        boolean syncWanted = Boolean.TRUE.equals(
                config().map(c -> c.path("synchronous_mode").asBoolean(false)).orElse(null));
        return streaming == members.size() - 1
                && (!syncWanted || members.size() < 2 || synchronous >= 1 && synchronousStandbyInDcs(leader.get()));
    }

    /**
     * Whether Patroni has recorded a synchronous standby in the DCS: PostgreSQL's sync_state changes first, and a
     * switchover is refused until the DCS names the candidate.
     */
    private static boolean synchronousStandbyInDcs(PatroniMember leader) {
        HttpResponse<String> response = leader.rest("GET", "/cluster", null);
        if (response == null || response.statusCode() != 200) {
            return false;
        }
        try {
            for (JsonNode member : JSON.readTree(response.body()).path("members")) {
                if (member.path("role").asText().equals("sync_standby")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** The dynamic configuration in the DCS, from any member that answers. */
    Optional<JsonNode> config() {
        for (PatroniMember member : members) {
            if (!member.isRunning()) {
                continue;
            }
            HttpResponse<String> response = member.rest("GET", "/config", null);
            if (response != null && response.statusCode() == 200) {
                try {
                    return Optional.of(JSON.readTree(response.body()));
                } catch (IOException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Changes the dynamic configuration as the operator does on a spec change (PATCH {@code /config}), then waits
     * until the members act on it: for the synchronous mode, until a synchronous standby streams (or none does).
     */
    void patchConfig(Map<String, Object> change, Duration timeout) {
        String body;
        try {
            body = JSON.writeValueAsString(change);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
        HttpResponse<String> response = requireLeader().rest("PATCH", "/config", body);
        if (response == null || response.statusCode() != 200) {
            throw new AssertionError("PATCH /config of " + name() + " " + body + " failed: "
                    + (response == null ? "no answer" : response.statusCode() + " " + response.body()));
        }
        if (change.containsKey("synchronous_mode")) {
            boolean wanted = Boolean.TRUE.equals(change.get("synchronous_mode"));
            Waits.until(
                    timeout,
                    name() + " to " + (wanted ? "have" : "drop") + " its synchronous standby",
                    () -> healthy() && synchronousStandbys() == (wanted && members.size() > 1 ? 1 : 0),
                    this::diagnostics);
        }
    }

    /** Replicas the leader currently waits for at commit. */
    long synchronousStandbys() {
        JsonNode status = leader().map(PatroniMember::status).orElse(null);
        if (status == null) {
            return -1;
        }
        long count = 0;
        for (JsonNode replication : status.path("replication")) {
            if (replication.path("sync_state").asText().equals("sync")) {
                count++;
            }
        }
        return count;
    }

    /** A planned switchover through Patroni's API to the other member; returns the new leader. */
    PatroniMember switchover() {
        PatroniMember leader = requireLeader();
        PatroniMember candidate = replica();
        HttpResponse<String> response = leader.rest(
                "POST",
                "/switchover",
                "{\"leader\":\"" + leader.name() + "\",\"candidate\":\"" + candidate.name() + "\"}",
                Duration.ofSeconds(120));
        if (response == null || response.statusCode() != 200) {
            throw new AssertionError("switchover of " + name() + " failed: "
                    + (response == null ? "no answer" : response.statusCode() + " " + response.body()) + "\n"
                    + diagnostics());
        }
        return candidate;
    }

    /** The pid of the leader's walsender to {@code replica}, for stalling replication. */
    long walsenderPid(PatroniMember leader, PatroniMember replica) throws SQLException {
        try (Connection c = leader.connect("postgres");
                var s = c.prepareStatement("SELECT pid FROM pg_stat_replication WHERE application_name = ?")) {
            s.setString(1, replica.name());
            try (var r = s.executeQuery()) {
                if (!r.next()) {
                    throw new AssertionError(replica.name() + " does not stream from " + leader.name());
                }
                return r.getLong(1);
            }
        }
    }

    String diagnostics() {
        String servers = haproxy.servers(name()).stream()
                .map(s -> s.name() + "=" + s.status() + "/" + s.checkStatus())
                .collect(Collectors.joining(", "));
        return "--- " + name() + ": HAProxy " + servers + "\n"
                + members.stream()
                        .map(m -> {
                            JsonNode status = m.isRunning() ? m.status() : null;
                            return m.name() + " running=" + m.isRunning() + " status="
                                    + Objects.toString(status, "none") + "\n" + m.diagnostics();
                        })
                        .collect(Collectors.joining("\n"));
    }

    @Override
    public String toString() {
        return name();
    }
}
