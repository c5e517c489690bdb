package io.twinstream.infra.stack.local;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An MQTT-level health check without a client library: sends an MQTT 3.1.1 CONNECT and reads the
 * CONNACK. A listening socket is not enough; the broker must answer the protocol.
 */
public final class MqttProbe {

    /** CONNACK return codes of MQTT 3.1.1. */
    public static final int ACCEPTED = 0;

    public static final int NOT_AUTHORIZED = 5;

    private MqttProbe() {}

    /**
     * Connects, returns the CONNACK return code and disconnects.
     *
     * @return the return code (0 = accepted), or -1 if nothing answered MQTT in time
     */
    public static int connect(String host, int port, String username, String password, Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(connectPacket(
                    "twinstream-probe-" + ProcessHandle.current().pid() + "-" + System.nanoTime(), username, password));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int header = in.readUnsignedByte();
            int length = in.readUnsignedByte();
            if (header != 0x20 || length != 2) {
                return -1;
            }
            in.readUnsignedByte(); // session-present flag
            int returnCode = in.readUnsignedByte();
            out.write(new byte[] {(byte) 0xE0, 0x00}); // DISCONNECT
            out.flush();
            return returnCode;
        } catch (IOException e) {
            return -1;
        }
    }

    private static byte[] connectPacket(String clientId, String username, String password) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, "MQTT");
        body.write(4); // protocol level 3.1.1
        int flags = 0x02; // clean session
        if (username != null) {
            flags |= 0x80;
        }
        if (password != null) {
            flags |= 0x40;
        }
        body.write(flags);
        body.write(0);
        body.write(10); // keep-alive 10 s
        writeString(body, clientId);
        if (username != null) {
            writeString(body, username);
        }
        if (password != null) {
            writeString(body, password);
        }
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(0x10);
        int remaining = body.size();
        do { // variable-length encoding of the remaining length
            int digit = remaining % 128;
            remaining /= 128;
            packet.write(remaining > 0 ? digit | 0x80 : digit);
        } while (remaining > 0);
        packet.writeBytes(body.toByteArray());
        return packet.toByteArray();
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.write(bytes.length >> 8);
        out.write(bytes.length & 0xFF);
        out.writeBytes(bytes);
    }
}
