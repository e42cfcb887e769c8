package io.citus.pgvector.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@link ClusterVerifier} found: one entry per check, healthy when none failed. */
public record VerifyReport(String target, List<Check> checks) {

    public enum Status {
        OK,
        WARN,
        FAIL
    }

    /** One check: a one-line summary and, when something is wrong, one line per problem. */
    public record Check(String name, Status status, String summary, List<String> details) {
        public Check {
            details = List.copyOf(details);
        }
    }

    public VerifyReport {
        checks = List.copyOf(checks);
    }

    public boolean healthy() {
        return checks.stream().noneMatch(c -> c.status() == Status.FAIL);
    }

    public long failed() {
        return checks.stream().filter(c -> c.status() == Status.FAIL).count();
    }

    /** The report for a terminal. */
    public String toText() {
        StringBuilder text = new StringBuilder("verify " + target + "\n");
        int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(0);
        for (Check check : checks) {
            text.append(String.format("%-4s  %-" + width + "s  %s%n", check.status(), check.name(), check.summary()));
            for (String detail : check.details()) {
                text.append(" ".repeat(width + 8)).append("- ").append(detail).append('\n');
            }
        }
        text.append(
                        healthy()
                                ? "healthy: " + checks.size() + " checks passed"
                                : "unhealthy: " + failed() + " of " + checks.size() + " checks failed")
                .append('\n');
        return text.toString();
    }

    /** The report as JSON: target, healthy, and the checks with lower-case statuses. */
    public String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("target", target);
        json.put("healthy", healthy());
        json.put(
                "checks",
                checks.stream()
                        .map(c -> {
                            Map<String, Object> check = new LinkedHashMap<>();
                            check.put("name", c.name());
                            check.put("status", c.status().name().toLowerCase(java.util.Locale.ROOT));
                            check.put("summary", c.summary());
                            check.put("details", c.details());
                            return check;
                        })
                        .toList());
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
