package io.citus.pgvector.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads values files the way Helm does (each merged over the defaults and the files before it), then validates the
 * result strictly and binds it to {@link Values}.
 */
public final class ValuesLoader {

    /** YAML as the generator reads and writes it: duplicate keys are errors, unknown properties fail binding. */
    public static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private ValuesLoader() {}

    /** The defaults, then each file over them in order. */
    public static Values load(List<Path> files) throws InvalidValuesException {
        ObjectNode merged = YAML.valueToTree(DefaultValues.get());
        List<ValuesProblem> unreadable = new ArrayList<>();
        for (Path file : files) {
            try {
                merge(merged, read(file));
            } catch (InvalidValuesException e) {
                unreadable.addAll(e.problems());
            }
        }
        String source = files.isEmpty()
                ? "default values"
                : files.stream().map(Path::toString).collect(Collectors.joining(", "));
        if (!unreadable.isEmpty()) {
            throw new InvalidValuesException(source, unreadable);
        }
        return validate(merged, source);
    }

    /** Validates a values tree (the defaults already merged in) and binds it. */
    public static Values validate(ObjectNode merged, String source) throws InvalidValuesException {
        List<ValuesProblem> problems = new ArrayList<>(TreeValidator.validate(merged));
        if (!problems.isEmpty()) {
            problems.addAll(crossChecksDespite(merged, problems));
            throw new InvalidValuesException(source, problems);
        }
        Values values;
        try {
            values = YAML.treeToValue(merged, Values.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("values passed validation but did not bind: " + e.getOriginalMessage(), e);
        }
        problems.addAll(CrossChecks.of(values));
        if (!problems.isEmpty()) {
            throw new InvalidValuesException(source, problems);
        }
        return values;
    }

    /**
     * The cross-field problems of values that also have single-field ones, so that every problem is reported at once:
     * each wrong value is put back to its default in a copy, the copy is checked, and a cross-field problem is kept only
     * when neither its key nor its message names a value that was put back (a rule reading a replaced value could
     * otherwise report the default, not what the user wrote).
     */
    private static List<ValuesProblem> crossChecksDespite(ObjectNode merged, List<ValuesProblem> problems) {
        ObjectNode defaults = YAML.valueToTree(DefaultValues.get());
        ObjectNode repaired = merged.deepCopy();
        List<String> replaced = new ArrayList<>();
        for (ValuesProblem problem : problems) {
            String path = problem.path();
            int index = path.indexOf('[');
            replaced.add(repair(repaired, defaults, index < 0 ? path : path.substring(0, index)));
        }
        Values values;
        try {
            values = YAML.treeToValue(repaired, Values.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return List.of();
        }
        if (!TreeValidator.validate(repaired).isEmpty()) {
            return List.of();
        }
        return CrossChecks.of(values).stream()
                .filter(cross -> replaced.stream()
                        .noneMatch(key ->
                                cross.path().startsWith(key) || cross.message().contains(key)))
                .toList();
    }

    /** Puts the value at a dotted path back to its default (or removes it when it has none); returns the path used. */
    private static String repair(ObjectNode tree, ObjectNode defaults, String path) {
        String[] keys = path.split("\\.");
        ObjectNode node = tree;
        JsonNode fallback = defaults;
        StringBuilder used = new StringBuilder();
        for (int i = 0; i < keys.length; i++) {
            String key = keys[i];
            used.append(i == 0 ? "" : ".").append(key);
            JsonNode child = node.get(key);
            JsonNode defaultChild = fallback == null ? null : fallback.get(key);
            if (i == keys.length - 1 || !(child instanceof ObjectNode object)) {
                if (defaultChild == null) {
                    node.remove(key);
                } else {
                    node.set(key, defaultChild.deepCopy());
                }
                return used.toString();
            }
            node = object;
            fallback = defaultChild;
        }
        return used.toString();
    }

    private static ObjectNode read(Path file) throws InvalidValuesException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InvalidValuesException(file.toString(), List.of(new ValuesProblem("", file + ": no such file")));
        } catch (IOException e) {
            throw new InvalidValuesException(
                    file.toString(), List.of(new ValuesProblem("", file + ": cannot read: " + e.getMessage())));
        }
        JsonNode node;
        try {
            node = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")";
            throw new InvalidValuesException(
                    file.toString(),
                    List.of(new ValuesProblem(
                            "", file + ": not valid YAML" + where + ": " + firstLine(e.getOriginalMessage()))));
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            return YAML.createObjectNode();
        }
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidValuesException(
                    file.toString(),
                    List.of(new ValuesProblem(
                            "", file + ": must be a mapping of keys to values, got " + TreeValidator.show(node))));
        }
        return object;
    }

    /** Helm's merge: mappings merge key by key; anything else (lists included) replaces. */
    static void merge(ObjectNode target, ObjectNode overlay) {
        for (Iterator<Map.Entry<String, JsonNode>> it = overlay.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode existing = target.get(entry.getKey());
            if (existing instanceof ObjectNode existingObject && entry.getValue() instanceof ObjectNode overlayObject) {
                merge(existingObject, overlayObject);
            } else {
                target.set(entry.getKey(), entry.getValue());
            }
        }
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
