package io.citus.pgvector.helm;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.citus.pgvector.Failure;
import io.citus.pgvector.Failure.Kind;
import io.citus.pgvector.model.ValuesLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Values given as {@code helm template} and {@code helm install} take them: values files, then {@code --set-json},
 * {@code --set}, {@code --set-string} and {@code --set-file}, each applied in the order given, in Helm's syntax: dotted
 * keys ({@code a.b=c}, {@code a\.b=c} for a dot in a key), list indexes ({@code a[0].b=c}), lists in braces
 * ({@code a={x,y}}), several assignments in one argument ({@code a=1,b=2}), backslash escapes, and Helm's typing of
 * {@code --set} ({@code true}/{@code false}, {@code null} removes a key, integers without a leading zero; everything
 * else a string). Helm gets the result as one values file, so what the chart sees does not depend on how helm-java
 * passes {@code --set} (it escapes every comma and brace and passes them in no fixed order).
 */
public record ValueOverrides(List<String> json, List<String> set, List<String> string, List<String> file) {

    public static final ValueOverrides NONE = new ValueOverrides(List.of(), List.of(), List.of(), List.of());

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final int MAX_INDEX = 65536;

    public ValueOverrides {
        json = List.copyOf(json);
        set = List.copyOf(set);
        string = List.copyOf(string);
        file = List.copyOf(file);
    }

    /** The values files merged in order (maps deep, anything else replaced), then every override applied. */
    public Map<String, Object> apply(List<Path> valuesFiles) throws Failure {
        Map<String, Object> base = new LinkedHashMap<>();
        for (Path path : valuesFiles) {
            base = mergeMaps(base, readValuesFile(path));
        }
        for (String value : json) {
            String trimmed = value.strip();
            if (trimmed.startsWith("{")) {
                try {
                    base = mergeMaps(base, JSON.readValue(trimmed, new TypeReference<Map<String, Object>>() {}));
                } catch (JsonProcessingException e) {
                    throw invalid("--set-json", value, "not a JSON object: " + e.getOriginalMessage());
                }
            } else {
                new Parser("--set-json", value, base, Typing.JSON).parse();
            }
        }
        for (String value : set) {
            new Parser("--set", value, base, Typing.TYPED).parse();
        }
        for (String value : string) {
            new Parser("--set-string", value, base, Typing.STRING).parse();
        }
        for (String value : file) {
            new Parser("--set-file", value, base, Typing.FILE).parse();
        }
        return base;
    }

