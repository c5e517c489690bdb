package io.twinstream.infra.stack.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import io.twinstream.infra.stack.MqttBroker;
import io.twinstream.infra.stack.ServiceStartException;

/**
 * Debian's {@code mosquitto} (2.0) on a free loopback port with a generated config: MQTT 3.1.1 and
 * 5, shared subscriptions, persistence in the run directory (sessions and queued QoS 1 messages
 * survive a graceful restart), anonymous access or a username and password.
 */
public final class MosquittoProcess extends LocalService implements MqttBroker {

    private static final String INSTALL_HINT = "Install it with infra/bin/install-services (apt-get install mosquitto).";
    private static final String HOST = "127.0.0.1";
    /** The largest MQTT packet the broker takes: 2 MiB (Mosquitto's {@code max_packet_size}). */
    public static final int MAX_PACKET_SIZE = 2 * 1024 * 1024;

    private final Options options;
    private int port;
    private int tlsPort;

    /**
     * @param port              0 (default) for a free port
     * @param persistence       keep sessions and queued messages on disk across restarts (default true)
     * @param username          null (default) for anonymous access; else clients must log in
     * @param password          the password for {@code username}
     * @param maxQueuedMessages per offline persistent session; Mosquitto's own default of 1000 would
     *                          drop messages for a bridge that is down for a second at load, so the
     *                          default here is 1,000,000
     * @param local             run directory and start-up timeout
     * @param tlsCertFile       with {@code tlsKeyFile}: also listen with TLS on a second free port
     *                          ({@link #tlsUrl()}), presenting this PEM certificate; null (default) for none
     * @param tlsKeyFile        the PEM private key of {@code tlsCertFile}
     */
    public record Options(int port, boolean persistence, String username, String password, int maxQueuedMessages,
                          LocalOptions local, Path tlsCertFile, Path tlsKeyFile) {
        public Options {
            Objects.requireNonNull(local, "local");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            if ((username == null) != (password == null)) {
                throw new IllegalArgumentException("username and password go together");
            }
            if (username != null && (username.isBlank() || username.contains(":") || username.contains("\n"))) {
                throw new IllegalArgumentException("username must be non-blank without ':' or newlines");
            }
            if (maxQueuedMessages < 0) {
                throw new IllegalArgumentException("maxQueuedMessages must be >= 0 (0 = unlimited)");
            }
            if ((tlsCertFile == null) != (tlsKeyFile == null)) {
                throw new IllegalArgumentException("tlsCertFile and tlsKeyFile go together");
            }
        }

        public static Options defaults() {
            return new Options(0, true, null, null, 1_000_000, LocalOptions.defaults(), null, null);
        }

        public Options withPort(int newPort) {
            return new Options(newPort, persistence, username, password, maxQueuedMessages, local, tlsCertFile, tlsKeyFile);
        }

        public Options withCredentials(String newUsername, String newPassword) {
            return new Options(port, persistence, newUsername, newPassword, maxQueuedMessages, local, tlsCertFile, tlsKeyFile);
        }

        public Options withLocal(LocalOptions newLocal) {
            return new Options(port, persistence, username, password, maxQueuedMessages, newLocal, tlsCertFile, tlsKeyFile);
        }

        public Options withTls(Path certFile, Path keyFile) {
            return new Options(port, persistence, username, password, maxQueuedMessages, local, certFile, keyFile);
        }
    }

    public MosquittoProcess(Options options) {
        super("mosquitto", options.local());
        this.options = options;
        this.port = options.port();
        if (port == 0) {
            choosePorts();
        } else if (options.tlsCertFile() != null) {
            tlsPort = FreePorts.pick();
        }
    }


