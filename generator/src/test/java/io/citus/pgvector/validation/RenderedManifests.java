package io.citus.pgvector.validation;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Splits {@code helm template} output into objects and validates each against the API it is meant for. */
public final class RenderedManifests {

    /** As Kubernetes reads YAML: an empty plain scalar is null, a duplicate key is an error. */
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .build()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /** A document marker at column 0 ("---", optionally followed by a comment or content) or a document end "...". */
    private static final Pattern SEPARATOR = Pattern.compile("(?m)^(---|\\.\\.\\.)(?=\\s|$)");
    private static final Pattern SOURCE = Pattern.compile("(?m)^#\\s*Source:\\s*(\\S.*?)\\s*$");

    private RenderedManifests() {}

    /** One rendered object, with the template it came from ({@code # Source:} comment) when Helm wrote one. */
    public record Document(String source, int index, JsonNode node) {
        /** "kind/name" (or "document N" when unnamed), plus the source template when known. */
        public String describe() {
            String kind = node.path("kind").asText("");
            String name = node.path("metadata").path("name").asText("");
            String id = kind.isEmpty() && name.isEmpty() ? "document " + index : kind + "/" + name;
            return source == null ? id : id + " (" + source + ")";
        }
    }

    /** The non-empty documents of a multi-document YAML string, as JSON trees. */
    public static List<JsonNode> split(String yaml) {
        return documents(yaml).stream().map(Document::node).toList();
    }

    /**
     * The non-empty documents, each with its {@code # Source:} path. Empty and comment-only documents are skipped.
     * Duplicate keys are an error (the chart would depend on which one a YAML reader keeps).
     *
     * @throws IllegalArgumentException when a document is not valid YAML, naming the document
     */
    public static List<Document> documents(String yaml) {
        List<Document> out = new ArrayList<>();
        String[] chunks = SEPARATOR.split(yaml, -1);
        int index = 0;
        for (String chunk : chunks) {
            Matcher m = SOURCE.matcher(chunk);
            String source = m.find() ? m.group(1) : null;
            if (chunk.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                continue;
            }
            JsonNode node;
            try {
                node = YAML.readTree(chunk);
            } catch (IOException e) {
                throw new IllegalArgumentException("invalid YAML in document " + (index + 1)
                        + (source == null ? "" : " (" + source + ")") + ": " + e.getMessage(), e);
            }
            if (node == null || node.isNull() || node.isMissingNode()) {
                continue;
            }
            out.add(new Document(source, ++index, node));
        }
        return out;
    }

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
            docs = documents(yaml);
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
            return errors;
        }
        KubernetesObjectValidator kubernetes = new KubernetesObjectValidator();
        Map<String, String> seen = new HashMap<>();
        for (Document doc : docs) {
            JsonNode node = doc.node();
            List<String> found = crds.stream().filter(c -> c.handles(node)).findFirst()
                    .map(c -> c.validate(node)).orElseGet(() -> kubernetes.validate(node));
            for (String error : found) {
                errors.add(doc.describe() + ": " + error);
            }
            String identity = node.path("apiVersion").asText() + " " + node.path("kind").asText() + " "
                    + node.path("metadata").path("namespace").asText("") + "/" + node.path("metadata").path("name").asText();
            String previous = seen.putIfAbsent(identity, doc.describe());
            if (previous != null) {
                errors.add(doc.describe() + ": duplicate object, also rendered as " + previous);
            }
        }
        return errors;
    }
}
