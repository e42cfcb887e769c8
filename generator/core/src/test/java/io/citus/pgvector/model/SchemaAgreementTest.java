package io.citus.pgvector.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.citus.pgvector.chart.Charts;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.testing.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator and Helm (values.schema.json and the chart's own checks) accept and refuse the same values: every leaf
 * of the values tree, one at a time, gets a value of the wrong kind and, for strings, one of 5000 characters, in a
 * values file given to both. The leaves come from the model's defaults, so a new value is covered when it is added.
 */
@DisplayName("the generator and Helm agree on every leaf")
class SchemaAgreementTest {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String LONG = "a".repeat(5000);

    @TempDir
    Path dir;

    /** One case: a leaf's path and the value it gets. */
    private record Case(String path, JsonNode value) {

        /**
         * The values file: the case's leaf, and a fixed superuser password (which a render without a cluster needs)
         * unless the case is about the superuser.
         */
        ObjectNode values() {
            ObjectNode root = JSON.objectNode();
            if (!path.startsWith("superuser.")) {
                root.putObject("superuser").put("password", "not-a-secret");
            }
            ObjectNode node = root;
            String[] keys = path.split("\\.");
            for (int i = 0; i < keys.length - 1; i++) {
                node = node.putObject(keys[i]);
            }
            node.set(keys[keys.length - 1], value);
            return root;
        }

        @Override
        public String toString() {
            String text = value.toString();
            return path + " = " + (text.length() > 40 ? text.substring(0, 40) + "... (" + text.length() + ")" : text);
        }
    }

    /** The cases of every leaf under {@code node} (a record's defaults), which lies at {@code prefix}. */
    private static void cases(JsonNode node, String prefix, List<Case> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String path = prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey();
            JsonNode value = entry.getValue();
            if (value.isObject() && !value.isEmpty() && !isFreeMap(path)) {
                cases(value, path, out);
            } else if (value.isTextual()) {
                out.add(new Case(path, JSON.numberNode(12345)));
                out.add(new Case(path, JSON.textNode(LONG)));
            } else if (value.isIntegralNumber()) {
                out.add(new Case(path, JSON.textNode("abc")));
            } else if (value.isBoolean()) {
                out.add(new Case(path, JSON.textNode("yes")));
            } else if (value.isArray()) {
                out.add(new Case(path, JSON.textNode("x")));
                out.add(new Case(path, JSON.arrayNode().add(LONG)));
            } else if (value.isObject()) {
                out.add(new Case(path, JSON.textNode("x")));
                out.add(new Case(path, JSON.objectNode().put("k", LONG)));
            }
        }
    }

    /** Maps whose keys are the user's (labels, annotations, settings), not the model's. */
    private static boolean isFreeMap(String path) {
        ValueField field = field(path);
        return field != null && (field.kind() == ValueKind.STRING_MAP || field.kind() == ValueKind.OBJECT);
    }

    private static ValueField field(String path) {
        Class<?> type = Values.class;
        ValueField found = null;
        for (String key : path.split("\\.")) {
            if (type == null) {
                return null;
            }
            found = ValueField.of(type).stream()
                    .filter(f -> f.name().equals(key))
                    .findFirst()
                    .orElse(null);
            if (found == null) {
                return null;
            }
            type = found.kind() == ValueKind.RECORD ? found.recordType() : null;
        }
        return found;
    }

    private boolean generatorAccepts(Path file) {
        try {
            ValuesLoader.load(List.of(file));
            return true;
        } catch (InvalidValuesException e) {
            return false;
        }
    }

    private static boolean helmAccepts(Path file) {
        try {
            Charts.renderExactly(ProjectFiles.committedChart(), Map.of(), file);
            return true;
        } catch (HelmException e) {
            return false;
        }
    }

    @Test
    @DisplayName("a wrong-kind or 5000-character value of any leaf: both refuse it, or both take it")
    void sameVerdicts() throws Exception {
        List<Case> cases = new ArrayList<>();
        cases(DefaultValues.tree(Values.class), "", cases);
        assertThat(cases).as("cases").hasSizeGreaterThan(100);
        Map<String, String> disagreements = new LinkedHashMap<>();
        int refusedByBoth = 0;
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            Path file = dir.resolve("case-" + i + ".yaml");
            Files.writeString(file, ValuesLoader.YAML.writeValueAsString(c.values()));
            boolean generator = generatorAccepts(file);
            boolean helm = helmAccepts(file);
            if (generator != helm) {
                disagreements.put(c.toString(), "generator " + verdict(generator) + ", Helm " + verdict(helm));
            } else if (!generator) {
                refusedByBoth++;
            }
        }
        System.out.printf(
                "schema agreement: %d cases, %d refused by both, %d disagreements%n",
                cases.size(), refusedByBoth, disagreements.size());
        assertThat(disagreements)
                .as("cases where the generator and Helm disagree")
                .isEmpty();
        assertThat(refusedByBoth).as("cases refused by both").isGreaterThan(cases.size() / 2);
    }

    private static String verdict(boolean accepts) {
        return accepts ? "accepts" : "refuses";
    }
}
