package io.twinstream.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The live page's server without a pipeline: the page, a missing path, InfluxDB gone (the state
 * answers 503 with the reason, which the page shows), and a taken port. That the page draws real
 * data is {@code PipelineIT}'s part.
 */
class LiveDashboardTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String influxNobodyListensOn() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    @Test
    void shouldServeThePageAndSayWhyThereIsNoStateWhenInfluxDbIsGone() throws Exception {
        try (LiveDashboard dashboard =
                LiveDashboard.start(0, new LiveState(influxNobodyListensOn(), "telemetry", () -> null))) {
            HttpResponse<String> page = get(dashboard.url());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(page.body()).contains("<title>Twinstream — live</title>").contains("fetch(\"/api/state\"");

            HttpResponse<String> state = get(dashboard.url() + "api/state");
            assertThat(state.statusCode()).isEqualTo(503);
            assertThat(state.body()).startsWith("{\"error\":");

            assertThat(get(dashboard.url() + "elsewhere").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void shouldTakeAFreePortWhenTheAskedOneIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                LiveDashboard dashboard = LiveDashboard.start(
                        taken.getLocalPort(), new LiveState(influxNobodyListensOn(), "telemetry", () -> null))) {
            assertThat(dashboard.url())
                    .startsWith("http://127.0.0.1:")
                    .doesNotContain(":" + taken.getLocalPort() + "/");
            assertThat(get(dashboard.url()).statusCode()).isEqualTo(200);
        }
    }
}
