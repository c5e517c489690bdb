package io.twinstream.jobs.sink;

import io.twinstream.jobs.alerts.AlertTransition;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The JSON the jobs write to Kafka and MQTT: flat objects, written by hand (no tree, no reflection). */
public final class Json {

    private Json() {}

    /**
     * An alert transition: the fields of {@code simulator expect}'s alert lines (so the two compare
     * directly) and the message: {@code {"type":"alert","rule":…,"severity":…,"state":"raised",
     * "domain":…,"site":…,"deviceType":…,"deviceId":…,"metric":…,"ts":…,"value":…,"threshold":…,"message":…}}.
     */
    public static byte[] alert(AlertTransition t) {
        return ("{\"type\":\"alert\",\"rule\":" + quote(t.rule()) + ",\"severity\":" + quote(t.severity())
                        + ",\"state\":\"" + t.state().name().toLowerCase(Locale.ROOT) + "\",\"domain\":"
                        + quote(t.domain())
                        + ",\"site\":" + quote(t.site()) + ",\"deviceType\":" + quote(t.deviceType())
                        + ",\"deviceId\":" + quote(t.deviceId()) + ",\"metric\":" + quote(t.metric()) + ",\"ts\":"
                        + t.ts()
                        + ",\"value\":" + t.value() + ",\"threshold\":" + t.threshold() + ",\"message\":"
                        + quote(t.message())
                        + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON string literal. */
    public static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
