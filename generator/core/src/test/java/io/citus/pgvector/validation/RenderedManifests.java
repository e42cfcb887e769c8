package io.citus.pgvector.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.render.Manifests;
import io.citus.pgvector.render.Manifests.Document;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Validates each object of {@code helm template} output against the API it is meant for. */
public final class RenderedManifests {

    private RenderedManifests() {}

    /**
     * Validates every object: the CRD's kind (e.g. {@code acid.zalan.do/v1 postgresql}) with {@code crd}, everything
     * else with {@link KubernetesObjectValidator}. Errors are prefixed with kind/name and source template.
     * {@code crd} may be null; custom resources are then reported as unknown kinds.
     */
    public static List<String> validateAll(String yaml, CrdSchemaValidator crd) {
        return validateAgainst(yaml, crd == null ? List.of() : List.of(crd));
    }

    /**
     * Validates every object: custom resources with the CRD validator that handles their kind, everything else with
     * {@link KubernetesObjectValidator}; a custom resource no validator handles is an unknown kind.
     */
    public static List<String> validateAgainst(String yaml, List<CrdSchemaValidator> crds) {
        List<String> errors = new ArrayList<>();
        List<Document> docs;
        try {
            docs = Manifests.documents(yaml);
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
            return errors;
        }
        KubernetesObjectValidator kubernetes = new KubernetesObjectValidator();
        Map<String, String> seen = new HashMap<>();
        for (Document doc : docs) {
            JsonNode node = doc.node();
            List<String> found = crds.stream()
                    .filter(c -> c.handles(node))
                    .findFirst()
                    .map(c -> c.validate(node))
                    .orElseGet(() -> kubernetes.validate(node));
            for (String error : found) {
                errors.add(doc.describe() + ": " + error);
            }
            String identity =
                    node.path("apiVersion").asText() + " " + node.path("kind").asText() + " "
                            + node.path("metadata").path("namespace").asText("") + "/"
                            + node.path("metadata").path("name").asText();
            String previous = seen.putIfAbsent(identity, doc.describe());
            if (previous != null) {
                errors.add(doc.describe() + ": duplicate object, also rendered as " + previous);
            }
        }
        return errors;
    }
}
