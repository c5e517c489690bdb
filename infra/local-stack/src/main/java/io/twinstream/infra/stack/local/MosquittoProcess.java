package io.twinstream.infra.stack.local;

import io.twinstream.infra.stack.MqttBroker;
import io.twinstream.infra.stack.ServiceStartException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code mosquitto} (2.0) on a free loopback port with a generated config: MQTT 3.1.1 and
 * 5, shared subscriptions, persistence in the run directory (sessions and queued QoS 1 messages
 * survive a graceful restart), anonymous access or a username and password.
 */
public final class MosquittoProcess extends LocalService implements MqttBroker {

    private static final String INSTALL_HINT =
            "Install it with infra/bin/install-services (apt-get install mosquitto).";
    private static final String HOST = "127.0.0.1";
    /** Where Debian's mosquitto package (per architecture) and the eclipse-mosquitto image put the plugin. */
    private static final List<String> DYNAMIC_SECURITY_PLUGINS = List.of(
            "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so",
            "/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so",
            "/usr/lib/mosquitto_dynamic_security.so");
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
     * @param access            logins and what each may do ({@link BrokerAccess}, Mosquitto's dynamic
     *                          security plugin), instead of {@code username}'s password file; null
     *                          (default) for none. {@code username} (the health check's login) must be one of them
     */
    public record Options(
            int port,
            boolean persistence,
            String username,
            String password,
            int maxQueuedMessages,
            LocalOptions local,
            Path tlsCertFile,
            Path tlsKeyFile,
            BrokerAccess access) {
        public Options {
            if (access != null && (username == null || !access.logins().containsKey(username))) {
                throw new IllegalArgumentException("with access control, the health check's login (withCredentials)"
                        + " must be one of its logins");
            }
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
            return new Options(0, true, null, null, 1_000_000, LocalOptions.defaults(), null, null, null);
        }

        /** Logins and their rights; the health check logs in as {@code healthUser}, one of them. */
        public Options withAccess(BrokerAccess newAccess, String healthUser) {
            return new Options(
                    port,
                    persistence,
                    healthUser,
                    newAccess.logins().get(healthUser).password(),
                    maxQueuedMessages,
                    local,
                    tlsCertFile,
                    tlsKeyFile,
                    newAccess);
        }

        public Options withPort(int newPort) {
            return new Options(
                    newPort,
                    persistence,
                    username,
                    password,
                    maxQueuedMessages,
                    local,
                    tlsCertFile,
                    tlsKeyFile,
                    access);
        }

        public Options withCredentials(String newUsername, String newPassword) {
            return new Options(
                    port,
                    persistence,
                    newUsername,
                    newPassword,
                    maxQueuedMessages,
                    local,
                    tlsCertFile,
                    tlsKeyFile,
                    access);
        }

        public Options withLocal(LocalOptions newLocal) {
            return new Options(
                    port,
                    persistence,
                    username,
                    password,
                    maxQueuedMessages,
                    newLocal,
                    tlsCertFile,
                    tlsKeyFile,
                    access);
        }

        public Options withTls(Path certFile, Path keyFile) {
            return new Options(
                    port, persistence, username, password, maxQueuedMessages, local, certFile, keyFile, access);
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
                .append("user ")
                .append(System.getProperty("user.name"))
                .append('\n')
                .append("per_listener_settings false\n")
                .append("listener ")
                .append(port)
                .append(' ')
                .append(HOST)
                .append('\n')
                .append("max_queued_messages ")
                .append(options.maxQueuedMessages())
                .append('\n')
                // A larger message is refused to its publisher (MQTT 5: disconnected, reason 149); the
                // bridge announces a little more than this, so it never meets one it would have to drop.
                .append("max_packet_size ")
                .append(MAX_PACKET_SIZE)
                .append('\n');
        if (options.tlsCertFile() != null) {
            // A second listener: the plain one stays for the health check.
            config.append("listener ")
                    .append(tlsPort)
                    .append(' ')
                    .append(HOST)
                    .append('\n')
                    .append("certfile ")
                    .append(options.tlsCertFile().toAbsolutePath())
                    .append('\n')
                    .append("keyfile ")
                    .append(options.tlsKeyFile().toAbsolutePath())
                    .append('\n');
        }
        config.append("log_dest stderr\n")
                .append("log_type error\nlog_type warning\nlog_type notice\nlog_type information\n")
                .append("connection_messages true\n")
                .append("log_timestamp_format %Y-%m-%dT%H:%M:%S\n");
        if (options.persistence()) {
            config.append("persistence true\n")
                    .append("persistence_location ")
                    .append(file("data"))
                    .append("/\n")
                    .append("autosave_interval 60\n");
        } else {
            config.append("persistence false\n");
        }
        if (options.access() != null) {
            // Rewritten on every start: the plugin saves its own changes to it too.
            write(file("dynamic-security.json"), options.access().dynamicSecurityJson());
            config.append("allow_anonymous false\n")
                    .append("plugin ")
                    .append(dynamicSecurityPlugin())
                    .append('\n')
                    .append("plugin_opt_config_file ")
                    .append(file("dynamic-security.json"))
                    .append('\n');
        } else if (options.username() != null) {
            writePasswordFile();
            config.append("allow_anonymous false\n")
                    .append("password_file ")
                    .append(file("passwords"))
                    .append('\n');
        } else {
            config.append("allow_anonymous true\n");
        }
        write(file("mosquitto.conf"), config.toString());
    }

    private static String dynamicSecurityPlugin() throws IOException {
        return DYNAMIC_SECURITY_PLUGINS.stream()
                .filter(path -> Files.isReadable(Path.of(path)))
                .findFirst()
                .orElseThrow(() -> new IOException("Mosquitto's dynamic security plugin is not in "
                        + DYNAMIC_SECURITY_PLUGINS + ": " + INSTALL_HINT));
    }

    private void writePasswordFile() throws IOException {
        Path mosquittoPasswd = findExecutable(
                "mosquitto_passwd", "TWINSTREAM_MOSQUITTO_PASSWD", INSTALL_HINT, "/usr/bin/mosquitto_passwd");
        Path passwords = file("passwords");
        Files.deleteIfExists(passwords);
        Process process = new ProcessBuilder(
                        mosquittoPasswd.toString(),
                        "-c",
                        "-b",
                        passwords.toString(),
                        options.username(),
                        options.password())
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
            throw new ServiceStartException(
                    "mosquitto on port " + port + " refused the health check's login (CONNACK " + code + ")");
        }
        return code == MqttProbe.ACCEPTED;
    }

    @Override
    public String toString() {
        return description();
    }
}
