package io.citus.pgvector.model;

import java.util.ArrayList;
import java.util.List;

/** Rules that involve more than one value; run after every single value is known to be well-formed. */
final class CrossChecks {

    private CrossChecks() {
    }

    static List<ValuesProblem> of(Values v) {
        List<ValuesProblem> problems = new ArrayList<>();
        if (v.fullnameOverride().length() > Values.MAX_FULLNAME_LENGTH) {
            problems.add(new ValuesProblem("fullnameOverride", "must be at most " + Values.MAX_FULLNAME_LENGTH
                    + " characters so the operator's name suffixes fit, got " + v.fullnameOverride().length()));
        }
        limitsCoverRequests(v.coordinator().resources(), "coordinator", problems);
        limitsCoverRequests(v.workers().resources(), "workers", problems);
        limitsCoverRequests(v.registrar().resources(), "registrar", problems);
        limitsCoverRequests(v.scaling().resources(), "scaling", problems);
        Values.WalBackup wal = v.backup().wal();
        if (wal.enabled()) {
            if (wal.bucket().isEmpty()) {
                problems.add(new ValuesProblem("backup.wal.bucket", "must be set when backup.wal.enabled is true"));
            }
            Values.CredentialsSecret secret = wal.credentialsSecret();
            if (!secret.name().isEmpty()) {
                String prefix = "backup.wal.credentialsSecret.";
                if (wal.provider().equals("gcs")) {
                    requireKey(secret, secret.serviceAccountKey(), prefix + "serviceAccountKey", wal, problems);
                } else {
                    requireKey(secret, secret.accessKeyIdKey(), prefix + "accessKeyIdKey", wal, problems);
                    requireKey(secret, secret.secretAccessKeyKey(), prefix + "secretAccessKeyKey", wal, problems);
                }
            }
        }
        return problems;
    }

    private static void requireKey(Values.CredentialsSecret secret, String key, String path, Values.WalBackup wal,
            List<ValuesProblem> problems) {
        if (key.isBlank()) {
            problems.add(new ValuesProblem(path, "must name a key of Secret \"" + secret.name() + "\" for provider "
                    + wal.provider()));
        }
    }

    private static void limitsCoverRequests(Values.Resources resources, String path, List<ValuesProblem> problems) {
        Values.ResourceList requests = resources.requests();
        Values.ResourceList limits = resources.limits();
        if (Quantity.parse(limits.cpu()).compareTo(Quantity.parse(requests.cpu())) < 0) {
            problems.add(new ValuesProblem(path + ".resources.limits.cpu", "must not be below the request "
                    + requests.cpu() + ", got " + limits.cpu()));
        }
        if (Quantity.parse(limits.memory()).compareTo(Quantity.parse(requests.memory())) < 0) {
            problems.add(new ValuesProblem(path + ".resources.limits.memory", "must not be below the request "
                    + requests.memory() + ", got " + limits.memory()));
        }
    }
}
