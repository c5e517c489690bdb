package io.twinstream.ingest.mqtt;

import io.twinstream.ingest.config.IngestConfig;
import io.twinstream.ingest.metrics.IngestMetrics;
import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.TimerPingSender;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of the bridge's shared subscription: a persistent MQTT 5 session (clean start off,
 * session expiry set) so messages published while the bridge is away wait at the broker; manual
 * acknowledgements, so a message is acknowledged only once Kafka has it; at most
 * {@code receiveMaximum} unacknowledged messages, which is the bridge's backpressure: when Kafka is
 * slow the bridge stops acknowledging and the broker stops sending. Reconnects with exponential
 * backoff and jitter and subscribes again every time (Mosquitto does not keep shared subscriptions
 * over a restart, even with persistence on).
 */
public final class BridgeConnection {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeConnection.class);
    private static final long MIN_BACKOFF_MS =
            100; // the first attempt comes quickly: a restarted broker has forgotten the shared subscription
    private static final long MAX_BACKOFF_MS = 30_000;

    private final IngestConfig config;
    private final String clientId;
    private final MqttConnectionOptions options;
    private final MessageHandler onMessage;
    /** The Paho client of the current connection: a new one for every connection, see {@link #reconnect()}. */
    private MqttAsyncClient client;

    private final IngestMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private final Object lock = new Object();
    private boolean connected;
    private boolean closing;
    private int attempts;

    /** Receives a message and the way to acknowledge it; runs on Paho's callback thread, so must not block. */
    @FunctionalInterface
    public interface MessageHandler {
        void accept(String topic, MqttMessage message, Runnable acknowledge);
    }

    /**
     * @param onMessage called on Paho's callback thread: it must hand the message off, never block
     */
    public BridgeConnection(
            IngestConfig config,
            int index,
            IngestMetrics metrics,
            ScheduledExecutorService scheduler,
            MessageHandler onMessage)
            throws MqttException {
        this.config = config;
        this.clientId = config.clientId() + "-" + index;
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.onMessage = onMessage;
        options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(config.sessionExpiry().toSeconds());
        options.setReceiveMaximum(config.receiveMaximum());
        options.setMaximumPacketSize((long) config.maximumPacketSize());
        options.setKeepAliveInterval(30);
        options.setConnectionTimeout(10);
        options.setAutomaticReconnect(false);
        options.setSocketFactory(
                config.mqttUrl().startsWith("ssl://") ? tlsSocketFactory(config) : new NoDelaySocketFactory());
        if (config.mqttUsername() != null) {
            options.setUserName(config.mqttUsername());
            options.setPassword(config.mqttPassword().getBytes(StandardCharsets.UTF_8));
        }
        this.client = newClient();
    }

    /** A Paho client for one connection; its messages are acknowledged through it and no other. */
    private MqttAsyncClient newClient() throws MqttException {
        MqttAsyncClient fresh = new MqttAsyncClient(
                config.mqttUrl(), clientId, new MemoryPersistence(), new TimerPingSender(scheduler), null);
        fresh.setManualAcks(true);
        fresh.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                onConnectionLost(
                        response.getReasonString() != null
                                ? response.getReasonString()
                                : String.valueOf(response.getException()));
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
                LOG.warn("{}: MQTT error: {}", clientId, exception.toString());
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                onMessage.accept(topic, message, () -> acknowledge(message, fresh));
            }

            @Override
            public void deliveryComplete(IMqttToken token) {}

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {}

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
        return fresh;
    }

    public String clientId() {
        return clientId;
    }

    /** Connects and subscribes, blocking; throws if the broker refuses (bad login, not there). */
    public void connect() throws MqttException {
        MqttAsyncClient current;
        synchronized (lock) {
            current = client;
        }
        current.connect(options).waitForCompletion(15_000);
        current.subscribe(config.sharedFilter(), 1).waitForCompletion(15_000);
        synchronized (lock) {
            connected = true;
            attempts = 0;
        }
        metrics.connected.incrementAndGet();
        LOG.info("{}: connected to {} and subscribed to {}", clientId, config.mqttUrl(), config.sharedFilter());
    }

    /**
     * Tells the broker it may forget this QoS 1 message: Kafka has it. Only through the client it
     * came in on, and only while that client is the current one: after a reconnect the broker sends
     * unacknowledged messages again and may reuse their packet ids, so an old id must not
     * acknowledge a new message.
     */
    private void acknowledge(MqttMessage message, MqttAsyncClient arrivedOn) {
        if (message.getQos() == 0) {
            return;
        }
        synchronized (lock) {
            if (client != arrivedOn) {
                return; // came in on an earlier connection: the broker sends it again, a duplicate by design
            }
            if (closing) {
                // Closed since (Paho's client then fails with a NullPointerException): the session
                // keeps the message unacknowledged and the broker sends it again to the next run.
                return;
            }
        }
        try {
            arrivedOn.messageArrivedComplete(message.getId(), message.getQos());
        } catch (MqttException e) {
            // The connection dropped since: the broker sends the message again (a duplicate, by design).
            LOG.debug("{}: acknowledging message {}: {}", clientId, message.getId(), e.toString());
        }
    }

    /**
     * Leaves the shared subscription, so the broker stops routing messages to this session (it
     * would queue them for a member that is not coming back); what is in flight still completes.
     */
    public void leaveGroup() {
        try {
            MqttAsyncClient current;
            synchronized (lock) {
                current = client;
            }
            if (current.isConnected()) {
                current.unsubscribe(config.sharedFilter()).waitForCompletion(10_000);
            }
        } catch (MqttException e) {
            LOG.warn("{}: unsubscribing: {}", clientId, e.toString());
        }
    }

    /**
     * Returns once the broker has every acknowledgement this connection sent so far: an MQTT round
     * trip (an UNSUBSCRIBE of a topic nobody subscribes to) queued behind them; the broker handles a
     * connection's packets in order. Paho queues acknowledgements and its disconnect does not always
     * send the last ones: without this, a graceful stop under load had the broker send again up to
     * 40 readings the bridge had written and acknowledged (duplicates in Kafka).
     */
    public void awaitAcknowledgementsDelivered(Duration timeout) {
        MqttAsyncClient current;
        synchronized (lock) {
            current = client;
        }
        try {
            if (current.isConnected()) {
                current.unsubscribe(ACKNOWLEDGEMENT_FENCE).waitForCompletion(timeout.toMillis());
            }
        } catch (MqttException e) {
            // The connection dropped: what it had not delivered, the broker sends again (a duplicate, by design).
            LOG.warn("{}: confirming the acknowledgements before stopping: {}", clientId, e.toString());
        }
    }

    /** A topic no one subscribes to: unsubscribing from it is a round trip that changes nothing. */
    private static final String ACKNOWLEDGEMENT_FENCE = "twinstream/ingest/acknowledgement-fence";

    /** Stops reconnecting and disconnects cleanly; the session stays at the broker for the next run. */
    public void close() {
        MqttAsyncClient current;
        synchronized (lock) {
            closing = true;
            current = client;
        }
        try {
            if (current.isConnected()) {
                current.disconnect(10_000).waitForCompletion(15_000);
            }
        } catch (MqttException e) {
            LOG.debug("{}: disconnect: {}", clientId, e.toString());
        } finally {
            try {
                current.close(true);
            } catch (MqttException e) {
                LOG.debug("{}: close: {}", clientId, e.toString());
            }
            synchronized (lock) {
                if (connected) {
                    connected = false;
                    metrics.connected.decrementAndGet();
                }
            }
        }
    }

    private void onConnectionLost(String reason) {
        synchronized (lock) {
            if (connected) {
                connected = false;
                metrics.connected.decrementAndGet();
            }
            if (closing) {
                return;
            }
        }
        LOG.warn("{}: connection lost ({}); reconnecting with backoff", clientId, reason);
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        long delay;
        synchronized (lock) {
            delay = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(attempts, 10));
            attempts++;
        }
        delay = (long) (delay * (0.5 + ThreadLocalRandom.current().nextDouble())); // jitter: no thundering herd
        scheduler.schedule(this::reconnect, delay, TimeUnit.MILLISECONDS);
    }

    /**
     * Connects again through a new Paho client, never the one that lost its connection. Paho 1.2.5
     * keeps a packet queued after a connection drops (an acknowledgement from a worker that was
     * still busy, say); on the next connect of the same client its sender thread finds that packet
     * instead of CONNECT, stops at once, and the connect never completes: the connection would be
     * gone for good while its share of the subscription piles up at the broker. A new client starts
     * with empty queues, and a late acknowledgement can only reach the old one.
     */
    private void reconnect() {
        synchronized (lock) {
            if (connected || closing) {
                return;
            }
        }
        replaceClient();
        try {
            connect();
            metrics.reconnects.increment();
            LOG.info("{}: reconnected", clientId);
        } catch (MqttException | RuntimeException e) {
            LOG.info("{}: reconnect failed ({}); trying again", clientId, e.toString());
            scheduleReconnect();
        }
    }

    private void replaceClient() {
        MqttAsyncClient old;
        synchronized (lock) {
            old = client;
        }
        try {
            old.disconnectForcibly(0, 1, false);
        } catch (MqttException e) {
            LOG.debug("{}: dropping the old client: {}", clientId, e.toString());
        }
        try {
            old.close(true);
        } catch (MqttException e) {
            LOG.debug("{}: closing the old client: {}", clientId, e.toString());
        }
        try {
            MqttAsyncClient fresh = newClient();
            synchronized (lock) {
                if (!closing) {
                    client = fresh;
                    return;
                }
            }
            fresh.close(true); // close() ran meanwhile and took the old client down; nothing must outlive it
        } catch (MqttException e) {
            LOG.warn("{}: cannot create a client: {}", clientId, e.toString());
        }
    }

    /**
     * TLS for {@code ssl://}: the configured trust store (the broker's CA), or the JVM's trusted CAs.
     * Paho checks the broker's host name against its certificate.
     */
    private static SocketFactory tlsSocketFactory(IngestConfig config) throws MqttException {
        if (config.mqttTrustStore() == null) {
            return SSLSocketFactory.getDefault();
        }
        try {
            char[] password = config.mqttTrustStorePassword() == null
                    ? null
                    : config.mqttTrustStorePassword().toCharArray();
            KeyStore trusted = KeyStore.getInstance(new File(config.mqttTrustStore()), password);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trust.getTrustManagers(), null);
            return tls.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new MqttException(
                    MqttClientException.REASON_CODE_SSL_CONFIG_ERROR,
                    new IllegalArgumentException(
                            "mqtt.tls.truststore " + config.mqttTrustStore() + ": " + e.getMessage(), e));
        }
    }

    /** Paho never sets TCP_NODELAY; acknowledgements would wait for Nagle's algorithm. */
    private static final class NoDelaySocketFactory extends SocketFactory {
        @Override
        public Socket createSocket() throws IOException {
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            return socket;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            throw new UnsupportedOperationException("Paho creates unconnected sockets");
        }

        @Override
        public Socket createSocket(String host, int port, java.net.InetAddress local, int localPort)
                throws IOException {
            throw new UnsupportedOperationException("Paho creates unconnected sockets");
        }

        @Override
        public Socket createSocket(java.net.InetAddress host, int port) throws IOException {
            throw new UnsupportedOperationException("Paho creates unconnected sockets");
        }

        @Override
        public Socket createSocket(java.net.InetAddress address, int port, java.net.InetAddress local, int localPort)
                throws IOException {
            throw new UnsupportedOperationException("Paho creates unconnected sockets");
        }
    }
}
