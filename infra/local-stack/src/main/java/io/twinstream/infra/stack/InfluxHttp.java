package io.twinstream.infra.stack;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * The few InfluxDB 1.x HTTP calls the stack itself needs (health, database creation, a query),
 * done with the JDK's client so the library does not force an InfluxDB client on its users.
 */
public final class InfluxHttp {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Clients for https servers whose certificate the JDK's default trust store does not know. */
    private static final Map<String, HttpClient> TRUSTING = new ConcurrentHashMap<>();

    private InfluxHttp() {}

    /**
     * From now on, calls to {@code baseUrl} trust what {@code context} trusts (a local influxd whose
     * certificate a private authority signed).
     */
    public static void trust(String baseUrl, SSLContext context) {
        TRUSTING.put(
                baseUrl,
                HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(2))
                        .sslContext(context)
                        .build());
    }

    private static HttpClient client(String baseUrl) {
        return TRUSTING.getOrDefault(baseUrl, CLIENT);
    }

    /** True if {@code GET /ping} answers 204 within {@code timeout}; false if nothing answers. */
    public static boolean ping(String baseUrl, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/ping"))
                .timeout(timeout)
                .GET()
                .build();
        try {
            return client(baseUrl)
                            .send(request, HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 204;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public static void createDatabase(String baseUrl, String database) {
        createDatabase(baseUrl, null, null, database);
    }

    /** With a login ({@code username} null: none). */
    public static void createDatabase(String baseUrl, String username, String password, String database) {
        if (database.isBlank() || database.contains("\"") || database.contains("\n")) {
            throw new IllegalArgumentException("not a usable InfluxDB database name: '" + database + "'");
        }
        post(baseUrl, username, password, "/query", "q=" + encode("CREATE DATABASE \"" + database + "\""));
    }

    public static String query(String baseUrl, String database, String influxQl) {
        return query(baseUrl, null, null, database, influxQl);
    }

    /** With a login ({@code username} null: none). */
    public static String query(String baseUrl, String username, String password, String database, String influxQl) {
        return post(
                baseUrl, username, password, "/query", "db=" + encode(database) + "&epoch=ms&q=" + encode(influxQl));
    }

    /**
     * A login goes as HTTP basic authentication (InfluxDB 1.x reads {@code u}/{@code p} from the URL
     * only, which logs keep).
     */
    private static String post(String baseUrl, String username, String password, String path, String form) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded");
        if (username != null) {
            builder.header(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        HttpRequest request =
                builder.POST(HttpRequest.BodyPublishers.ofString(form)).build();
        try {
            HttpResponse<String> response = client(baseUrl).send(request, HttpResponse.BodyHandlers.ofString());
            // InfluxDB 1.x answers 200 even for a failed statement and puts the error in the body.
            if (response.statusCode() != 200 || response.body().contains("\"error\"")) {
                throw new IllegalStateException("InfluxDB at " + baseUrl + " answered " + response.statusCode() + " to "
                        + path + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException("InfluxDB at " + baseUrl + " is not reachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while calling InfluxDB at " + baseUrl, e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
