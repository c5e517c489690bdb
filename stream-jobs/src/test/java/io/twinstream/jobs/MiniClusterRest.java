package io.twinstream.jobs;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;

/** A GET on a test MiniCluster's REST API, the one Flink's web UI and CLI use: what a job reports about itself. */
public final class MiniClusterRest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private MiniClusterRest() {}

    /** @param client the cluster's client configuration ({@code MiniClusterExtension.getClientConfiguration()}) */
    public static String get(Configuration client, String path) throws Exception {
        URI uri = URI.create("http://" + client.get(RestOptions.ADDRESS) + ":" + client.get(RestOptions.PORT) + path);
        return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
