package io.citus.pgvector.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values as documented entries, in declaration order: what the values.yaml and README templates iterate over.
 * Entries are plain maps because that is what the template engine reads.
 */
public final class ValuesDocumentation {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ValuesDocumentation() {}

    /**
     * One entry per key, parents before children. Keys: {@code key}, {@code path}, {@code depth}, {@code item}, {@code indent} and {@code childIndent} (the key's and its block's leading spaces),
     * {@code description} (with the allowed values), {@code section} (true for nested records), {@code type},
     * {@code line} (the key and, for scalars and empty containers, its YAML value), {@code block} (lines below the key for non-empty
     * maps and lists), {@code json} (the value as JSON, for tables).
     */
    public static List<Map<String, Object>> entries(Values values) {
        List<Map<String, Object>> entries = new ArrayList<>();
        collect(Values.class, ValuesLoader.YAML.valueToTree(values), "", 0, false, entries);
        return entries;
    }

    /** {@code item}: the keys of a list's items ({@code path} {@code list[].key}), for tables only, not values.yaml. */
    private static void collect(
            Class<?> type, JsonNode tree, String prefix, int depth, boolean item, List<Map<String, Object>> entries) {
        for (ValueField field : ValueField.of(type)) {
            JsonNode value = tree.get(field.name());
            String path = prefix.isEmpty() ? field.name() : prefix + "." + field.name();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("key", field.name());
            entry.put("path", path);
            entry.put("depth", depth);
            entry.put("item", item);
            entry.put("indent", "  ".repeat(depth));
            entry.put("childIndent", "  ".repeat(depth + 1));
            String allowed = field.allowedValues();
            entry.put("description", allowed.isEmpty() ? field.description() : field.description() + " " + allowed);
            boolean section = field.kind() == ValueKind.RECORD;
            entry.put("section", section);
            entry.put("type", typeName(field.kind()));
            String inline = section ? "" : inline(value);
            entry.put("line", inline.isEmpty() ? field.name() + ":" : field.name() + ": " + inline);
            entry.put("block", section ? List.of() : block(value));
            entry.put("json", section ? "" : json(value));
            entries.add(entry);
            if (section) {
                collect(field.recordType(), value, path, depth + 1, item, entries);
            } else if (field.kind() == ValueKind.RECORD_LIST) {
                collect(
                        field.recordType(),
                        DefaultValues.tree(field.recordType()),
                        path + "[]",
                        depth + 1,
                        true,
                        entries);
            }
        }
    }

    private static String typeName(ValueKind kind) {
        return switch (kind) {
            case STRING -> "string";
            case INTEGER -> "int";
            case BOOLEAN -> "bool";
            case RECORD, STRING_MAP, OBJECT -> "object";
            case OBJECT_LIST, STRING_LIST, RECORD_LIST -> "list";
        };
    }

    private static boolean isEmptyContainer(JsonNode value) {
        return value.isContainerNode() && value.isEmpty();
    }

    private static String inline(JsonNode value) {
        if (isEmptyContainer(value)) {
            return value.isArray() ? "[]" : "{}";
        }
        if (value.isContainerNode()) {
            return "";
        }
        if (value.isTextual() && value.textValue().isEmpty()) {
            return "\"\"";
        }
        return yaml(value).strip();
    }

    private static List<String> block(JsonNode value) {
        if (!value.isContainerNode() || isEmptyContainer(value)) {
            return List.of();
        }
        return yaml(value).lines().toList();
    }

    private static String yaml(JsonNode value) {
        try {
            return ValuesLoader.YAML.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String json(JsonNode value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
