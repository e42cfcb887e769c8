package io.citus.pgvector.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import io.citus.pgvector.Version;
import io.citus.pgvector.model.ManagedSetting;
import io.citus.pgvector.model.ManagedSetting.Role;
import io.citus.pgvector.model.Values;
import io.citus.pgvector.model.ValuesDocumentation;
import io.citus.pgvector.model.ValuesLoader;
import io.citus.pgvector.model.ValuesSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Expands the chart sources into a chart. The hand-written files (templates, scripts, SQL, {@code .helmignore}) live
 * only in {@code charts/citus-pgvector} and the build packs them into the jar; {@code *.jinja} files are rendered with what is decided at generation time
 * (version, defaults, documentation); Helm templates are copied verbatim, so their {@code {{ }}} stays Helm's.
 */
public final class ChartRenderer {

    public static final String CHART_NAME = "citus-pgvector";
    private static final String JINJA = ".jinja";
    private static final String CHANGES = "changes.yaml";
    private static final String SCHEMA = "values.schema.json";

    private final Jinjava jinjava = new Jinjava(JinjavaConfig.newBuilder()
            .withFailOnUnknownTokens(true)
            .withTrimBlocks(true)
            .withLstripBlocks(true)
            .build());

    /**
     * Files in an existing chart folder that generating into it would lose: hand-written sources (not written by the
     * generator) that differ from the copies this generator carries, or that it does not carry at all. Non-empty means
     * the folder holds edits made after this generator was built.
     */
    public static List<String> unsavedEdits(Path chartDir) throws IOException {
        if (!Files.isDirectory(chartDir)) {
            return List.of();
        }
        SortedMap<String, byte[]> carried = ChartSource.files();
        List<String> edits = new ArrayList<>();
        ChartSource.read(chartDir).forEach((path, content) -> {
            if (isGenerated(path, carried)) {
                return;
            }
            byte[] copy = carried.get(path);
            if (copy == null) {
                edits.add(path + " (not in the generator)");
            } else if (!Arrays.equals(copy, content)) {
                edits.add(path + " (differs from the generator's copy)");
            }
        });
        return edits;
    }

    private static boolean isGenerated(String path, SortedMap<String, byte[]> sources) {
        return path.equals(SCHEMA) || sources.containsKey(path + JINJA);
    }

    /** The chart's files by relative path, in a stable order. */
    public SortedMap<String, byte[]> render(Values values, ChartMetadata metadata) {
        SortedMap<String, byte[]> sources = ChartSource.files();
        Map<String, Object> context = context(values, metadata, sources.get(CHANGES));
        SortedMap<String, byte[]> chart = new TreeMap<>();
        sources.forEach((path, content) -> {
            if (path.equals(CHANGES)) {
                return;
            }
            if (path.endsWith(JINJA)) {
                String text = new String(content, StandardCharsets.UTF_8);
                chart.put(
                        path.substring(0, path.length() - JINJA.length()),
                        renderTemplate(path, text, context).getBytes(StandardCharsets.UTF_8));
            } else {
                chart.put(path, content);
            }
        });
        chart.put(SCHEMA, schema(values));
        return chart;
    }

    private Map<String, Object> context(Values values, ChartMetadata metadata, byte[] changes) {
        Map<String, Object> context = new HashMap<>();
        context.put("version", metadata.version());
        context.put("appVersion", metadata.appVersion());
        context.put("versionBadge", badge(metadata.version()));
        context.put("appVersionBadge", badge(metadata.appVersion()));
        context.put("prerelease", metadata.prerelease());
        String tag = values.image().tag().isEmpty()
                ? metadata.appVersion()
                : values.image().tag();
        context.put("image", values.image().repository() + ":" + tag);
        context.put(
                "exporterImage",
                values.metrics().image().repository() + ":"
                        + values.metrics().image().tag());
        context.put("home", Version.home());
        context.put("signKeyFingerprint", Version.signKeyFingerprint());
        context.put("signKeyUrl", Version.signKeyUrl());
        context.put("entries", ValuesDocumentation.entries(values));
        context.put(
                "settings",
                ManagedSetting.all().stream().map(ChartRenderer::settingRow).toList());
        context.put("changes", changesOf(metadata.version(), changes));
        return context;
    }

    /** One row of the README's table of managed settings, as Markdown cells. */
    private static Map<String, String> settingRow(ManagedSetting setting) {
        String origin = switch (setting.origin()) {
            case POSTGRESQL -> "PostgreSQL";
            case CITUS -> "Citus";
            case PGVECTOR -> "pgvector";
        };
        return Map.of(
                "guc", "`" + setting.guc() + "`",
                "roles",
                        String.join(
                                ", ",
                                setting.roles().stream()
                                        .sorted()
                                        .map(Role::valuesKey)
                                        .toList()),
                "value",
                        (setting.valuesKey().isEmpty() ? "" : "`" + setting.valuesKey() + "`: ") + setting.derivation(),
                "stock",
                        (setting.stockDefault().isEmpty() ? "empty" : "`" + setting.stockDefault() + "`") + " ("
                                + origin + ")");
    }

    private String renderTemplate(String path, String template, Map<String, Object> context) {
        RenderResult result = jinjava.renderForResult(template, context);
        if (!result.getErrors().isEmpty()) {
            String errors =
                    result.getErrors().stream().map(TemplateError::getMessage).collect(Collectors.joining("; "));
            throw new IllegalStateException("chart source " + path + " did not render: " + errors);
        }
        return result.getOutput();
    }

    private static List<Map<String, String>> changesOf(String version, byte[] changes) {
        if (changes == null) {
            return List.of();
        }
        try {
            Map<String, List<Map<String, String>>> byVersion = ValuesLoader.YAML.readValue(
                    changes, new TypeReference<Map<String, List<Map<String, String>>>>() {});
            return byVersion.getOrDefault(version, List.of());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("chart source " + CHANGES + " is not valid: " + e.getMessage(), e);
        }
    }

    /** shields.io badges read '-' as a separator; a literal one is written twice. */
    private static String badge(String text) {
        return text.replace("-", "--");
    }

    private static byte[] schema(Values values) {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        try {
            String json = new ObjectMapper().writer(printer).writeValueAsString(ValuesSchema.of(values));
            return (json + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
