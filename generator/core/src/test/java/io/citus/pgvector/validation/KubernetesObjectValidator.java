package io.citus.pgvector.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.gson.annotations.SerializedName;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.IntOrString;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiCallback;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodSpec;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks built-in Kubernetes objects against the official Kubernetes Java client's models (io.kubernetes:client-java-api).
 *
 * <p>Why this library: its models are generated from the API server's own OpenAPI document and, unlike fabric8's, keep that
 * document's field lists and required fields ({@code openapiFields}/{@code openapiRequiredFields}) and parse quantities
 * strictly; the apiVersion/kind registry is read from the request paths its API classes build, so nothing here lists fields.
 * Limits: enum values (e.g. a Service port's protocol) are plain strings in the models, so they are not checked.
 */
public final class KubernetesObjectValidator {

    private static final String MODELS_PACKAGE = "io.kubernetes.client.openapi.models";
    private static final String APIS_PACKAGE = "io.kubernetes.client.openapi.apis";

    /** Names of most objects: RFC 1123 subdomain, at most 253 characters. */
    static final Pattern DNS1123_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    /** Container names, namespaces: RFC 1123 label, at most 63 characters. */
    static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    /** Service names: RFC 1035 label, at most 63 characters. */
    static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final Pattern QUALIFIED_NAME_PART = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");

    /** A kind the API server serves: its model class, and whether its objects live in a namespace. */
    record Kind(String apiVersion, String kind, Class<?> modelClass, boolean namespaced) {}

    private static volatile Map<String, Kind> registry;
    private static final Map<Class<?>, ModelInfo> MODEL_INFO = new ConcurrentHashMap<>();

    private record ModelInfo(Set<String> fields, Set<String> required, Map<String, Type> types) {}

    /** Validates one rendered object; returns human-readable errors, each naming the JSON path, empty when valid. */
    public List<String> validate(JsonNode object) {
        List<String> errors = new ArrayList<>();
        if (object == null || !object.isObject()) {
            errors.add("(root): expected an object");
            return errors;
        }
        JsonNode apiVersion = object.get("apiVersion");
        JsonNode kind = object.get("kind");
        if (apiVersion == null || !apiVersion.isTextual() || apiVersion.asText().isEmpty()) {
            errors.add("apiVersion: required field missing");
        }
        if (kind == null || !kind.isTextual() || kind.asText().isEmpty()) {
            errors.add("kind: required field missing");
        }
        if (!errors.isEmpty()) {
            return errors;
        }
        Optional<Kind> resolved = lookup(apiVersion.asText(), kind.asText());
        if (resolved.isEmpty()) {
            errors.add("kind: unknown apiVersion/kind " + apiVersion.asText() + " " + kind.asText()
                    + " (not a kind the Kubernetes API serves)");
            return errors;
        }
        Class<?> type = resolved.get().modelClass();
        walkModel(type, object, "", errors);
        checkObjectName(resolved.get(), object.get("metadata"), errors);
        return errors;
    }

    /** Validates {@code metadata} of any object (also custom resources) as the API server's ObjectMeta. */
    public List<String> validateObjectMeta(JsonNode metadata, String path) {
        List<String> errors = new ArrayList<>();
        if (metadata == null || metadata.isNull()) {
            errors.add(path + ": required field missing");
            return errors;
        }
        walkModel(V1ObjectMeta.class, metadata, path, errors);
        return errors;
    }

    /** The served kind for an apiVersion ("v1", "batch/v1") and kind, if the Kubernetes API has it. */
    public static Optional<Kind> lookup(String apiVersion, String kind) {
        return Optional.ofNullable(registry().get(apiVersion + "/" + kind));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The generic walk over the generated models.

    private void walkModel(Class<?> model, JsonNode node, String path, List<String> errors) {
        if (!node.isObject()) {
            errors.add(label(path) + ": expected an object (" + model.getSimpleName() + "), got " + describe(node));
            return;
        }
        ModelInfo info = info(model);
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String childPath = child(path, e.getKey());
            if (!info.fields().contains(e.getKey())) {
                errors.add(childPath + ": unknown field (not in " + model.getSimpleName() + ")");
                continue;
            }
            Type t = info.types().get(e.getKey());
            if (t != null) {
                walkValue(t, e.getValue(), childPath, errors);
            }
        }
        for (String req : info.required()) {
            JsonNode v = node.get(req);
            if (v == null || v.isNull()) {
                errors.add(child(path, req) + ": required field missing (" + model.getSimpleName() + ")");
            }
        }
        apiServerRules(model, node, path, errors);
    }

    private void walkValue(Type t, JsonNode v, String path, List<String> errors) {
        if (v == null || v.isNull()) {
            return; // JSON null decodes to the zero value; required fields are checked by the caller
        }
        if (t instanceof ParameterizedType pt) {
            Class<?> raw = (Class<?>) pt.getRawType();
            Type[] args = pt.getActualTypeArguments();
            if (List.class.isAssignableFrom(raw) || Collection.class.isAssignableFrom(raw)) {
                if (!v.isArray()) {
                    errors.add(path + ": expected a list, got " + describe(v));
                    return;
                }
                for (int i = 0; i < v.size(); i++) {
                    walkValue(args[0], v.get(i), path + "[" + i + "]", errors);
                }
                return;
            }
            if (Map.class.isAssignableFrom(raw)) {
                if (!v.isObject()) {
                    errors.add(path + ": expected a map, got " + describe(v));
                    return;
                }
                for (Map.Entry<String, JsonNode> e : v.properties()) {
                    JsonNode value = e.getValue();
                    String childPath = child(path, e.getKey());
                    if (value == null || value.isNull()) {
                        // a null map value becomes the zero value: "" for strings, which hides a template mistake
                        errors.add(childPath + ": null value");
                        continue;
                    }
                    walkValue(args[1], value, childPath, errors);
                }
                return;
            }
            return;
        }
        if (!(t instanceof Class<?> c)) {
            return;
        }
        if (c == String.class) {
            if (!v.isTextual()) {
                errors.add(path + ": expected a string, got " + describe(v));
            }
        } else if (c == Integer.class || c == int.class) {
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                errors.add(path + ": expected an integer (int32), got " + describe(v));
            }
        } else if (c == Long.class || c == long.class) {
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                errors.add(path + ": expected an integer (int64), got " + describe(v));
            }
        } else if (c == Double.class || c == Float.class || c == BigDecimal.class || c == double.class) {
            if (!v.isNumber()) {
                errors.add(path + ": expected a number, got " + describe(v));
            }
        } else if (c == Boolean.class || c == boolean.class) {
            if (!v.isBoolean()) {
                errors.add(path + ": expected a boolean, got " + describe(v));
            }
        } else if (c == OffsetDateTime.class) {
            if (!v.isTextual()) {
                errors.add(path + ": expected an RFC 3339 date-time string, got " + describe(v));
            } else {
                try {
                    OffsetDateTime.parse(v.asText());
                } catch (DateTimeParseException ex) {
                    errors.add(path + ": not an RFC 3339 date-time: " + v.asText());
                }
            }
        } else if (c == byte[].class) {
            if (!v.isTextual()) {
                errors.add(path + ": expected a base64 string, got " + describe(v));
            } else {
                try {
                    Base64.getDecoder().decode(v.asText());
                } catch (IllegalArgumentException ex) {
                    errors.add(path + ": not valid base64 (" + ex.getMessage() + ")");
                }
            }
        } else if (c == Quantity.class) {
            if (!v.isTextual() && !v.isNumber()) {
                errors.add(path + ": expected a quantity (string or number), got " + describe(v));
            } else {
                try {
                    Quantity.fromString(v.asText());
                } catch (RuntimeException ex) {
                    errors.add(path + ": invalid quantity \"" + v.asText() + "\""
                            + (ex.getMessage() == null ? "" : " (" + ex.getMessage() + ")"));
                }
            }
        } else if (c == IntOrString.class) {
            if (!(v.isIntegralNumber() && v.canConvertToInt()) && !v.isTextual()) {
                errors.add(path + ": expected an integer or a string, got " + describe(v));
            }
        } else if (c == Object.class) {
            // free-form JSON (RawExtension and the like)
        } else if (c.getPackageName().equals(MODELS_PACKAGE)) {
            walkModel(c, v, path, errors);
        }
    }

    /**
     * Rules the API server's validation enforces beyond the OpenAPI document (which marks neither metadata.name nor a
     * container's image as required): the few that a rendered chart can get wrong.
     */
    private void apiServerRules(Class<?> model, JsonNode node, String path, List<String> errors) {
        if (model == V1Container.class) {
            JsonNode image = node.get("image");
            if (image == null
                    || image.isNull()
                    || (image.isTextual() && image.asText().isBlank())) {
                errors.add(child(path, "image")
                        + ": required field missing (the API server rejects a container without image)");
            }
            JsonNode name = node.get("name");
            if (name != null && name.isTextual()) {
                checkDnsLabel(name.asText(), DNS1123_LABEL, child(path, "name"), "RFC 1123 label", errors);
            }
        } else if (model == V1PodSpec.class) {
            JsonNode containers = node.get("containers");
            if (containers != null && containers.isArray() && containers.isEmpty()) {
                errors.add(child(path, "containers") + ": must have at least one container");
            }
        } else if (model == V1ObjectMeta.class) {
            checkLabels(node.get("labels"), child(path, "labels"), errors);
            checkAnnotationKeys(node.get("annotations"), child(path, "annotations"), errors);
            JsonNode ns = node.get("namespace");
            if (ns != null && ns.isTextual()) {
                checkDnsLabel(ns.asText(), DNS1123_LABEL, child(path, "namespace"), "RFC 1123 label", errors);
            }
        }
    }

    private void checkObjectName(Kind kind, JsonNode metadata, List<String> errors) {
        if (metadata == null || !metadata.isObject()) {
            errors.add("metadata.name: required field missing");
            return;
        }
        JsonNode name = metadata.get("name");
        if (name == null || name.isNull() || (name.isTextual() && name.asText().isEmpty())) {
            errors.add("metadata.name: required field missing");
            return;
        }
        if (!name.isTextual()) {
            return; // type error already reported
        }
        String n = name.asText();
        Class<?> model = kind.modelClass();
        String group = kind.apiVersion().contains("/")
                ? kind.apiVersion().substring(0, kind.apiVersion().indexOf('/'))
                : "";
        if (group.equals("rbac.authorization.k8s.io")) {
            // RBAC objects only need a valid path segment
            if (n.equals(".") || n.equals("..") || n.contains("/") || n.contains("%")) {
                errors.add("metadata.name: \"" + n + "\" may not be '.', '..' or contain '/' or '%'");
            }
        } else if (model.getSimpleName().equals("V1Service")
                || model.getSimpleName().equals("V1Namespace")) {
            checkDnsLabel(
                    n,
                    model.getSimpleName().equals("V1Service") ? DNS1035_LABEL : DNS1123_LABEL,
                    "metadata.name",
                    model.getSimpleName().equals("V1Service") ? "RFC 1035 label" : "RFC 1123 label",
                    errors);
        } else if (n.length() > 253 || !DNS1123_SUBDOMAIN.matcher(n).matches()) {
            errors.add(
                    "metadata.name: \"" + n
                            + "\" is not a valid RFC 1123 subdomain (lower-case alphanumerics, '-' and '.', at most 253 characters)");
        }
    }

    static void checkDnsLabel(String value, Pattern pattern, String path, String what, List<String> errors) {
        if (value.length() > 63 || !pattern.matcher(value).matches()) {
            errors.add(path + ": \"" + value + "\" is not a valid " + what
                    + " (lower-case alphanumerics and '-', at most 63 characters"
                    + (pattern == DNS1035_LABEL ? ", starting with a letter)" : ")"));
        }
    }

    private static void checkLabels(JsonNode labels, String path, List<String> errors) {
        if (labels == null || !labels.isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : labels.properties()) {
            String p = child(path, e.getKey());
            checkQualifiedName(e.getKey(), p, errors);
            JsonNode v = e.getValue();
            if (v != null
                    && v.isTextual()
                    && (v.asText().length() > 63
                            || !LABEL_VALUE.matcher(v.asText()).matches())) {
                errors.add(p + ": invalid label value \"" + v.asText()
                        + "\" (at most 63 characters: alphanumerics, '-', '_', '.', starting and ending alphanumeric)");
            }
        }
    }

    private static void checkAnnotationKeys(JsonNode annotations, String path, List<String> errors) {
        if (annotations == null || !annotations.isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : annotations.properties()) {
            checkQualifiedName(e.getKey(), child(path, e.getKey()), errors);
        }
    }

    private static void checkQualifiedName(String key, String path, List<String> errors) {
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (prefix.isEmpty()
                    || prefix.length() > 253
                    || !DNS1123_SUBDOMAIN.matcher(prefix).matches()) {
                errors.add(path + ": invalid key prefix \"" + prefix + "\" (must be an RFC 1123 subdomain)");
            }
        }
        if (name.isEmpty()
                || name.length() > 63
                || !QUALIFIED_NAME_PART.matcher(name).matches()) {
            errors.add(path + ": invalid key name \"" + name
                    + "\" (at most 63 characters: alphanumerics, '-', '_', '.', starting and ending alphanumeric)");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Model metadata from the generated classes.

    private static ModelInfo info(Class<?> model) {
        return MODEL_INFO.computeIfAbsent(model, KubernetesObjectValidator::readInfo);
    }

    @SuppressWarnings("unchecked")
    private static ModelInfo readInfo(Class<?> model) {
        try {
            Set<String> fields =
                    new TreeSet<>((Set<String>) model.getField("openapiFields").get(null));
            Set<String> required = new TreeSet<>(
                    (Set<String>) model.getField("openapiRequiredFields").get(null));
            Map<String, Type> types = new HashMap<>();
            for (Class<?> c = model; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    SerializedName sn = f.getAnnotation(SerializedName.class);
                    if (sn != null && !Modifier.isStatic(f.getModifiers())) {
                        types.putIfAbsent(sn.value(), f.getGenericType());
                    }
                }
            }
            return new ModelInfo(fields, required, types);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("not a generated Kubernetes model: " + model, e);
        }
    }

    /**
     * apiVersion/kind → model, read from the library itself: every {@code create…(body)} request of every API class is
     * built (never sent) and its URL path gives the group, version and scope of the body's kind.
     */
    private static Map<String, Kind> registry() {
        Map<String, Kind> r = registry;
        if (r == null) {
            synchronized (KubernetesObjectValidator.class) {
                r = registry;
                if (r == null) {
                    r = buildRegistry();
                    registry = r;
                }
            }
        }
        return r;
    }

    private static Map<String, Kind> buildRegistry() {
        Map<String, Kind> r = new HashMap<>();
        ApiClient client = new ApiClient();
        client.setBasePath("http://localhost.invalid"); // requests are only built, never executed
        for (String apiClassName : apiClassNames()) {
            try {
                Class<?> apiClass = Class.forName(apiClassName);
                Object api = apiClass.getConstructor(ApiClient.class).newInstance(client);
                for (Method m : apiClass.getMethods()) {
                    if (!m.getName().startsWith("create")) {
                        continue;
                    }
                    Class<?>[] params = m.getParameterTypes();
                    boolean namespaced = params.length == 2 && params[0] == String.class;
                    boolean cluster = params.length == 1;
                    if (!namespaced && !cluster) {
                        continue; // sub-resources (pods/binding, serviceaccounts/token, ...)
                    }
                    Class<?> body = params[params.length - 1];
                    if (!KubernetesObject.class.isAssignableFrom(body)) {
                        continue;
                    }
                    Object request = namespaced
                            ? m.invoke(api, "ns", body.getConstructor().newInstance())
                            : m.invoke(api, body.getConstructor().newInstance());
                    Object call = request.getClass()
                            .getMethod("buildCall", ApiCallback.class)
                            .invoke(request, (Object) null);
                    String urlPath = ((okhttp3.Call) call).request().url().encodedPath();
                    String apiVersion = apiVersionOf(urlPath);
                    String kind = kindOf(body, apiVersion);
                    if (apiVersion != null && kind != null) {
                        r.putIfAbsent(
                                apiVersion + "/" + kind,
                                new Kind(apiVersion, kind, body, urlPath.contains("/namespaces/")));
                    }
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException("cannot read the Kubernetes kinds from " + apiClassName, e);
            }
        }
        if (r.isEmpty()) {
            throw new IllegalStateException("no Kubernetes kinds found in " + APIS_PACKAGE);
        }
        return Map.copyOf(r);
    }

    /** "/api/v1/namespaces/ns/pods" → "v1"; "/apis/batch/v1/namespaces/ns/jobs" → "batch/v1". */
    private static String apiVersionOf(String urlPath) {
        String[] p = urlPath.split("/");
        if (p.length > 2 && p[1].equals("api")) {
            return p[2];
        }
        if (p.length > 3 && p[1].equals("apis")) {
            return p[2] + "/" + p[3];
        }
        return null;
    }

    /** The kind is the model's simple name less its version prefix (V1Job, V2HorizontalPodAutoscaler, CoreV1Event). */
    private static String kindOf(Class<?> model, String apiVersion) {
        if (apiVersion == null) {
            return null;
        }
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        String name = model.getSimpleName();
        String marker = Character.toUpperCase(version.charAt(0)) + version.substring(1);
        int at = name.indexOf(marker);
        return at < 0 ? null : name.substring(at + marker.length());
    }

    private static List<String> apiClassNames() {
        String dir = APIS_PACKAGE.replace('.', '/') + "/";
        List<String> names = new ArrayList<>();
        try {
            Path location = Path.of(ApiClient.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            if (Files.isDirectory(location)) {
                try (Stream<Path> files = Files.list(location.resolve(dir))) {
                    files.map(f -> f.getFileName().toString()).forEach(f -> addApiClass(names, dir + f));
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    for (Iterator<JarEntry> it = jar.entries().asIterator(); it.hasNext(); ) {
                        addApiClass(names, it.next().getName());
                    }
                }
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot list " + APIS_PACKAGE, e);
        }
        return names;
    }

    private static void addApiClass(List<String> names, String entry) {
        String dir = APIS_PACKAGE.replace('.', '/') + "/";
        if (entry.startsWith(dir)
                && entry.endsWith("Api.class")
                && entry.indexOf('$') < 0
                && entry.substring(dir.length()).indexOf('/') < 0) {
            names.add(entry.substring(0, entry.length() - ".class".length()).replace('/', '.'));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Paths.

    /** Appends a key to a dotted path, bracketing keys that contain dots, slashes or spaces. */
    static String child(String path, String key) {
        boolean plain = key.matches("[A-Za-z0-9_$-]+");
        String seg = plain ? key : "[\"" + key + "\"]";
        if (path.isEmpty()) {
            return seg;
        }
        return plain ? path + "." + seg : path + seg;
    }

    private static String label(String path) {
        return path.isEmpty() ? "(root)" : path;
    }

    static String describe(JsonNode v) {
        if (v.isTextual()) {
            return "string \"" + v.asText() + "\"";
        }
        if (v.isNumber()) {
            return "number " + v.asText();
        }
        if (v.isBoolean()) {
            return "boolean " + v.asText();
        }
        if (v.isArray()) {
            return "a list";
        }
        if (v.isObject()) {
            return "an object";
        }
        return v.getNodeType().toString().toLowerCase();
    }
}
