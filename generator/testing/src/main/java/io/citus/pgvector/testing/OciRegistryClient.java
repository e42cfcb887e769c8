package io.citus.pgvector.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small java.net.http client for the OCI distribution API, enough to pull back what
 * {@code helm push} stored: manifests, blobs and tags. Every request has a timeout.
 */
public final class OciRegistryClient {

    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";
    public static final String HELM_CHART_CONTENT = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
    public static final String HELM_PROVENANCE = "application/vnd.cncf.helm.chart.provenance.v1.prov";

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final String authorization;
    private final HttpClient http;

    /** An anonymous client for {@code baseUrl}, e.g. {@code http://127.0.0.1:5000}. */
    public OciRegistryClient(String baseUrl) {
        this(baseUrl, null, null);
    }

    /** A client that sends HTTP basic auth on every request (no token service involved). */
    public OciRegistryClient(String baseUrl, String username, String password) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.authorization = username == null
                ? null
                : "Basic "
                        + Base64.getEncoder()
                                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.http = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /** One descriptor of a manifest: config or layer. */
    public record Descriptor(String mediaType, String digest, long size, Map<String, String> annotations) {}

    /**
     * A manifest as the registry served it.
     *
     * @param digest the {@code Docker-Content-Digest} response header
     * @param mediaType the manifest's own media type (from its body, else the Content-Type header)
     * @param config the config descriptor
     * @param layers the layer descriptors, in order
     * @param annotations the manifest annotations (empty if none)
     * @param raw the manifest bytes
     */
    public record Manifest(
            String digest,
            String mediaType,
            Descriptor config,
            List<Descriptor> layers,
            Map<String, String> annotations,
            byte[] raw) {

        public String configMediaType() {
            return config.mediaType();
        }

        public List<String> layerMediaTypes() {
            return layers.stream().map(Descriptor::mediaType).toList();
        }

        public List<String> layerDigests() {
            return layers.stream().map(Descriptor::digest).toList();
        }

        /** The first layer with this media type. */
        public Optional<Descriptor> layer(String layerMediaType) {
            return layers.stream()
                    .filter(l -> layerMediaType.equals(l.mediaType()))
                    .findFirst();
        }

        /** The sha256 of {@link #raw()}, which the registry's digest header must match. */
        public String computedDigest() {
            return sha256(raw);
        }
    }

    /** A failed request: status and body kept for assertions. */
    public static final class RegistryException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        RegistryException(String message, int status) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** {@code GET /v2/}: 200 for an open registry (or with good credentials), 401 otherwise. */
    public int ping() {
        return send(request("/v2/").GET().build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** {@code GET /v2/<repository>/manifests/<reference>}, accepting an OCI image manifest. */
    public Manifest fetchManifest(String repository, String reference) {
        HttpResponse<byte[]> response = send(
                request("/v2/" + repository + "/manifests/" + reference)
                        .header("Accept", OCI_MANIFEST)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        requireOk(response, "manifest " + repository + ":" + reference);
        byte[] raw = response.body();
        String digest = response.headers().firstValue("Docker-Content-Digest").orElse(null);
        JsonNode root;
        try {
            root = JSON.readTree(raw);
        } catch (IOException e) {
            throw new UncheckedIOException("manifest " + repository + ":" + reference + " is not JSON", e);
        }
        String mediaType = root.path("mediaType")
                .asText(response.headers().firstValue("Content-Type").orElse(null));
        List<Descriptor> layers = new ArrayList<>();
        root.path("layers").forEach(layer -> layers.add(descriptor(layer)));
        return new Manifest(
                digest,
                mediaType,
                descriptor(root.path("config")),
                List.copyOf(layers),
                stringMap(root.path("annotations")),
                raw);
    }

    /** {@code GET /v2/<repository>/blobs/<digest>}, checking that the bytes hash to {@code digest}. */
    public byte[] fetchBlob(String repository, String digest) {
        if (!digest.startsWith("sha256:")) {
            throw new IllegalArgumentException("only sha256 digests are supported: " + digest);
        }
        HttpResponse<byte[]> response = send(
                request("/v2/" + repository + "/blobs/" + digest).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        requireOk(response, "blob " + repository + "@" + digest);
        byte[] body = response.body();
        String actual = sha256(body);
        if (!actual.equals(digest)) {
            throw new IllegalStateException("blob " + repository + "@" + digest + " downloaded as " + actual);
        }
        return body;
    }

    /** {@code GET /v2/<repository>/tags/list}; empty if the repository is unknown. */
    public List<String> tags(String repository) {
        HttpResponse<byte[]> response = send(
                request("/v2/" + repository + "/tags/list").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() == 404) {
            return List.of();
        }
        requireOk(response, "tags of " + repository);
        try {
            List<String> tags = new ArrayList<>();
            JSON.readTree(response.body()).path("tags").forEach(t -> tags.add(t.asText()));
            return tags;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code sha256:<hex>} of the given bytes. */
    public static String sha256(byte[] bytes) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(REQUEST_TIMEOUT);
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder;
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + request.method() + " " + request.uri(), e);
        }
    }

    private static void requireOk(HttpResponse<byte[]> response, String what) {
        if (response.statusCode() != 200) {
            String body = new String(response.body(), StandardCharsets.UTF_8);
            throw new RegistryException(
                    "GET " + what + " -> HTTP " + response.statusCode() + ": "
                            + (body.length() > 500 ? body.substring(0, 500) + "..." : body),
                    response.statusCode());
        }
    }

    private static Descriptor descriptor(JsonNode node) {
        return new Descriptor(
                node.path("mediaType").asText(null),
                node.path("digest").asText(null),
                node.path("size").asLong(-1),
                stringMap(node.path("annotations")));
    }

    private static Map<String, String> stringMap(JsonNode node) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        node.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
        return java.util.Collections.unmodifiableMap(map);
    }
}
