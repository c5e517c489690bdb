package io.twinstream.ingest.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import java.io.IOException;
import java.net.InetAddress;

/** {@code GET /metrics} in Prometheus' formats, on loopback only: Prometheus' own HTTP server. */
public final class MetricsServer implements AutoCloseable {

    private final HTTPServer server;

    public MetricsServer(int port, IngestMetrics metrics) throws IOException {
        server = HTTPServer.builder()
                .inetAddress(InetAddress.getLoopbackAddress())
                .port(port)
                .registry(metrics.registry())
                .buildAndStart();
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
