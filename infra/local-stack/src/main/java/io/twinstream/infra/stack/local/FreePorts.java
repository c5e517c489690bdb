package io.twinstream.infra.stack.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Free loopback ports. A port found free can be taken by someone else before the service binds it;
 * the services retry with new ports when they see "address in use" on their first start.
 */
public final class FreePorts {

    /**
     * Every port handed out in this JVM. The kernel may give the port it just freed to the next
     * bind to port 0, so two picks in a row could name the same port: Kafka was once configured with
     * its broker and controller listeners on one port and refused to format its storage (CI, an
     * AlertsJobOperationsIT run). A port is therefore handed out at most once per JVM.
     */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {}

    /** A loopback port free now and not handed out before by this JVM. */
    public static int pick() {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("no free loopback port", e);
            }
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no loopback port left that this JVM has not handed out before");
    }

    /** True if something accepts TCP connections on {@code 127.0.0.1:port}. */
    public static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** True if this process could bind {@code 127.0.0.1:port} now (nobody listens on it). */
    public static boolean isBindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
