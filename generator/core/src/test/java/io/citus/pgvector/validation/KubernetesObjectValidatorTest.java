package io.citus.pgvector.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.render.Manifests;
import java.util.List;
import org.junit.jupiter.api.Test;

class KubernetesObjectValidatorTest {

    private final KubernetesObjectValidator validator = new KubernetesObjectValidator();

    private List<String> errors(String yaml) {
        List<JsonNode> docs = Manifests.split(yaml);
        assertThat(docs).hasSize(1);
        return validator.validate(docs.get(0));
    }

    private static final String POD = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: citus-smoke
              labels:
                app.kubernetes.io/name: citus-pgvector
                app.kubernetes.io/version: "0.1.0"
              annotations:
                helm.sh/hook: test
            spec:
              restartPolicy: Never
              containers:
                - name: psql
                  image: postgres:17
                  command: ["psql", "-c", "select 1"]
                  env:
                    - name: PGPASSWORD
                      valueFrom:
                        secretKeyRef: {name: creds, key: password}
                  resources:
                    requests: {cpu: 100m, memory: 64Mi}
                    limits: {memory: 128Mi}
                  ports:
                    - containerPort: 5432
            """;

    @Test
    void validSecretPasses() {
        assertThat(errors("""
                apiVersion: v1
                kind: Secret
                metadata: {name: creds, namespace: db}
                type: Opaque
                data:
                  password: c2VjcmV0
                stringData:
                  user: postgres
                """)).isEmpty();
    }

    @Test
    void validConfigMapPasses() {
        assertThat(errors("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: citus-init}
                data:
                  init.sql: |
                    CREATE EXTENSION citus;
                """)).isEmpty();
    }

    @Test
    void validPodPasses() {
        assertThat(errors(POD)).isEmpty();
    }

    @Test
    void validJobPasses() {
        assertThat(errors("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: register-workers}
                spec:
                  backoffLimit: 3
                  ttlSecondsAfterFinished: 600
                  template:
                    metadata:
                      labels: {job: register}
                    spec:
                      restartPolicy: OnFailure
                      serviceAccountName: citus
                      containers:
                        - name: register
                          image: postgres:17
                          args: ["--host", "citus"]
                """)).isEmpty();
    }

    @Test
    void otherChartKindsPass() {
        assertThat(errors("""
                apiVersion: v1
                kind: Service
                metadata: {name: citus}
                spec:
                  selector: {app: citus}
                  ports:
                    - {name: pg, port: 5432, targetPort: postgres, protocol: TCP}
                """)).isEmpty();
        assertThat(errors("""
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: "citus:register"}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: citus}
                subjects:
                  - {kind: ServiceAccount, name: citus, namespace: db}
                """)).isEmpty();
        assertThat(errors("""
                apiVersion: policy/v1
                kind: PodDisruptionBudget
                metadata: {name: citus}
                spec:
                  maxUnavailable: 1
                  selector: {matchLabels: {app: citus}}
                """)).isEmpty();
        assertThat(errors("""
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: citus}
                spec:
                  podSelector: {matchLabels: {app: citus}}
                  policyTypes: [Ingress]
                  ingress:
                    - ports: [{port: 5432}]
                """)).isEmpty();
        assertThat(errors("""
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: rebalance}
                spec:
                  schedule: "0 3 * * *"
                  jobTemplate:
                    spec:
                      template:
                        spec:
                          restartPolicy: Never
                          containers: [{name: job, image: postgres:17}]
                """)).isEmpty();
    }

    @Test
    void unknownContainerFieldFails() {
        assertThat(errors(POD.replace("      image: postgres:17", "      imagee: postgres:17")))
                .contains("spec.containers[0].imagee: unknown field (not in V1Container)")
                .contains(
                        "spec.containers[0].image: required field missing (the API server rejects a container without image)");
    }

    @Test
    void unknownFieldDeepInsideFails() {
        assertThat(errors(POD.replace(
                        "secretKeyRef: {name: creds, key: password}",
                        "secretKeyRef: {name: creds, key: password, optinal: true}")))
                .containsExactly(
                        "spec.containers[0].env[0].valueFrom.secretKeyRef.optinal: unknown field (not in V1SecretKeySelector)");
    }

    @Test
    void stringForIntegerFails() {
        assertThat(errors("""
                apiVersion: v1
                kind: Service
                metadata: {name: citus}
                spec:
                  ports:
                    - port: "abc"
                """)).containsExactly("spec.ports[0].port: expected an integer (int32), got string \"abc\"");
    }

    @Test
    void quotedNumberForIntegerFails() {
        assertThat(errors(POD.replace("containerPort: 5432", "containerPort: \"5432\"")))
                .containsExactly(
                        "spec.containers[0].ports[0].containerPort: expected an integer (int32), got string \"5432\"");
    }

    @Test
    void numberForStringFails() {
        assertThat(errors("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: c}
                data:
                  port: 5432
                """)).containsExactly("data.port: expected a string, got number 5432");
    }

    @Test
    void invalidQuantityFails() {
        assertThat(errors(POD.replace("limits: {memory: 128Mi}", "limits: {memory: 8GB}")))
                .singleElement()
                .asString()
                .startsWith("spec.containers[0].resources.limits.memory: invalid quantity \"8GB\"");
    }

    @Test
    void invalidBase64InSecretFails() {
        assertThat(errors("""
                apiVersion: v1
                kind: Secret
                metadata: {name: creds}
                data:
                  password: not base64!
                """)).singleElement().asString().startsWith("data.password: not valid base64");
    }

    @Test
    void unknownKindFails() {
        assertThat(errors("apiVersion: v1\nkind: Pood\nmetadata: {name: x}\n"))
                .containsExactly("kind: unknown apiVersion/kind v1 Pood (not a kind the Kubernetes API serves)");
    }

    @Test
    void kindInWrongGroupFails() {
        assertThat(errors("apiVersion: apps/v1\nkind: Job\nmetadata: {name: x}\n"))
                .containsExactly("kind: unknown apiVersion/kind apps/v1 Job (not a kind the Kubernetes API serves)");
        assertThat(errors("apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: x}\n"))
                .singleElement()
                .asString()
                .startsWith("kind: unknown apiVersion/kind");
    }

    @Test
    void registryKnowsGroupsAndScopes() {
        assertThat(KubernetesObjectValidator.lookup("batch/v1", "Job")).hasValueSatisfying(k -> {
            assertThat(k.modelClass().getSimpleName()).isEqualTo("V1Job");
            assertThat(k.namespaced()).isTrue();
        });
        assertThat(KubernetesObjectValidator.lookup("rbac.authorization.k8s.io/v1", "ClusterRole"))
                .hasValueSatisfying(k -> assertThat(k.namespaced()).isFalse());
        assertThat(KubernetesObjectValidator.lookup("v1", "Event")).isPresent();
        assertThat(KubernetesObjectValidator.lookup("events.k8s.io/v1", "Event"))
                .isPresent();
        assertThat(KubernetesObjectValidator.lookup("rbac/v1", "Role")).isEmpty();
    }

    @Test
    void containerWithoutNameFails() {
        assertThat(errors(POD.replace("    - name: psql\n      image: postgres:17", "    - image: postgres:17")))
                .containsExactly("spec.containers[0].name: required field missing (V1Container)");
    }

    @Test
    void jobContainerWithoutImageFails() {
        assertThat(errors("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: j}
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: j}]
                """))
                .containsExactly(
                        "spec.template.spec.containers[0].image: required field missing (the API server rejects a container without image)");
    }

    @Test
    void missingRequiredNestedFieldFails() {
        assertThat(errors("""
                apiVersion: batch/v1
                kind: Job
                metadata: {name: j}
                spec: {}
                """)).containsExactly("spec.template: required field missing (V1JobSpec)");
    }

    @Test
    void emptyContainerListFails() {
        assertThat(errors("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n"))
                .containsExactly("spec.containers: must have at least one container");
    }

    @Test
    void missingNameFails() {
        assertThat(errors("apiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {a: b}}\n"))
                .containsExactly("metadata.name: required field missing");
        assertThat(errors("apiVersion: v1\nkind: ConfigMap\n"))
                .containsExactly("metadata.name: required field missing");
    }

    @Test
    void invalidNamesFail() {
        assertThat(errors("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Citus_Config}\n"))
                .singleElement()
                .asString()
                .startsWith("metadata.name: \"Citus_Config\" is not a valid RFC 1123 subdomain");
        assertThat(errors("apiVersion: v1\nkind: Service\nmetadata: {name: 1citus}\n"))
                .singleElement()
                .asString()
                .startsWith("metadata.name: \"1citus\" is not a valid RFC 1035 label");
        assertThat(errors(POD.replace("name: psql", "name: PSQL")))
                .singleElement()
                .asString()
                .startsWith("spec.containers[0].name: \"PSQL\" is not a valid RFC 1123 label");
    }

    @Test
    void invalidLabelsFail() {
        assertThat(errors(POD.replace(
                        "app.kubernetes.io/version: \"0.1.0\"", "app.kubernetes.io/version: \"0.1.0+build\"")))
                .singleElement()
                .asString()
                .startsWith("metadata.labels[\"app.kubernetes.io/version\"]: invalid label value \"0.1.0+build\"");
        assertThat(errors(POD.replace("app.kubernetes.io/version: \"0.1.0\"", "app.kubernetes.io/version: 0.1")))
                .containsExactly("metadata.labels[\"app.kubernetes.io/version\"]: expected a string, got number 0.1");
        assertThat(errors(POD.replace("app.kubernetes.io/version: \"0.1.0\"", "app.kubernetes.io/version:")))
                .containsExactly("metadata.labels[\"app.kubernetes.io/version\"]: null value");
    }

    @Test
    void wrongShapeFails() {
        assertThat(errors(POD.replace("command: [\"psql\", \"-c\", \"select 1\"]", "command: psql -c 'select 1'")))
                .containsExactly("spec.containers[0].command: expected a list, got string \"psql -c 'select 1'\"");
        assertThat(errors("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: [1]\n"))
                .containsExactly("spec: expected an object (V1PodSpec), got a list");
    }

    @Test
    void missingApiVersionOrKindFails() {
        assertThat(errors("kind: Pod\nmetadata: {name: p}\n")).containsExactly("apiVersion: required field missing");
        assertThat(errors("apiVersion: v1\nmetadata: {name: p}\n")).containsExactly("kind: required field missing");
    }
}