    @Override
    public String host() {
        return HOST;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String description() {
        return "local mosquitto on " + url() + pidSuffix();
    }

    @Override
    protected void choosePorts() {
        port = FreePorts.pick();
        if (options.tlsCertFile() != null) {
            do {
                tlsPort = FreePorts.pick();
            } while (tlsPort == port);
        }
    }

    /** {@code ssl://127.0.0.1:<port>} of the TLS listener; only with {@link Options#withTls}. */
    public String tlsUrl() {
        if (options.tlsCertFile() == null) {
            throw new IllegalStateException("this mosquitto has no TLS listener (Options.withTls)");
        }
        return "ssl://" + HOST + ":" + tlsPort;
    }

    @Override
    protected boolean portsFixed() {
        return options.port() != 0;
    }

    @Override
    protected void prepare(boolean firstStart) throws IOException {
        Files.createDirectories(file("data"));
        StringBuilder config = new StringBuilder()
                .append("# Generated by Twinstream's local stack; rewritten on every start.\n")
                // Run as whoever started us: as root, mosquitto would otherwise switch to user
                // 'mosquitto', which cannot write this private run directory.
                .append("user ").append(System.getProperty("user.name")).append('\n')
                .append("per_listener_settings false\n")
                .append("listener ").append(port).append(' ').append(HOST).append('\n')
                .append("max_queued_messages ").append(options.maxQueuedMessages()).append('\n')
                // A larger message is refused to its publisher (MQTT 5: disconnected, reason 149); the
                // bridge announces a little more than this, so it never meets one it would have to drop.
                .append("max_packet_size ").append(MAX_PACKET_SIZE).append('\n');
        if (options.tlsCertFile() != null) {
            // A second listener: the plain one stays for the health check.
            config.append("listener ").append(tlsPort).append(' ').append(HOST).append('\n')
                    .append("certfile ").append(options.tlsCertFile().toAbsolutePath()).append('\n')
                    .append("keyfile ").append(options.tlsKeyFile().toAbsolutePath()).append('\n');
        }
        config
                .append("log_dest stderr\n")
                .append("log_type error\nlog_type warning\nlog_type notice\nlog_type information\n")
                .append("connection_messages true\n")
                .append("log_timestamp_format %Y-%m-%dT%H:%M:%S\n");
        if (options.persistence()) {
            config.append("persistence true\n")
                    .append("persistence_location ").append(file("data")).append("/\n")
                    .append("autosave_interval 60\n");
        } else {
            config.append("persistence false\n");
        }
        if (options.username() != null) {
            writePasswordFile();
            config.append("allow_anonymous false\n").append("password_file ").append(file("passwords")).append('\n');
        } else {
            config.append("allow_anonymous true\n");
        }
        write(file("mosquitto.conf"), config.toString());
    }

    private void writePasswordFile() throws IOException {
        Path mosquittoPasswd = findExecutable("mosquitto_passwd", "TWINSTREAM_MOSQUITTO_PASSWD", INSTALL_HINT,
                "/usr/bin/mosquitto_passwd");
        Path passwords = file("passwords");
        Files.deleteIfExists(passwords);
        Process process = new ProcessBuilder(mosquittoPasswd.toString(), "-c", "-b", passwords.toString(),
                options.username(), options.password())
                .redirectErrorStream(true)
                .start();
        try {
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("mosquitto_passwd failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while writing the password file", e);
        }
    }

    @Override
    protected List<String> command() {
        Path mosquitto = findExecutable("mosquitto", "TWINSTREAM_MOSQUITTO", INSTALL_HINT, "/usr/sbin/mosquitto");
        return List.of(mosquitto.toString(), "-c", file("mosquitto.conf").toString());
    }

    @Override
    protected boolean isHealthy() {
        int code = MqttProbe.connect(HOST, port, options.username(), options.password(), Duration.ofSeconds(2));
        if (code == MqttProbe.NOT_AUTHORIZED || code > 0 && code < 6) {
            throw new ServiceStartException("mosquitto on port " + port + " refused the health check's login (CONNACK "
                    + code + ")");
        }
        return code == MqttProbe.ACCEPTED;
    }

    @Override
    public String toString() {
        return description();
    }
}
