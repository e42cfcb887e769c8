package io.citus.pgvector.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.citus.pgvector.render.Manifests;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrdSchemaValidatorTest {

    private static final String VALID = """
            apiVersion: acid.zalan.do/v1
            kind: postgresql
            metadata:
              name: citus-coordinator
              namespace: db
              labels:
                app.kubernetes.io/name: citus-pgvector
            spec:
              teamId: citus
              numberOfInstances: 2
              postgresql:
                version: "17"
              volume:
                size: 1Gi
            """;

    static JsonNode yaml(String text) {
        List<JsonNode> docs = Manifests.split(text);
        assertThat(docs).hasSize(1);
        return docs.get(0);
    }

    /** The minimal valid resource with one change: {@code set} is a dotted path, e.g. "spec.volume.size". */
    static ObjectNode validWith(String path, Object value) {
        ObjectNode root = (ObjectNode) yaml(VALID);
        String[] parts = path.split("\\.");
        ObjectNode at = root;
        for (int i = 0; i < parts.length - 1; i++) {
            at = at.withObjectProperty(parts[i]);
        }
        String last = parts[parts.length - 1];
        if (value == null) {
            at.remove(last);
        } else if (value instanceof JsonNode n) {
            at.set(last, n);
        } else if (value instanceof Integer n) {
            at.put(last, n);
        } else {
            at.put(last, value.toString());
        }
        return root;
    }

    // Tests against the Zalando operator's real postgresql CRD (v2.0.1), skipped when the fixture is absent.

    private CrdSchemaValidator crd;

    @BeforeAll
    void loadCrd() {
        Optional<Path> file = CrdSchemaValidator.locateCrd("postgresql.crd.yaml");
        assumeTrue(
                file.isPresent(),
                "the Zalando postgresql CRD (shared/fixtures/zalando/postgresql.crd.yaml, or -Dzalando.crd.dir) is not present");
        crd = CrdSchemaValidator.load(file.get());
    }

    private List<String> errors(JsonNode resource) {
        return crd.validate(resource);
    }

    @Test
    void readsGroupAndKind() {
        assertThat(crd.group()).isEqualTo("acid.zalan.do");
        assertThat(crd.kind()).isEqualTo("postgresql");
    }

    @Test
    void minimalValidClusterPasses() {
        assertThat(errors(yaml(VALID))).isEmpty();
    }

    @Test
    void richerValidClusterPasses() {
        JsonNode resource = yaml("""
                apiVersion: acid.zalan.do/v1
                kind: postgresql
                metadata:
                  name: citus-worker-1
                spec:
                  teamId: citus
                  numberOfInstances: 1
                  postgresql:
                    version: "17"
                    parameters:
                      shared_preload_libraries: "citus,vector"
                  volume:
                    size: 10Gi
                    storageClass: standard
                  allowedSourceRanges: null
                  resources:
                    requests: {cpu: 500m, memory: 1Gi}
                    limits: {cpu: "2", memory: 4Gi}
                  patroni:
                    synchronous_mode: true
                  sidecars:
                    - name: exporter
                      image: prometheus/postgres-exporter:v0.15.0
                      ports:
                        - containerPort: 9187
                          protocol: TCP
                      env:
                        - name: DATA_SOURCE_NAME
                          value: "x"
                  additionalVolumes:
                    - name: scratch
                      mountPath: /scratch
                      volumeSource:
                        emptyDir: {}
                """);
        assertThat(errors(resource)).isEmpty();
    }

    @Test
    void unknownTopLevelSpecFieldFails() {
        assertThat(errors(validWith("spec.numberOfInstancez", 2)))
                .containsExactly("spec.numberOfInstancez: unknown field (the API server would prune it)");
    }

    @Test
    void unknownNestedFieldFails() {
        assertThat(errors(validWith("spec.volume.sizee", "1Gi")))
                .containsExactly("spec.volume.sizee: unknown field (the API server would prune it)");
    }

    @Test
    void unknownFieldInListItemFails() {
        JsonNode resource = yaml(VALID + """
                  sidecars:
                    - name: exporter
                      image: exporter:1
                      volumeMounts:
                        - name: data
                          mountPath: /data
                """);
        assertThat(errors(resource))
                .containsExactly("spec.sidecars[0].volumeMounts: unknown field (the API server would prune it)");
    }

    @Test
    void preserveUnknownFieldsKeepsAnything() {
        JsonNode resource = yaml(VALID + """
                  additionalVolumes:
                    - name: scratch
                      mountPath: /scratch
                      volumeSource:
                        anythingGoes: {deeply: [1, 2]}
                      unknownHere: true
                """);
        assertThat(errors(resource))
                .containsExactly(
                        "spec.additionalVolumes[0].unknownHere: unknown field (the API server would prune it)");
    }

    @Test
    void versionOutsideEnumFails() {
        assertThat(errors(validWith("spec.postgresql.version", "12")))
                .singleElement()
                .asString()
                .startsWith("spec.postgresql.version: ")
                .contains("enum")
                .contains("\"12\"");
    }

    @Test
    void stringForIntegerFails() {
        assertThat(errors(validWith("spec.numberOfInstances", "two")))
                .singleElement()
                .asString()
                .startsWith("spec.numberOfInstances: ")
                .contains("integer");
    }

    @Test
    void volumeSizeNotMatchingPatternFails() {
        assertThat(errors(validWith("spec.volume.size", "8GB")))
                .singleElement()
                .asString()
                .startsWith("spec.volume.size: ")
                .contains("pattern")
                .contains("8GB");
    }

    @Test
    void badMemoryQuantityFails() {
        ObjectNode resource = validWith("spec.resources.requests.memory", "1Gib");
        assertThat(errors(resource))
                .singleElement()
                .asString()
                .startsWith("spec.resources.requests.memory: ")
                .contains("pattern");
    }

    @Test
    void missingTeamIdFails() {
        assertThat(errors(validWith("spec.teamId", null))).containsExactly("spec.teamId: required field missing");
    }

    @Test
    void missingSpecFails() {
        ObjectNode resource = (ObjectNode) yaml(VALID);
        resource.remove("spec");
        assertThat(errors(resource)).containsExactly("spec: required field missing");
    }

    @Test
    void nullForNonNullableFieldFails() {
        ObjectNode resource = validWith("spec.teamId", "x");
        ((ObjectNode) resource.get("spec")).putNull("teamId");
        assertThat(errors(resource))
                .singleElement()
                .asString()
                .startsWith("spec.teamId: ")
                .contains("null");
    }

    @Test
    void standbyNeedsOneSourceButNotBothWalPaths() {
        assertThat(errors(validWith("spec.standby", yaml("standby_host: primary.example"))))
                .isEmpty();
        assertThat(errors(validWith("spec.standby", yaml("{}").deepCopy())))
                .contains("spec.standby.standby_host: required field missing (in one alternative of anyOf)");
        assertThat(errors(validWith("spec.standby", yaml("{s3_wal_path: s3://a, gs_wal_path: gs://b}"))))
                .singleElement()
                .asString()
                .startsWith("spec.standby: must not be valid");
    }

    @Test
    void uppercaseNameFails() {
        assertThat(errors(validWith("metadata.name", "Citus-Coordinator")))
                .singleElement()
                .asString()
                .startsWith("metadata.name: ")
                .contains("RFC 1123");
    }

    @Test
    void nameLongerThan63Fails() {
        String name = "c".repeat(64);
        assertThat(errors(validWith("metadata.name", name)))
                .containsExactly("metadata.name: \"" + name
                        + "\" is 64 characters, at most 63 allowed: cluster names become Service names");
    }

    @Test
    void nameAtExactly63Passes() {
        assertThat(errors(validWith("metadata.name", "c".repeat(63)))).isEmpty();
    }

    @Test
    void missingNameFails() {
        assertThat(errors(validWith("metadata.name", null))).containsExactly("metadata.name: required field missing");
    }

    @Test
    void unknownMetadataFieldFails() {
        assertThat(errors(validWith("metadata.lables", "x")))
                .singleElement()
                .asString()
                .startsWith("metadata.lables: unknown field");
    }

    @Test
    void wrongApiVersionFails() {
        assertThat(errors(validWith("apiVersion", "acid.zalan.do/v2")))
                .containsExactly("apiVersion: version \"v2\" is not served (served: [acid.zalan.do/v1])");
        assertThat(errors(validWith("apiVersion", "v1")))
                .singleElement()
                .asString()
                .startsWith("apiVersion: expected group acid.zalan.do");
    }

    @Test
    void wrongKindFails() {
        assertThat(errors(validWith("kind", "Postgresql")))
                .containsExactly("kind: expected \"postgresql\", got \"Postgresql\"");
    }
}
