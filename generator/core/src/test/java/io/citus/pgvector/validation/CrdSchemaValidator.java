package io.citus.pgvector.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.citus.pgvector.render.Manifests;
import io.citus.pgvector.testing.ProjectFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Validates custom resources against a CustomResourceDefinition the way the API server does: the served version's
 * {@code openAPIV3Schema}, read with structural-schema semantics (pruning of unknown fields, int-or-string, nullable,
 * preserve-unknown-fields), is turned into a JSON Schema (draft 7) and checked with networknt's json-schema-validator;
 * {@code metadata} is checked as the built-in ObjectMeta by {@link KubernetesObjectValidator}.
 */
public final class CrdSchemaValidator {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String CLUSTER_NAME_RULE = "cluster names become Service names";

    private final String group;
    private final String kind;
    private final Map<String, JsonSchema> schemasByVersion;
    private final Set<String> servedVersions;
    private final KubernetesObjectValidator metadataValidator = new KubernetesObjectValidator();

    private CrdSchemaValidator(String group, String kind, Map<String, JsonSchema> schemasByVersion) {
        this.group = group;
        this.kind = kind;
        this.schemasByVersion = schemasByVersion;
        this.servedVersions = new TreeSet<>(schemasByVersion.keySet());
    }

    /** Reads a CRD file (YAML or JSON; the first document that is a CustomResourceDefinition). */
    public static CrdSchemaValidator load(Path crdFile) {
        JsonNode crd;
        try {
            crd = Manifests.split(Files.readString(crdFile)).stream()
                    .filter(d ->
                            "CustomResourceDefinition".equals(d.path("kind").asText()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no CustomResourceDefinition in " + crdFile));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + crdFile, e);
        }
        return fromCrd(crd);
    }

    /** Builds a validator from a parsed CustomResourceDefinition (apiextensions.k8s.io/v1). */
    public static CrdSchemaValidator fromCrd(JsonNode crd) {
        if (!"apiextensions.k8s.io/v1".equals(crd.path("apiVersion").asText())) {
            throw new IllegalArgumentException("only apiextensions.k8s.io/v1 CRDs are supported, got "
                    + crd.path("apiVersion").asText());
        }
        JsonNode spec = crd.path("spec");
        String group = spec.path("group").asText();
        String kind = spec.path("names").path("kind").asText();
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .pathType(PathType.JSON_POINTER)
                .formatAssertionsEnabled(true)
                .build();
        Map<String, JsonSchema> schemas = new LinkedHashMap<>();
        for (JsonNode version : spec.path("versions")) {
            if (!version.path("served").asBoolean(false)) {
                continue;
            }
            JsonNode openApi = version.path("schema").path("openAPIV3Schema");
            if (openApi.isMissingNode()) {
                throw new IllegalArgumentException(
                        "version " + version.path("name").asText() + " has no openAPIV3Schema");
            }
            ObjectNode jsonSchema = toJsonSchema(openApi, false);
            // apiVersion, kind and metadata are the API server's, whatever the CRD says about them
            ObjectNode props = jsonSchema.withObjectProperty("properties");
            props.set("apiVersion", F.objectNode().put("type", "string"));
            props.set("kind", F.objectNode().put("type", "string"));
            props.set("metadata", F.objectNode().put("type", "object"));
            jsonSchema.put("$schema", "http://json-schema.org/draft-07/schema#");
            schemas.put(version.path("name").asText(), factory.getSchema(jsonSchema, config));
        }
        if (schemas.isEmpty()) {
            throw new IllegalArgumentException("CRD " + group + "/" + kind + " serves no version");
        }
        return new CrdSchemaValidator(group, kind, schemas);
    }

    /** The kind this CRD defines, e.g. {@code postgresql}. */
    public String kind() {
        return kind;
    }

    /** The CRD's API group, e.g. {@code acid.zalan.do}. */
    public String group() {
        return group;
    }

    /** True when {@code apiVersion}/{@code kind} name this CRD's group and kind (any version). */
    public boolean handles(JsonNode resource) {
        String apiVersion = resource.path("apiVersion").asText();
        return kind.equals(resource.path("kind").asText()) && apiVersion.startsWith(group + "/");
    }

    /** Returns human-readable errors, each starting with the JSON path; empty when the API server would accept it as is. */
    public List<String> validate(JsonNode resource) {
        List<String> errors = new ArrayList<>();
        if (resource == null || !resource.isObject()) {
            errors.add("(root): expected an object");
            return errors;
        }
        String apiVersion = resource.path("apiVersion").asText("");
        String actualKind = resource.path("kind").asText("");
        if (!kind.equals(actualKind)) {
            errors.add("kind: expected \"" + kind + "\", got \"" + actualKind + "\"");
        }
        JsonSchema schema = null;
        if (!apiVersion.startsWith(group + "/")) {
            errors.add("apiVersion: expected group " + group + " (one of " + apiVersions() + "), got \"" + apiVersion
                    + "\"");
        } else {
            String version = apiVersion.substring(group.length() + 1);
            schema = schemasByVersion.get(version);
            if (schema == null) {
                errors.add("apiVersion: version \"" + version + "\" is not served (served: " + apiVersions() + ")");
            }
        }
        if (schema == null) {
            schema = schemasByVersion.values().iterator().next();
        }
        Set<String> schemaErrors = new TreeSet<>();
        for (ValidationMessage m : schema.validate(resource)) {
            schemaErrors.add(format(m));
        }
        errors.addAll(schemaErrors);
        JsonNode metadata = resource.get("metadata");
        if (metadata != null && metadata.isObject()) {
            errors.addAll(metadataValidator.validateObjectMeta(metadata, "metadata"));
            checkName(metadata.get("name"), errors);
        } else if (metadata == null || metadata.isNull()) {
            if (schemaErrors.stream().noneMatch(e -> e.startsWith("metadata"))) {
                errors.add("metadata: required field missing");
            }
        }
        return errors;
    }

    private List<String> apiVersions() {
        return servedVersions.stream().map(v -> group + "/" + v).toList();
    }

    /** The object name: an RFC 1123 subdomain for the API server, and at most 63 characters because Services take it. */
    private static void checkName(JsonNode name, List<String> errors) {
        if (name == null || name.isNull() || (name.isTextual() && name.asText().isEmpty())) {
            errors.add("metadata.name: required field missing");
            return;
        }
        if (!name.isTextual()) {
            return; // reported by the ObjectMeta check
        }
        String n = name.asText();
        if (!KubernetesObjectValidator.DNS1123_SUBDOMAIN.matcher(n).matches()) {
            errors.add("metadata.name: \"" + n
                    + "\" is not a valid RFC 1123 subdomain (lower-case alphanumerics, '-' and '.')");
        } else if (!KubernetesObjectValidator.DNS1035_LABEL.matcher(n).matches()) {
            errors.add("metadata.name: \"" + n + "\" must be an RFC 1035 label (start with a letter, no '.'): "
                    + CLUSTER_NAME_RULE);
        }
        if (n.length() > 63) {
            errors.add("metadata.name: \"" + n + "\" is " + n.length() + " characters, at most 63 allowed: "
                    + CLUSTER_NAME_RULE);
        }
    }

    private static String format(ValidationMessage m) {
        String evaluation =
                m.getEvaluationPath() == null ? "" : m.getEvaluationPath().toString();
        String alternative = evaluation.matches(".*/(anyOf|oneOf)/\\d+/.*")
                ? " (in one alternative of " + (evaluation.contains("/anyOf/") ? "anyOf" : "oneOf") + ")"
                : "";
        return formatPlain(m) + alternative;
    }

    private static String formatPlain(ValidationMessage m) {
        String path = dotted(m.getInstanceLocation());
        String type = m.getType();
        String property = m.getProperty();
        if ("additionalProperties".equals(type) && property != null) {
            return KubernetesObjectValidator.child(path, property) + ": unknown field (the API server would prune it)";
        }
        if ("required".equals(type) && property != null) {
            return KubernetesObjectValidator.child(path, property) + ": required field missing";
        }
        String message = m.getMessage();
        // networknt prefixes the message with the instance location; drop it, the dotted path says it
        String location =
                m.getInstanceLocation() == null ? "" : m.getInstanceLocation().toString();
        if (!location.isEmpty() && message.startsWith(location)) {
            message = message.substring(location.length()).replaceFirst("^:\\s*", "");
        }
        JsonNode value = m.getInstanceNode();
        String got = value == null || value.isContainerNode() ? "" : " (value: " + value + ")";
        return (path.isEmpty() ? "(root)" : path) + ": " + message + got;
    }

    /** "/spec/sidecars/0/name" as {@code spec.sidecars[0].name}. */
    private static String dotted(JsonNodePath location) {
        if (location == null) {
            return "";
        }
        String path = "";
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            if (element instanceof Integer index) {
                path = path + "[" + index + "]";
            } else {
                path = KubernetesObjectValidator.child(path, String.valueOf(element));
            }
        }
        return path;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // openAPIV3Schema (structural) → JSON Schema draft 7.

    /**
     * Converts one schema node. {@code inJunctor} marks schemas under allOf/anyOf/oneOf/not: there, as in Kubernetes,
     * properties only validate values and do not decide what is pruned, so no {@code additionalProperties: false}.
     */
    static ObjectNode toJsonSchema(JsonNode s, boolean inJunctor) {
        ObjectNode out = F.objectNode();
        boolean intOrString = s.path("x-kubernetes-int-or-string").asBoolean(false);
        boolean preserveUnknown = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        boolean embedded = s.path("x-kubernetes-embedded-resource").asBoolean(false);
        boolean nullable = s.path("nullable").asBoolean(false);
        String type = s.path("type").asText("");

        for (Map.Entry<String, JsonNode> e : s.properties()) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            switch (key) {
                case "type", "nullable", "format", "description", "example", "externalDocs", "default", "anyOf" -> {
                    // handled below (anyOf too, as int-or-string replaces it), or documentation only
                }
                case "properties" -> {
                    ObjectNode props = out.putObject("properties");
                    v.properties().forEach(p -> props.set(p.getKey(), toJsonSchema(p.getValue(), inJunctor)));
                }
                case "additionalProperties" ->
                    out.set("additionalProperties", v.isBoolean() ? v : toJsonSchema(v, inJunctor));
                case "items" -> out.set("items", v.isArray() ? convertAll(v, inJunctor) : toJsonSchema(v, inJunctor));
                case "allOf", "oneOf" -> out.set(key, convertAll(v, true));
                case "not" -> out.set("not", toJsonSchema(v, true));
                case "exclusiveMinimum", "exclusiveMaximum" -> {
                    // OpenAPI v3.0 booleans; draft 7 wants the bound itself
                    if (v.asBoolean(false)) {
                        String bound = key.equals("exclusiveMinimum") ? "minimum" : "maximum";
                        out.set(key, s.get(bound));
                    }
                }
                case "minimum", "maximum" -> {
                    String exclusive = key.equals("minimum") ? "exclusiveMinimum" : "exclusiveMaximum";
                    if (!s.path(exclusive).asBoolean(false)) {
                        out.set(key, v);
                    }
                }
                case "enum",
                        "pattern",
                        "required",
                        "minItems",
                        "maxItems",
                        "minLength",
                        "maxLength",
                        "uniqueItems",
                        "minProperties",
                        "maxProperties",
                        "multipleOf" -> out.set(key, v);
                default -> {
                    // x-kubernetes-* markers (list types, map types, CEL rules) are not checked here
                }
            }
        }
        if (s.has("anyOf") && !intOrString) {
            out.set("anyOf", convertAll(s.get("anyOf"), true));
        }

        // types: int-or-string and nullable as type arrays
        ArrayNode types = F.arrayNode();
        if (intOrString) {
            types.add("integer").add("string");
        } else if (!type.isEmpty()) {
            types.add(type);
        }
        if (nullable && !types.isEmpty()) {
            types.add("null");
        }
        if (types.size() == 1) {
            out.put("type", types.get(0).asText());
        } else if (types.size() > 1) {
            out.set("type", types);
        }
        addFormat(out, s.path("format").asText(""));

        // pruning: an object keeps only the fields its schema declares, unless it preserves unknown fields
        if (!inJunctor && "object".equals(type) && !preserveUnknown && !s.has("additionalProperties")) {
            if (embedded) {
                ObjectNode props = out.withObjectProperty("properties");
                props.putIfAbsent("apiVersion", F.objectNode().put("type", "string"));
                props.putIfAbsent("kind", F.objectNode().put("type", "string"));
                props.putIfAbsent("metadata", F.objectNode().put("type", "object"));
            }
            out.put("additionalProperties", false);
        }
        return out;
    }

    private static ArrayNode convertAll(JsonNode list, boolean inJunctor) {
        ArrayNode out = F.arrayNode();
        list.forEach(n -> out.add(toJsonSchema(n, inJunctor)));
        return out;
    }

    /** Kubernetes formats: int32/int64 as bounds; the ones draft 7 knows kept; uuid as a pattern; others dropped. */
    private static void addFormat(ObjectNode out, String format) {
        switch (format) {
            case "int32" -> {
                out.put("minimum", Math.max(out.path("minimum").asLong(Integer.MIN_VALUE), Integer.MIN_VALUE));
                out.put("maximum", Math.min(out.path("maximum").asLong(Integer.MAX_VALUE), Integer.MAX_VALUE));
            }
            case "int64" -> {
                out.put("minimum", Math.max(out.path("minimum").asLong(Long.MIN_VALUE), Long.MIN_VALUE));
                out.put("maximum", Math.min(out.path("maximum").asLong(Long.MAX_VALUE), Long.MAX_VALUE));
            }
            case "uuid" -> {
                if (!out.has("pattern")) {
                    out.put("pattern", "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
                }
            }
            case "date-time", "email", "hostname", "ipv4", "ipv6", "uri", "date" -> out.put("format", format);
            default -> {
                // byte, password, etc.: no check
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Finding the CRD.

    /**
     * Finds an upstream CRD file: system property {@code zalando.crd.dir} first, then {@code ../shared/fixtures/zalando}
     * beside the project root (system property {@code project.root}, else the nearest parent with a {@code mvnw}).
     */
    public static Optional<Path> locateCrd(String fileName) {
        return locateFixtureCrd("zalando.crd.dir", "zalando", fileName);
    }

    /**
     * Finds the CRD file of another project (Prometheus Operator, cert-manager): the folder of system property
     * {@code property} first, then {@code ../shared/fixtures/<folder>} beside the project root.
     */
    public static Optional<Path> locateFixtureCrd(String property, String folder, String fileName) {
        String dir = System.getProperty(property);
        if (dir != null && !dir.isBlank()) {
            Path p = Path.of(dir).resolve(fileName);
            if (Files.isRegularFile(p)) {
                return Optional.of(p.normalize());
            }
        }
        Path p = ProjectFiles.root()
                .resolve("../shared/fixtures")
                .resolve(folder)
                .resolve(fileName)
                .normalize();
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }
}
