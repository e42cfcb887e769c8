package io.citus.pgvector.validation;

import static io.citus.pgvector.validation.CrdSchemaValidatorTest.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The structural-schema conversion of {@link CrdSchemaValidator}, on a small CRD written here: runs without the fixture. */
class CrdStructuralSemanticsTest {

    private final CrdSchemaValidator crd = CrdSchemaValidator.fromCrd(yaml("""
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: widgets.example.com
            spec:
              group: example.com
              names: {kind: Widget, plural: widgets}
              scope: Namespaced
              versions:
                - name: v1alpha1
                  served: false
                  storage: false
                  schema:
                    openAPIV3Schema: {type: object}
                - name: v1
                  served: true
                  storage: true
                  schema:
                    openAPIV3Schema:
                      type: object
                      properties:
                        spec:
                          type: object
                          required: [port]
                          properties:
                            port:
                              x-kubernetes-int-or-string: true
                              anyOf: [{type: integer}, {type: string}]
                              pattern: '^[a-z]+$'
                            labels:
                              type: object
                              additionalProperties: {type: string}
                            ranges:
                              type: array
                              nullable: true
                              items: {type: string}
                            replicas:
                              type: integer
                              format: int32
                              minimum: 1
                            free:
                              type: object
                              x-kubernetes-preserve-unknown-fields: true
                              properties:
                                known: {type: string}
                            empty:
                              type: object
                            choice:
                              type: object
                              properties:
                                a: {type: string}
                                b: {type: string}
                              oneOf:
                                - required: [a]
                                - required: [b]
            """));

    private List<String> errors(String spec) {
        return crd.validate(yaml("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec:\n" + spec));
    }

    @Test
    void validSpecPasses() {
        assertThat(errors("""
                  port: 8080
                  labels: {a: b}
                  ranges: null
                  replicas: 3
                  free: {known: x, other: {y: 1}}
                  choice: {a: x}
                """)).isEmpty();
        assertThat(errors("  port: http\n")).isEmpty();
    }

    @Test
    void intOrStringChecksTypeAndStringPattern() {
        assertThat(errors("  port: true\n")).singleElement().asString().startsWith("spec.port: ");
        assertThat(errors("  port: HTTP\n"))
                .singleElement()
                .asString()
                .startsWith("spec.port: ")
                .contains("pattern");
    }

    @Test
    void additionalPropertiesMapChecksValues() {
        assertThat(errors("  port: 1\n  labels: {a: 1}\n"))
                .singleElement()
                .asString()
                .startsWith("spec.labels.a: ");
    }

    @Test
    void nullOnlyWhereNullable() {
        assertThat(errors("  port: 1\n  labels: null\n"))
                .singleElement()
                .asString()
                .startsWith("spec.labels: ");
    }

    @Test
    void formatAndMinimumBoundIntegers() {
        assertThat(errors("  port: 1\n  replicas: 0\n"))
                .singleElement()
                .asString()
                .startsWith("spec.replicas: ");
        assertThat(errors("  port: 1\n  replicas: 2147483648\n"))
                .singleElement()
                .asString()
                .startsWith("spec.replicas: ");
    }

    @Test
    void objectWithoutPropertiesPrunesEverything() {
        assertThat(errors("  port: 1\n  empty: {x: 1}\n"))
                .containsExactly("spec.empty.x: unknown field (the API server would prune it)");
    }

    @Test
    void junctorPropertiesDoNotPrune() {
        assertThat(errors("  port: 1\n  choice: {b: x}\n")).isEmpty();
        assertThat(errors("  port: 1\n  choice: {a: x, b: y}\n"))
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e).startsWith("spec.choice"));
    }

    @Test
    void unservedVersionFails() {
        assertThat(crd.validate(
                        yaml("apiVersion: example.com/v1alpha1\nkind: Widget\nmetadata: {name: w}\nspec: {port: 1}\n")))
                .containsExactly("apiVersion: version \"v1alpha1\" is not served (served: [example.com/v1])");
    }

    @Test
    void nameThatIsNoServiceNameFails() {
        assertThat(crd.validate(
                        yaml("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: 1a.b}\nspec: {port: 1}\n")))
                .singleElement()
                .asString()
                .startsWith("metadata.name: ")
                .contains("RFC 1035");
    }
}