    private static Map<String, Object> readValuesFile(Path path) throws Failure {
        if (!Files.isRegularFile(path)) {
            throw new Failure(Kind.INVALID_INPUT, path + ": no such values file");
        }
        try {
            JsonNode tree = ValuesLoader.YAML.readTree(path.toFile());
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                return new LinkedHashMap<>();
            }
            if (!tree.isObject()) {
                throw new Failure(Kind.INVALID_INPUT, path + ": not a YAML map of values");
            }
            return ValuesLoader.YAML.convertValue(tree, new TypeReference<Map<String, Object>>() {});
        } catch (IOException e) {
            throw new Failure(Kind.INVALID_INPUT, path + ": not a YAML map of values: " + e.getMessage(), e);
        }
    }

    /** Helm's merge of two values files: maps merge key by key, any other value of b replaces a's. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> mergeMaps(Map<String, Object> a, Map<String, Object> b) {
        Map<String, Object> out = new LinkedHashMap<>(a);
        b.forEach((key, value) -> {
            if (value instanceof Map<?, ?> bMap && out.get(key) instanceof Map<?, ?> aMap) {
                out.put(key, mergeMaps((Map<String, Object>) aMap, (Map<String, Object>) bMap));
            } else {
                out.put(key, value);
            }
        });
        return out;
    }

    private static Failure invalid(String flag, String argument, String why) {
        return new Failure(Kind.INVALID_INPUT, flag + " " + argument + ": " + why);
    }

    private enum Typing {
        TYPED,
        STRING,
        JSON,
        FILE
    }

    /** One {@code --set}-style argument read into a values tree, as Helm reads it. */
    private static final class Parser {
        private final String flag;
        private final String text;
        private final Map<String, Object> root;
        private final Typing typing;
        private int pos;

        Parser(String flag, String text, Map<String, Object> root, Typing typing) {
            this.flag = flag;
            this.text = text;
            this.root = root;
            this.typing = typing;
        }

        void parse() throws Failure {
            while (pos < text.length()) {
                key(root, 0);
            }
        }

        /** Runs of characters up to one of stop (returned as the last char, or -1 at the end), with escapes. */
        private String until(String stop) {
            StringBuilder out = new StringBuilder();
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (stop.indexOf(c) >= 0) {
                    last = c;
                    return out.toString();
                }
                if (c == '\\' && pos < text.length()) {
                    out.append(text.charAt(pos++));
                } else if (c != '\\') {
                    out.append(c);
                }
            }
            last = -1;
            return out.toString();
        }

        private int last;

        @SuppressWarnings("unchecked")
        private void key(Map<String, Object> data, int depth) throws Failure {
            if (depth > 30) {
                throw fail("keys nest deeper than 30 levels");
            }
            String k = until("=[,.");
            switch (last) {
                case -1 -> throw fail(k.isEmpty() ? "no key" : "key \"" + k + "\" has no value");
                case '[' -> {
                    int index = index();
                    List<Object> list = data.get(k) instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>();
                    put(data, k, listItem(list, index, depth));
                }
                case '=' -> put(data, k, value());
                case ',' -> throw fail("key \"" + k + "\" has no value (cannot end with ,)");
                case '.' -> {
                    Map<String, Object> inner =
                            data.get(k) instanceof Map<?, ?> m ? (Map<String, Object>) m : new LinkedHashMap<>();
                    key(inner, depth + 1);
                    put(data, k, inner);
                }
                default -> throw fail("unexpected " + (char) last);
            }
        }

        private int index() throws Failure {
            String digits = until("]");
            if (last == -1) {
                throw fail("index [" + digits + " is not closed with ]");
            }
            try {
                int i = Integer.parseInt(digits);
                if (i < 0 || i > MAX_INDEX) {
                    throw fail("index " + i + " is outside 0 to " + MAX_INDEX);
                }
                return i;
            } catch (NumberFormatException e) {
                throw fail("index [" + digits + "] is not a number");
            }
        }

        @SuppressWarnings("unchecked")
        private List<Object> listItem(List<Object> list, int index, int depth) throws Failure {
            String rest = until("[.=");
            if (!rest.isEmpty()) {
                throw fail("unexpected \"" + rest + "\" after a list index");
            }
            while (list.size() <= index) {
                list.add(null);
            }
            switch (last) {
                case '=' -> list.set(index, value());
                case '[' -> {
                    int next = index();
                    List<Object> inner = list.get(index) instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>();
                    list.set(index, listItem(inner, next, depth));
                }
                case '.' -> {
                    Map<String, Object> inner =
                            list.get(index) instanceof Map<?, ?> m ? (Map<String, Object>) m : new LinkedHashMap<>();
                    key(inner, depth + 1);
                    list.set(index, inner);
                }
                default -> throw fail("a list index must be followed by =, [ or .");
            }
            return list;
        }

        /** The value after "=", up to the next unescaped comma (or a {list}, or one JSON value for --set-json). */
        private Object value() throws Failure {
            if (typing == Typing.JSON) {
                return jsonValue();
            }
            if (pos < text.length() && text.charAt(pos) == '{') {
                pos++;
                List<Object> list = new ArrayList<>();
                while (true) {
                    String item = until(",}");
                    if (last == -1) {
                        throw fail("list must terminate with '}'");
                    }
                    list.add(typed(item));
                    if (last == '}') {
                        if (pos < text.length() && text.charAt(pos) == ',') {
                            pos++;
                        }
                        return list;
                    }
                }
            }
            return typed(until(","));
        }

        /** One JSON value, then optional spaces and a comma. */
        private Object jsonValue() throws Failure {
            skipSpaces();
            if (pos >= text.length() || text.charAt(pos) == ',') {
                pos = Math.min(pos + 1, text.length());
                return null;
            }
            Object value;
            try (JsonParser parser = JSON.getFactory().createParser(text.substring(pos))) {
                value = JSON.readValue(parser, Object.class);
                pos += (int) parser.currentLocation().getCharOffset();
            } catch (IOException e) {
                throw fail("not JSON: " + e.getMessage().lines().findFirst().orElse(""));
            }
            skipSpaces();
            if (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
            }
            return value;
        }

        private void skipSpaces() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private Object typed(String value) throws Failure {
            return switch (typing) {
                case STRING, JSON -> value;
                case FILE -> readFile(value);
                case TYPED -> typedValue(value);
            };
        }

        private Object readFile(String path) throws Failure {
            try {
                return Files.readString(Path.of(path), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw fail("cannot read " + path + ": " + e);
            }
        }

        private void put(Map<String, Object> data, String key, Object value) {
            if (!key.isEmpty()) {
                data.put(key, value);
            }
        }

        private Failure fail(String why) {
            return invalid(flag, text, why);
        }
    }

    /** Helm's typing of a {@code --set} value. */
    static Object typedValue(String value) {
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        if (value.equalsIgnoreCase("null")) {
            return null;
        }
        if (value.equals("0")) {
            return 0L;
        }
        if (!value.isEmpty() && value.charAt(0) != '0') {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                return value;
            }
        }
        return value;
    }
}
