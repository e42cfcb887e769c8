package io.citus.pgvector.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.citus.pgvector.render.Manifests;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RenderedManifestsTest {

    private static final String RENDERED = """
            ---
            # Source: citus-pgvector/templates/secret.yaml
            apiVersion: v1
            kind: Secret
            metadata:
              name: citus-creds
            stringData:
              password: s3cret
            ---
            # Source: citus-pgvector/templates/empty.yaml
            # rendered to nothing
            ---

            ---
            # Source: citus-pgvector/templates/coordinator/postgresql.yaml
            apiVersion: acid.zalan.do/v1
            kind: postgresql
            metadata:
              name: citus-coordinator
            spec:
              teamId: citus
              numberOfInstances: 1
              postgresql:
                version: "17"
              volume:
                size: 1Gi
            ---
            # Source: citus-pgvector/templates/tests/smoke.yaml
            apiVersion: v1
            kind: Pod
            metadata:
              name: citus-smoke
              annotations:
                helm.sh/hook: test
            spec:
              restartPolicy: Never
              containers:
                - name: psql
                  image: "postgres:17"
                  args:
                    - |
                      --- not a document marker: indented in a block scalar
            ...
            """;

    @Test
    void splitsSkippingEmptyAndCommentOnlyDocuments() {
        List<Manifests.Document> docs = Manifests.documents(RENDERED);
        assertThat(docs)
                .extracting(Manifests.Document::describe)
                .containsExactly(
                        "Secret/citus-creds (citus-pgvector/templates/secret.yaml)",
                        "postgresql/citus-coordinator (citus-pgvector/templates/coordinator/postgresql.yaml)",
                        "Pod/citus-smoke (citus-pgvector/templates/tests/smoke.yaml)");
        assertThat(docs.get(2).node().at("/spec/containers/0/args/0").asText())
                .isEqualTo("--- not a document marker: indented in a block scalar\n");
        assertThat(Manifests.split(RENDERED)).hasSize(3);
        assertThat(Manifests.split("")).isEmpty();
        assertThat(Manifests.split("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"))
                .hasSize(1);
    }

    @Test
    void duplicateKeysAreAnError() {
        assertThatThrownBy(() -> Manifests.split("---\n# Source: t.yaml\napiVersion: v1\nkind: A\nkind: B\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("t.yaml")
                .hasMessageContaining("kind");
    }

    @Test
    void validOutputHasNoErrors() {
        CrdSchemaValidator crd = crd();
        assertThat(RenderedManifests.validateAll(RENDERED, crd)).isEmpty();
    }

    @Test
    void routesAndPrefixesErrors() {
        CrdSchemaValidator crd = crd();
        String broken = RENDERED.replace("  volume:\n    size: 1Gi", "  volume:\n    size: 8GB")
                .replace("      image: \"postgres:17\"", "      imagee: \"postgres:17\"");
        List<String> errors = RenderedManifests.validateAll(broken, crd);
        assertThat(errors).hasSize(3);
        assertThat(errors.get(0))
                .startsWith(
                        "postgresql/citus-coordinator (citus-pgvector/templates/coordinator/postgresql.yaml): spec.volume.size: ");
        assertThat(errors.subList(1, 3))
                .containsExactlyInAnyOrder(
                        "Pod/citus-smoke (citus-pgvector/templates/tests/smoke.yaml): spec.containers[0].imagee: unknown field (not in V1Container)",
                        "Pod/citus-smoke (citus-pgvector/templates/tests/smoke.yaml): spec.containers[0].image: required field missing (the API server rejects a container without image)");
    }

    @Test
    void withoutCrdCustomResourcesAreUnknownKinds() {
        assertThat(RenderedManifests.validateAll(RENDERED, null))
                .containsExactly(
                        "postgresql/citus-coordinator (citus-pgvector/templates/coordinator/postgresql.yaml): "
                                + "kind: unknown apiVersion/kind acid.zalan.do/v1 postgresql (not a kind the Kubernetes API serves)");
    }

    @Test
    void duplicateObjectsAndBadYamlAreReported() {
        String twice =
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
        assertThat(RenderedManifests.validateAll(twice, null))
                .containsExactly("ConfigMap/a: duplicate object, also rendered as ConfigMap/a");
        assertThat(RenderedManifests.validateAll("a: [1\n", null))
                .singleElement()
                .asString()
                .startsWith("invalid YAML in document 1");
    }

    private static CrdSchemaValidator crd() {
        Optional<Path> file = CrdSchemaValidator.locateCrd("postgresql.crd.yaml");
        assumeTrue(
                file.isPresent(),
                "the Zalando postgresql CRD (shared/fixtures/zalando/postgresql.crd.yaml, or -Dzalando.crd.dir) is not present");
        return CrdSchemaValidator.load(file.get());
    }
}
