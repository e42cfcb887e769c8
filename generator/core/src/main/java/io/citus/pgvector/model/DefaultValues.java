package io.citus.pgvector.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The built-in defaults, read off the {@link Default} annotations beside each field of {@link Values}. A values file
 * is merged over them the way Helm merges a user's values over the chart's values.yaml, so a partial file (a profile)
 * only states what it changes.
 */
public final class DefaultValues {

    private DefaultValues() {}

    public static Values get() {
        try {
            return ValuesLoader.YAML.treeToValue(tree(Values.class), Values.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the built-in defaults do not bind: " + e.getOriginalMessage(), e);
        }
    }

    /** The defaults of a record type as a values tree. */
    static ObjectNode tree(Class<?> recordType) {
        ObjectNode node = ValuesLoader.YAML.createObjectNode();
        for (ValueField field : ValueField.of(recordType)) {
            Default annotation = field.component().getAnnotation(Default.class);
            String where = recordType.getSimpleName() + "." + field.name();
            node.set(
                    field.name(),
                    switch (field.kind()) {
                        case RECORD -> {
                            ObjectNode own = tree(field.recordType());
                            if (annotation != null) {
                                ValuesLoader.merge(own, (ObjectNode) parse(annotation.value(), where));
                            }
                            yield own;
                        }
                        case STRING -> node.textNode(annotation == null ? "" : annotation.value());
                        case INTEGER, BOOLEAN -> {
                            if (annotation == null) {
                                throw new IllegalStateException(where + " has no @Default");
                            }
                            yield parse(annotation.value(), where);
                        }
                        case STRING_MAP, OBJECT ->
                            annotation == null ? node.objectNode() : parse(annotation.value(), where);
                        case OBJECT_LIST, STRING_LIST, RECORD_LIST ->
                            annotation == null ? node.arrayNode() : parse(annotation.value(), where);
                    });
        }
        return node;
    }

    private static JsonNode parse(String yaml, String where) {
        try {
            return ValuesLoader.YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(where + ": @Default is not YAML: " + e.getOriginalMessage(), e);
        }
    }
}
