package io.citus.pgvector.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.model.InvalidValuesException;
import io.citus.pgvector.model.ValuesLoader;
import io.citus.pgvector.model.ValuesProblem;
import io.citus.pgvector.testing.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every rule of the generator's cross-field checks ({@code CrossChecks}) is a {@code fail} of the chart too, so a
 * {@code --set} at install time gets the generator's sentence: for each rule, a values file breaking it is given to
 * the generator and to Helm, and each of the generator's problems ({@code path: message}) must be in Helm's error.
 * Reserved application role names are left out: values.schema.json refuses them before any template runs (Helm then
 * says only "'not' failed" at the name's path); the chart's fail carries the sentence for renders that skip the schema.
 */
class CrossCheckWordingTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            fullnameOverride too long     | fullnameOverride: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
            18 on operator 1.15           | {operator: {line: "1.15"}, postgresql: {version: "18"}}
            topology spread on 1.15       | {operator: {line: "1.15"}, coordinator: {scheduling: {topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway}]}}, workers: {scheduling: {topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway}]}}}
            patroni ttl                   | {patroni: {ttl: 20, loopWait: 10, retryTimeout: 10}}
            two password sources          | {superuser: {password: x, existingSecret: {name: pg}}}
            a role listed twice           | {applicationRoles: [{name: app}, {name: app}]}
            limits below requests         | {coordinator: {resources: {requests: {cpu: "2", memory: 8Gi}, limits: {cpu: "1", memory: 4Gi}}}, scaling: {resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 50m, memory: 64Mi}}}}
            CA Secret without a key       | {tls: {secretName: cert, caSecretName: ca}}
            CA without a certificate      | {tls: {caFile: ca.crt}}
            cert-manager without issuer   | {tls: {certManager: {enabled: true}}}
            NodePort on 1.15              | {operator: {line: "1.15"}, externalAccess: {enabled: true, type: NodePort}}
            exposing nothing              | {externalAccess: {enabled: true, coordinator: false, pooler: false}}
            pooler exposed without pooler | {externalAccess: {enabled: true, pooler: true}}
            node port on a LoadBalancer   | {externalAccess: {enabled: true, type: LoadBalancer, coordinatorNodePort: 30432}}
            IPv6 range on 1.15            | {operator: {line: "1.15"}, externalAccess: {enabled: true, allowedSourceRanges: ["10.0.0.0/8", "2001:db8::/32"]}}
            WAL without a bucket          | {backup: {wal: {enabled: true}}}
            WAL Secret without keys       | {backup: {wal: {enabled: true, bucket: my-bucket, credentialsSecret: {name: s3, accessKeyIdKey: " ", secretAccessKeyKey: ""}}}}
            all at once                   | {patroni: {ttl: 20}, applicationRoles: [{name: app}, {name: app}], tls: {certManager: {enabled: true}}, externalAccess: {enabled: true, pooler: true}, backup: {wal: {enabled: true}}}
            """)
    @DisplayName("Helm's install-time error carries each of the generator's sentences")
    void sameSentences(String rule, String yaml) throws Exception {
        Path values = Files.writeString(dir.resolve("values.yaml"), yaml + "\n");
        List<String> generator = generatorProblems(values);
        assertThat(generator).as("the generator refuses it").isNotEmpty();
        assertThatThrownBy(() -> Charts.renderExactly(ProjectFiles.committedChart(), Map.of(), values))
                .isInstanceOf(HelmException.class)
                .satisfies(e -> {
                    for (String problem : generator) {
                        assertThat(e.getMessage()).contains(problem);
                    }
                    assertThat(e.getMessage()).contains(generator.size() + " problem(s) with the values:");
                });
    }

    private static List<String> generatorProblems(Path values) {
        try {
            ValuesLoader.load(List.of(values));
            return List.of();
        } catch (InvalidValuesException e) {
            return e.problems().stream().map(ValuesProblem::toString).toList();
        }
    }
}
