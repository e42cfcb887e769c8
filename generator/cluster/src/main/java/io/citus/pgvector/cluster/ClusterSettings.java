package io.citus.pgvector.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How settings are read and compared: values as the nodes answer them, SQL literals, JSON objects of settings. */
final class ClusterSettings {

    private static final Pattern MEMORY = Pattern.compile("(\\d+)\\s*(kB|MB|GB|TB)?");

    private ClusterSettings() {}

    /** Compares 1GB and 1024MB as equal, true and on, and enum values case-insensitively. */
    static String normalize(String value) {
        if (value == null) {
            return "";
        }
        switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> {
                return "on";
            }
            case "off", "false", "no" -> {
                return "off";
            }
            default -> {
                // not a boolean
            }
        }
        Matcher m = MEMORY.matcher(value.strip());
        if (m.matches() && m.group(2) != null) {
            long factor = switch (m.group(2)) {
                case "kB" -> 1L;
                case "MB" -> 1024L;
                case "GB" -> 1024L * 1024;
                default -> 1024L * 1024 * 1024;
            };
            return Long.toString(Long.parseLong(m.group(1)) * factor) + "kB";
        }
        return value.strip().toLowerCase(Locale.ROOT);
    }

    static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    /** A JSON object of setting names to values, as {@code json_object_agg} answers. */
    static Map<String, String> parse(String json) throws SQLException {
        try {
            return new LinkedHashMap<>(new ObjectMapper().readValue(json, new TypeReference<Map<String, String>>() {}));
        } catch (JsonProcessingException e) {
            throw new SQLException("unexpected answer, not a JSON object of settings: " + json, e);
        }
    }
}
