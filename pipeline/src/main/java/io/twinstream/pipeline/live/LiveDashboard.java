package io.twinstream.pipeline.live;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in live dashboard (no Grafana needed): one page ({@code live/index.html}) that polls
 * {@code /api/state} ({@link LiveState}) every 2 s and draws per-site charts, the alert list,
 * device presence and the pipeline's rates. Serves on loopback only: it is the demo's window, not
 * a service to expose.
 */
public final class LiveDashboard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveDashboard.class);

    private final HttpServer server;
    private final ExecutorService workers;

    private LiveDashboard(HttpServer server, ExecutorService workers) {
        this.server = server;
        this.workers = workers;
    }

    /**
     * Starts serving on 127.0.0.1:{@code port}; when that port is taken (another demo, another
     * program), on a free one instead, so the demo never fails for a dashboard. 0: a free port.
     */
    public static LiveDashboard start(int port, LiveState state) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(loopback, port), 16);
        } catch (BindException taken) {
            LOG.info("port {} is taken; the live dashboard takes a free one", port);
            server = HttpServer.create(new InetSocketAddress(loopback, 0), 16);
        }
        ExecutorService workers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "live-dashboard");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(workers);
        server.createContext("/api/state", exchange -> {
            try {
                send(exchange, 200, "application/json", state.read().toString().getBytes(StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException e) {
                send(
                        exchange,
                        503,
                        "application/json",
                        ("{\"error\":"
                                        + com.fasterxml.jackson.databind.node.TextNode.valueOf(
                                                String.valueOf(e.getMessage()))
                                        + "}")
                                .getBytes(StandardCharsets.UTF_8));
            }
        });
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (!path.equals("/") && !path.equals("/index.html")) {
                send(exchange, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            try (InputStream page = LiveDashboard.class.getResourceAsStream("/live/index.html")) {
                send(exchange, 200, "text/html; charset=utf-8", page.readAllBytes());
            }
        });
        server.start();
        return new LiveDashboard(server, workers);
    }

    /** The page's address, e.g. {@code http://127.0.0.1:8088/}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
