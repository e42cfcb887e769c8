package io.citus.pgvector.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a merged values tree against the record types, collecting every problem instead of stopping at the first
 * (Jackson alone reports one). Scalars in string maps (PostgreSQL parameters, annotations) are turned into strings in
 * place, since Kubernetes wants strings there and YAML users write {@code max_connections: 200}.
 */
final class TreeValidator {

    private final List<ValuesProblem> problems = new ArrayList<>();

    static List<ValuesProblem> validate(ObjectNode tree) {
        TreeValidator v = new TreeValidator();
        v.record(tree, Values.class, "");
        return v.problems;
    }

    private void record(ObjectNode node, Class<?> type, String path) {
        List<ValueField> fields = ValueField.of(type);
        Set<String> known =
                fields.stream().map(ValueField::name).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                problems.add(new ValuesProblem(join(path, name), unknownKey(name, known)));
            }
        }
        for (ValueField field : fields) {
            JsonNode value = node.get(field.name());
            String fieldPath = join(path, field.name());
            if (value == null || value.isNull()) {
                problems.add(new ValuesProblem(fieldPath, "must not be null (leave the key out to keep the default)"));
            } else {
                value(node, field, value, fieldPath);
            }
        }
    }

    private void value(ObjectNode parent, ValueField field, JsonNode value, String path) {
        switch (field.kind()) {
            case STRING -> {
                if (!value.isTextual()) {
                    problems.add(new ValuesProblem(
                            path, "must be a string, got " + show(value) + (value.isValueNode() ? " (quote it)" : "")));
                } else {
                    string(field, value.textValue(), path);
                }
            }
            case INTEGER -> {
                if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                    problems.add(new ValuesProblem(path, "must be an integer, got " + show(value)));
                } else if (field.range() != null) {
                    long n = value.longValue();
                    if (n < field.range().min()) {
                        problems.add(new ValuesProblem(
                                path, "must be at least " + field.range().min() + ", got " + n));
                    } else if (n > field.range().max()) {
                        problems.add(new ValuesProblem(
                                path, "must be at most " + field.range().max() + ", got " + n));
                    }
                }
            }
            case BOOLEAN -> {
                if (!value.isBoolean()) {
                    problems.add(new ValuesProblem(path, "must be true or false, got " + show(value)));
                }
            }
            case RECORD -> {
                if (value instanceof ObjectNode object) {
                    record(object, field.recordType(), path);
                } else {
                    problems.add(new ValuesProblem(path, "must be a mapping, got " + show(value)));
                }
            }
            case STRING_MAP -> stringMap(value, path);
            case OBJECT -> {
                if (!value.isObject()) {
                    problems.add(new ValuesProblem(path, "must be a mapping, got " + show(value)));
                }
            }
            case OBJECT_LIST -> objectList(value, path);
            case RECORD_LIST -> recordList(field.recordType(), value, path);
            case STRING_LIST -> stringList(field, value, path);
        }
    }

    private void string(ValueField field, String text, String path) {
        if (field.oneOf() != null && !Arrays.asList(field.oneOf().value()).contains(text)) {
            problems.add(new ValuesProblem(
                    path,
                    "must be one of "
                            + Arrays.stream(field.oneOf().value())
                                    .map(v -> "\"" + v + "\"")
                                    .collect(Collectors.joining(", "))
                            + ", got \"" + text + "\""));
        }
        Formatted formatted = field.formatted();
        if (formatted == null) {
            return;
        }
        if (text.isEmpty()) {
            if (!formatted.optional()) {
                problems.add(new ValuesProblem(path, "must not be empty"));
            }
            return;
        }
        Optional<String> wrong = formatted.value().check(text);
        wrong.ifPresent(why -> problems.add(new ValuesProblem(path, why + ", got \"" + text + "\"")));
    }

    private void stringMap(JsonNode value, String path) {
        if (!(value instanceof ObjectNode map)) {
            problems.add(new ValuesProblem(path, "must be a mapping of names to values, got " + show(value)));
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode v = entry.getValue();
            if (v.isValueNode() && !v.isNull()) {
                entry.setValue(TextNode.valueOf(v.asText()));
            } else {
                problems.add(new ValuesProblem(
                        join(path, entry.getKey()), "must be a string, number or boolean, got " + show(v)));
            }
        }
    }

    /** A list of strings; a {@link Formatted} annotation applies to every item. */
    private void stringList(ValueField field, JsonNode value, String path) {
        if (!value.isArray()) {
            problems.add(new ValuesProblem(path, "must be a list, got " + show(value)));
            return;
        }
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            String itemPath = path + "[" + i + "]";
            if (!item.isTextual()) {
                problems.add(new ValuesProblem(itemPath, "must be a string, got " + show(item)));
            } else if (field.formatted() != null) {
                field.formatted()
                        .value()
                        .check(item.textValue())
                        .ifPresent(why ->
                                problems.add(new ValuesProblem(itemPath, why + ", got \"" + item.textValue() + "\"")));
            }
        }
    }

    /** Fills in each item's defaults (Helm does not merge list items), then checks it as a record. */
    private void recordList(Class<?> itemType, JsonNode value, String path) {
        if (!(value instanceof ArrayNode items)) {
            problems.add(new ValuesProblem(path, "must be a list, got " + show(value)));
            return;
        }
        for (int i = 0; i < items.size(); i++) {
            String itemPath = path + "[" + i + "]";
            if (items.get(i) instanceof ObjectNode item) {
                ObjectNode filled = DefaultValues.tree(itemType);
                ValuesLoader.merge(filled, item);
                items.set(i, filled);
                record(filled, itemType, itemPath);
            } else {
                problems.add(new ValuesProblem(itemPath, "must be a mapping, got " + show(items.get(i))));
            }
        }
    }

    private void objectList(JsonNode value, String path) {
        if (!value.isArray()) {
            problems.add(new ValuesProblem(path, "must be a list, got " + show(value)));
            return;
        }
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isObject()) {
                problems.add(new ValuesProblem(path + "[" + i + "]", "must be a mapping, got " + show(value.get(i))));
            }
        }
    }

    private static String unknownKey(String name, Set<String> known) {
        String closest = known.stream()
                .min(Comparator.comparingInt(k -> distance(k, name)))
                .orElse("");
        String hint =
                distance(closest, name) <= Math.max(2, name.length() / 3) ? "did you mean \"" + closest + "\"? " : "";
        return "unknown key; " + hint + "known keys: " + String.join(", ", known);
    }

    /** Levenshtein distance, ignoring case: enough to suggest the key a typo meant. */
    static int distance(String a, String b) {
        String x = a.toLowerCase(java.util.Locale.ROOT);
        String y = b.toLowerCase(java.util.Locale.ROOT);
        int[] prev = new int[y.length() + 1];
        int[] cur = new int[y.length() + 1];
        for (int j = 0; j <= y.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= x.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= y.length(); j++) {
                int cost = x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[y.length()];
    }

    static String show(JsonNode value) {
        if (value.isTextual()) {
            return "\"" + value.textValue() + "\"";
        }
        if (value.isObject()) {
            return "a mapping";
        }
        if (value.isArray()) {
            return "a list";
        }
        return value.toString();
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }
}
