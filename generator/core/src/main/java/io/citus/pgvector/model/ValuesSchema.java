package io.citus.pgvector.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * values.schema.json, derived from the same record types and annotations that validate values in the generator, so
 * {@code helm install --set workers.count=abc} or a misspelled key fails at install time.
 */
public final class ValuesSchema {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ValuesSchema() {}

    /** The schema, with the given values as the documented defaults. */
    public static ObjectNode of(Values defaults) {
        ObjectNode schema = JSON.objectNode();
        schema.put("$schema", "http://json-schema.org/draft-07/schema#");
        schema.put("title", "citus-pgvector values");
        schema.setAll(record(Values.class, ValuesLoader.YAML.valueToTree(defaults)));
        return schema;
    }

    private static ObjectNode record(Class<?> type, JsonNode defaults) {
        return record(type, defaults, false);
    }

    /**
     * A record's schema. Every key is required where Helm merges the chart's defaults in; in a list item
     * ({@code item}), where it does not, only the strings that must not be empty and have no default.
     */
    private static ObjectNode record(Class<?> type, JsonNode defaults, boolean item) {
        ObjectNode node = JSON.objectNode();
        node.put("type", "object");
        node.put("additionalProperties", false);
        ObjectNode properties = node.putObject("properties");
        ArrayNode required = JSON.arrayNode();
        for (ValueField field : ValueField.of(type)) {
            JsonNode fieldDefault = defaults.get(field.name());
            properties.set(
                    field.name(),
                    field.kind() == ValueKind.RECORD && item
                            ? describe(record(field.recordType(), fieldDefault, true), field, fieldDefault)
                            : field(field, fieldDefault));
            boolean mustBeGiven = field.formatted() != null
                    && !field.formatted().optional()
                    && field.component().getAnnotation(Default.class) == null;
            if (!item || mustBeGiven) {
                required.add(field.name());
            }
        }
        node.set("required", required);
        return node;
    }

    private static ObjectNode describe(ObjectNode node, ValueField field, JsonNode defaultValue) {
        node.put("description", field.description());
        node.set("default", defaultValue);
        return node;
    }

    private static ObjectNode field(ValueField field, JsonNode defaultValue) {
        ObjectNode node =
                field.kind() == ValueKind.RECORD ? record(field.recordType(), defaultValue) : JSON.objectNode();
        node.put("description", field.description());
        switch (field.kind()) {
            case STRING -> {
                node.put("type", "string");
                if (field.oneOf() != null) {
                    ArrayNode values = node.putArray("enum");
                    for (String v : field.oneOf().value()) {
                        values.add(v);
                    }
                }
                if (field.formatted() != null) {
                    String regex = field.formatted().value().regex();
                    node.put("pattern", field.formatted().optional() ? "^$|" + regex : regex);
                    if (field.formatted().value().maxLength() > 0) {
                        node.put("maxLength", field.formatted().value().maxLength());
                    }
                    if (field.formatted().value() == Format.ROLE_NAME) {
                        ArrayNode reserved = node.putObject("not").putArray("anyOf");
                        ArrayNode names = reserved.addObject().putArray("enum");
                        Values.ApplicationRole.RESERVED.forEach(names::add);
                        reserved.addObject().put("pattern", "^" + Values.ApplicationRole.RESERVED_PREFIX);
                    }
                }
            }
            case INTEGER -> {
                node.put("type", "integer");
                if (field.range() != null) {
                    node.put("minimum", field.range().min());
                    node.put("maximum", field.range().max());
                }
            }
            case BOOLEAN -> node.put("type", "boolean");
            case RECORD -> {
                return node;
            }
            case STRING_MAP -> {
                node.put("type", "object");
                ArrayNode scalar = node.putObject("additionalProperties").putArray("type");
                scalar.add("string").add("number").add("boolean");
            }
            case OBJECT -> node.put("type", "object");
            case OBJECT_LIST -> {
                node.put("type", "array");
                node.putObject("items").put("type", "object");
            }
            case RECORD_LIST -> {
                node.put("type", "array");
                node.set("items", record(field.recordType(), DefaultValues.tree(field.recordType()), true));
            }
            case STRING_LIST -> {
                node.put("type", "array");
                ObjectNode items = node.putObject("items");
                items.put("type", "string");
                if (field.formatted() != null) {
                    items.put("pattern", field.formatted().value().regex());
                    if (field.formatted().value().maxLength() > 0) {
                        items.put("maxLength", field.formatted().value().maxLength());
                    }
                }
            }
        }
        node.set("default", defaultValue);
        return node;
    }
}
