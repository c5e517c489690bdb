package io.twinstream.ingest.parse;

/**
 * What a telemetry topic says: {@code telemetry/{domain}/{site}/{deviceType}/{deviceId}}, where a
 * device type of {@code gateway} marks a gateway's batch topic (the id is then the gateway's).
 */
public record TopicAddress(String domain, String site, String deviceType, String deviceId) {

    public static final String GATEWAY = "gateway";

    /** @throws PayloadRejectedException {@link RejectReason#BAD_TOPIC} or {@link RejectReason#UNSAFE_NAME} */
    public static TopicAddress parse(String topic) throws PayloadRejectedException {
        String[] levels = topic.split("/", -1);
        if (levels.length != 5 || !levels[0].equals("telemetry")) {
            throw new PayloadRejectedException(
                    RejectReason.BAD_TOPIC,
                    "topic '" + topic + "' is not telemetry/{domain}/{site}/{deviceType}/{deviceId}");
        }
        if (!levels[1].equals("city") && !levels[1].equals("factory")) {
            throw new PayloadRejectedException(
                    RejectReason.BAD_TOPIC, "domain '" + levels[1] + "' is not city or factory");
        }
        return new TopicAddress(
                levels[1],
                PayloadParser.safeId(levels[2], "site"),
                PayloadParser.safeId(levels[3], "deviceType"),
                PayloadParser.safeId(levels[4], "deviceId"));
    }

    public boolean isGateway() {
        return GATEWAY.equals(deviceType);
    }
}
