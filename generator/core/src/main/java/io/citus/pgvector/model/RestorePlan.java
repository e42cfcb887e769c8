package io.citus.pgvector.model;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which restore point of {@code restore.points} a restore reaches, and the source clusters it needs: the rules the
 * chart's {@code citus-pgvector.restorePoint} helper applies when it renders the clones.
 */
public final class RestorePlan {

    private RestorePlan() {}

    /** The source's cluster names, coordinator first. */
    public static List<String> sourceClusters(Values.RestoreSource source) {
        List<String> names = new ArrayList<>();
        names.add(source.fullname() + "-coordinator");
        for (int i = 1; i <= source.workers(); i++) {
            names.add(source.fullname() + "-worker-" + i);
        }
        return names;
    }

    /** The point's time: its coordinator's recovery target. */
    static Optional<OffsetDateTime> pointTime(Values.RestorePoint point, Values.RestoreSource source) {
        String coordinator = point.nodes().get(source.fullname() + "-coordinator");
        return coordinator == null ? Optional.empty() : Optional.of(parse(coordinator));
    }

    static OffsetDateTime parse(String timestamp) {
        return OffsetDateTime.parse(timestamp.replace('t', 'T'));
    }

    /** Index of the chosen point in {@code restore.points}, or -1 with the problem added. */
    static int choose(Values.Restore restore, List<ValuesProblem> problems) {
        List<Values.RestorePoint> points = restore.points();
        boolean byName = !restore.pointName().isEmpty();
        boolean byTime = !restore.time().isEmpty();
        if (byName == byTime) {
            problems.add(new ValuesProblem(
                    "restore.pointName",
                    "set exactly one of restore.pointName and restore.time, got " + (byName ? "both" : "neither")));
            return -1;
        }
        if (byName) {
            for (int i = 0; i < points.size(); i++) {
                if (points.get(i).name().equals(restore.pointName())) {
                    return i;
                }
            }
            problems.add(new ValuesProblem(
                    "restore.pointName", "names no entry of restore.points, got \"" + restore.pointName() + "\""));
            return -1;
        }
        OffsetDateTime wanted = parse(restore.time());
        int best = -1;
        OffsetDateTime bestTime = null;
        for (int i = 0; i < points.size(); i++) {
            Optional<OffsetDateTime> time = pointTime(points.get(i), restore.source());
            if (time.isPresent()
                    && !time.get().isAfter(wanted)
                    && (bestTime == null || time.get().isAfter(bestTime))) {
                best = i;
                bestTime = time.get();
            }
        }
        if (best < 0) {
            problems.add(new ValuesProblem(
                    "restore.time",
                    "no entry of restore.points was taken at or before it (by its coordinator's target "
                            + restore.source().fullname() + "-coordinator), got \"" + restore.time() + "\""));
        }
        return best;
    }
}
