package io.citus.pgvector.ha;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** HTTP to the fixture's own processes on 127.0.0.1 (etcd, HAProxy's stats, Patroni's API), bounded in time. */
final class LocalHttp {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private LocalHttp() {}

    /** The answer, or null when the process does not answer within a few seconds (down, or not up yet). */
    static HttpResponse<String> send(String method, String url, String jsonBody) {
        return send(method, url, jsonBody, Duration.ofSeconds(5));
    }

    /** Like {@link #send(String, String, String)}, waiting up to {@code timeout} for the answer. */
    static HttpResponse<String> send(String method, String url, String jsonBody, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(timeout)
                .method(
                        method,
                        jsonBody == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
