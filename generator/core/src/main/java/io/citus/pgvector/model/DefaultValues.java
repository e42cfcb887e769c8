package io.citus.pgvector.model;

import io.citus.pgvector.model.Values.Backup;
import io.citus.pgvector.model.Values.Citus;
import io.citus.pgvector.model.Values.Coordinator;
import io.citus.pgvector.model.Values.CredentialsSecret;
import io.citus.pgvector.model.Values.Database;
import io.citus.pgvector.model.Values.HelmTest;
import io.citus.pgvector.model.Values.Image;
import io.citus.pgvector.model.Values.ImageOverride;
import io.citus.pgvector.model.Values.LogicalBackup;
import io.citus.pgvector.model.Values.Operator;
import io.citus.pgvector.model.Values.OperatorConfigMap;
import io.citus.pgvector.model.Values.Postgresql;
import io.citus.pgvector.model.Values.Registrar;
import io.citus.pgvector.model.Values.ResourceList;
import io.citus.pgvector.model.Values.Resources;
import io.citus.pgvector.model.Values.Scaling;
import io.citus.pgvector.model.Values.Scheduling;
import io.citus.pgvector.model.Values.Superuser;
import io.citus.pgvector.model.Values.Vector;
import io.citus.pgvector.model.Values.Volume;
import io.citus.pgvector.model.Values.WalBackup;
import io.citus.pgvector.model.Values.Workers;
import java.util.List;
import java.util.Map;

/**
 * The one place the defaults are written. A values file is merged over them the way Helm merges a user's values over
 * the chart's values.yaml, so a partial file (a profile) only states what it changes.
 */
public final class DefaultValues {

    private DefaultValues() {
    }

    public static Values get() {
        return new Values(
                "",
                "",
                "citus",
                new Operator("2.0"),
                new Image("ghcr.io/citus-pgvector/spilo-citus-pgvector", ""),
                new Postgresql("17", Map.of()),
                new Database("postgres"),
                new Superuser(""),
                new Citus(0, 0),
                new Vector(100, "relaxed_order"),
                new Coordinator(2,
                        new Resources(new ResourceList("1", "2Gi"), new ResourceList("2", "4Gi")),
                        new Volume("10Gi", ""),
                        Map.of(),
                        noScheduling()),
                new Workers(2, 2,
                        new Resources(new ResourceList("2", "4Gi"), new ResourceList("4", "8Gi")),
                        new Volume("50Gi", ""),
                        Map.of(),
                        noScheduling()),
                new Registrar(new ImageOverride("", ""), 30,
                        new Resources(new ResourceList("10m", "32Mi"), new ResourceList("200m", "64Mi"))),
                new Backup(
                        new LogicalBackup(false, "30 0 * * *", ""),
                        new WalBackup(false, "s3", "", "citus-pgvector", "", "", false, "0 1 * * *", 5,
                                new CredentialsSecret("", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "key.json"))),
                new OperatorConfigMap(false, "postgres-operator-citus", "", Map.of()),
                new Scaling(true, 1800, true, "auto", true, new ImageOverride("", ""),
                        new Resources(new ResourceList("10m", "32Mi"), new ResourceList("500m", "128Mi"))),
                new HelmTest(true));
    }

    private static Scheduling noScheduling() {
        return new Scheduling(List.of(), Map.of(), List.of(), "", Map.of());
    }
}
