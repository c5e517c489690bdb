package io.twinstream.simulator.publish;

import java.util.function.BiConsumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** Paho's six-method callback with nothing done by default: override what matters. */
public class MqttCallbackAdapter implements MqttCallback {

    /** A callback that only hands arriving messages to {@code consumer} (on Paho's callback thread). */
    public static MqttCallback onMessage(BiConsumer<String, MqttMessage> consumer) {
        return new MqttCallbackAdapter() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                consumer.accept(topic, message);
            }
        };
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {}

    @Override
    public void mqttErrorOccurred(MqttException exception) {}

    @Override
    public void messageArrived(String topic, MqttMessage message) {}

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
}
