package io.citus.pgvector.render;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Splits {@code helm template} output into objects, read as Kubernetes reads them. */
public final class Manifests {

    /** As Kubernetes reads YAML: an empty plain scalar is null, a duplicate key is an error. */
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
                    .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    /** A document marker at column 0 ("---", optionally followed by a comment or content) or a document end "...". */
    private static final Pattern SEPARATOR = Pattern.compile("(?m)^(---|\\.\\.\\.)(?=\\s|$)");

    private static final Pattern SOURCE = Pattern.compile("(?m)^#\\s*Source:\\s*(\\S.*?)\\s*$");

    private Manifests() {}

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
                throw new IllegalArgumentException(
                        "invalid YAML in document " + (index + 1) + (source == null ? "" : " (" + source + ")") + ": "
                                + e.getMessage(),
                        e);
            }
            if (node == null || node.isNull() || node.isMissingNode()) {
                continue;
            }
            out.add(new Document(source, ++index, node));
        }
        return out;
    }
}
