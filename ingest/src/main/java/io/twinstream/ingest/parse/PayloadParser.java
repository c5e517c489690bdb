package io.twinstream.ingest.parse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.twinstream.model.Reading;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns one MQTT message into readings, or says exactly why it cannot. Accepted formats
 * (ARCHITECTURE.md):
 * <ul>
 *   <li>JSON reading: {@code {"ts": <epoch ms>, "seq": <long>, "metrics": {"pm25": 12.3}}}, the device
 *       from the topic;</li>
 *   <li>batch: a JSON array of such readings, each with {@code deviceId} (and optionally
 *       {@code deviceType}, else the topic's);</li>
 *   <li>SenML (RFC 8428): an array of records with {@code bn}/{@code bt}/{@code n}/{@code t}/{@code v};
 *       records at the same time form one reading;</li>
 *   <li>the earlier SenML draft: {@code {"bn": .., "bt": .., "e": [..]}}.</li>
 * </ul>
 * Numeric strings in SenML {@code v} are coerced to numbers. Device ids, types and metric names
 * must be safe InfluxDB tag values (letters, digits, {@code _ . : -}); timestamps must lie between
 * {@code maxClockDistance} before now and {@code maxFuture} after it. Thread-safe.
 *
 * <p>JSON readings and batches that are valid are read by {@link StreamingReadingParser} without a
 * tree; everything else (SenML, and every payload to refuse) by the tree model below, which is
 * where each reason is decided.
 */
public final class PayloadParser {

    private static final Set<String> READING_FIELDS = Set.of("ts", "seq", "metrics");
    private static final Set<String> BATCH_FIELDS = Set.of("deviceId", "deviceType", "ts", "seq", "metrics");
    private static final Set<String> SENML_FIELDS =
            Set.of("bn", "bt", "bu", "bv", "bver", "n", "u", "v", "vs", "vb", "vd", "s", "t", "ut");
    private static final Set<String> DRAFT_FIELDS = Set.of("bn", "bt", "bu", "ver", "e");

    private final ObjectMapper json = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // FastDoubleParser: correctly rounded as Double.parseDouble, several times faster;
            // Jackson 3 has it on by default
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            // "{..}{..}" is two readings run together, not one: refused whole rather than the
            // second dropped without a trace
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private final PayloadLimits limits;
    /** The clock bounds in milliseconds, read for every reading. */
    private final long maxClockDistanceMillis;

    private final long maxFutureMillis;
    private final StreamingReadingParser fastPath;

    /** @param limits what one message may carry ({@link PayloadLimits#DEFAULTS} for the bridge's defaults) */
    public PayloadParser(PayloadLimits limits) {
        this.limits = limits;
        this.maxClockDistanceMillis = limits.maxClockDistance().toMillis();
        this.maxFutureMillis = limits.maxFuture().toMillis();
        this.fastPath = new StreamingReadingParser(this);
    }

    /**
     * @param receivedAt when the message arrived, epoch ms; also "now" for the timestamp check
     * @return at least one reading
     * @throws PayloadRejectedException with the reason for the dead-letter topic
     */
    public List<Reading> parse(String topic, byte[] payload, long receivedAt) throws PayloadRejectedException {
        TopicAddress address = TopicAddress.parse(topic);
        if (payload.length == 0) {
            throw new PayloadRejectedException(RejectReason.EMPTY, "empty payload");
        }
        if (payload.length > limits.maxPayloadBytes()) {
            throw new PayloadRejectedException(
                    RejectReason.TOO_LARGE, payload.length + " bytes, more than " + limits.maxPayloadBytes());
        }
        List<Reading> wellFormed = fastPath.tryParse(payload, address, receivedAt);
        return wellFormed != null ? wellFormed : parseTree(topic, address, payload, receivedAt);
    }

    /** The streaming path on its own, for the test that holds it to the tree path's answers. */
    StreamingReadingParser fastPath() {
        return fastPath;
    }

    /** The tree-model path on its own: every format, and the reason for every refusal. */
    List<Reading> parseTree(String topic, TopicAddress address, byte[] payload, long receivedAt)
            throws PayloadRejectedException {
        JsonNode root;
        try {
            root = json.readTree(payload);
        } catch (IOException e) {
            throw new PayloadRejectedException(RejectReason.MALFORMED_JSON, firstLine(e.getMessage()));
        }
        if (root == null || root.isMissingNode()) {
            throw new PayloadRejectedException(RejectReason.MALFORMED_JSON, "no JSON value");
        }
        List<Reading> readings = new ArrayList<>();
        if (root.isObject() && root.has("metrics")) {
            requireDeviceTopic(address, topic);
            readings.add(
                    jsonReading(root, address, address.deviceType(), address.deviceId(), READING_FIELDS, receivedAt));
        } else if (root.isObject() && root.has("e")) {
            requireDeviceTopic(address, topic);
            readings.addAll(senmlDraft(root, address, receivedAt));
        } else if (root.isArray()
                && root.size() > 0
                && root.get(0).isObject()
                && root.get(0).has("metrics")) {
            for (int i = 0; i < root.size(); i++) {
                readings.add(batchReading(root.get(i), i, address, receivedAt));
            }
        } else if (root.isArray() && root.size() > 0) {
            requireDeviceTopic(address, topic);
            readings.addAll(senml(root, address, receivedAt));
        } else {
            throw new PayloadRejectedException(
                    RejectReason.MISSING_FIELD,
                    "not a reading: expected an object with \"metrics\" or \"e\", or a non-empty array");
        }
        return readings;
    }

    private Reading batchReading(JsonNode node, int index, TopicAddress address, long receivedAt)
            throws PayloadRejectedException {
        if (!node.isObject()) {
            throw new PayloadRejectedException(RejectReason.WRONG_TYPE, "batch element " + index + " is not an object");
        }
        JsonNode id = node.get("deviceId");
        if (id == null) {
            throw new PayloadRejectedException(
                    RejectReason.MISSING_FIELD, "batch element " + index + " has no deviceId");
        }
        if (!id.isTextual()) {
            throw new PayloadRejectedException(
                    RejectReason.WRONG_TYPE, "batch element " + index + ": deviceId is not a string");
        }
        JsonNode type = node.get("deviceType");
        if (type != null && !type.isTextual()) {
            throw new PayloadRejectedException(
                    RejectReason.WRONG_TYPE, "batch element " + index + ": deviceType is not a string");
        }
        // Only a gateway speaks for other devices: the broker lets a device publish on its own topic
        // only, and a batch there naming another device would get round that.
        if (!address.isGateway() && !id.asText().equals(address.deviceId())) {
            throw new PayloadRejectedException(
                    RejectReason.DEVICE_MISMATCH,
                    "batch element " + index + " names device '"
                            + printable(id.asText()) + "', not the topic's '" + address.deviceId()
                            + "': only a gateway's topic (telemetry/{domain}/{site}/gateway/{id}) carries other devices' readings");
        }
        String deviceType = type != null ? type.asText() : address.deviceType();
        try {
            return jsonReading(
                    node,
                    address,
                    safeId(deviceType, "deviceType"),
                    safeId(id.asText(), "deviceId"),
                    BATCH_FIELDS,
                    receivedAt);
        } catch (PayloadRejectedException e) {
            throw new PayloadRejectedException(e.reason(), "batch element " + index + ": " + e.getMessage());
        }
    }

    private Reading jsonReading(
            JsonNode node,
            TopicAddress address,
            String deviceType,
            String deviceId,
            Set<String> allowed,
            long receivedAt)
            throws PayloadRejectedException {
        rejectUnknownFields(node, allowed);
        long ts = wholeNumber(node, "ts");
        checkTimestamp(ts, receivedAt);
        long seq = wholeNumber(node, "seq");
        if (seq < 0) {
            throw new PayloadRejectedException(RejectReason.WRONG_TYPE, "seq must be >= 0, was " + seq);
        }
        JsonNode metrics = node.get("metrics");
        if (metrics == null) {
            throw new PayloadRejectedException(RejectReason.MISSING_FIELD, "no 'metrics'");
        }
        if (!metrics.isObject()) {
            throw new PayloadRejectedException(RejectReason.WRONG_TYPE, "metrics is not an object");
        }
        if (metrics.isEmpty()) {
            throw new PayloadRejectedException(RejectReason.NO_METRICS, "metrics is empty");
        }
        checkMetricCount(metrics.size());
        String[] names = new String[metrics.size()];
        double[] values = new double[metrics.size()];
        Iterator<Map.Entry<String, JsonNode>> fields = metrics.fields();
        for (int i = 0; fields.hasNext(); i++) {
            Map.Entry<String, JsonNode> field = fields.next();
            names[i] = safeMetric(field.getKey());
            if (!field.getValue().isNumber()) {
                throw new PayloadRejectedException(
                        RejectReason.NOT_A_NUMBER,
                        "metric '" + field.getKey() + "' is "
                                + field.getValue().getNodeType().toString().toLowerCase(java.util.Locale.ROOT)
                                + ", not a number");
            }
            values[i] = checkValue(field.getValue().asDouble(), field.getKey());
        }
        return new Reading(address.domain(), address.site(), deviceType, deviceId, ts, seq, receivedAt, names, values);
    }

    private List<Reading> senml(JsonNode pack, TopicAddress address, long receivedAt) throws PayloadRejectedException {
        String baseName = "";
        double baseTime = 0;
        Map<Long, Map<String, Double>> byTime = new TreeMap<>();
        for (int i = 0; i < pack.size(); i++) {
            JsonNode record = pack.get(i);
            if (!record.isObject()) {
                throw new PayloadRejectedException(RejectReason.WRONG_TYPE, "SenML record " + i + " is not an object");
            }
            rejectUnknownFields(record, SENML_FIELDS);
            if (record.has("bn")) {
                baseName = text(record, "bn");
                checkBaseName(baseName, address);
            }
            if (record.has("bt")) {
                baseTime = number(record, "bt");
            }
            addSenmlRecord(record, baseName, baseTime, byTime, "SenML record " + i);
        }
        return readings(byTime, address, receivedAt);
    }

    private List<Reading> senmlDraft(JsonNode root, TopicAddress address, long receivedAt)
            throws PayloadRejectedException {
        rejectUnknownFields(root, DRAFT_FIELDS);
        String baseName = root.has("bn") ? text(root, "bn") : "";
        checkBaseName(baseName, address);
        double baseTime = root.has("bt") ? number(root, "bt") : 0;
        JsonNode entries = root.get("e");
        if (!entries.isArray()) {
            throw new PayloadRejectedException(RejectReason.WRONG_TYPE, "e is not an array");
        }
        Map<Long, Map<String, Double>> byTime = new TreeMap<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            if (!entry.isObject()) {
                throw new PayloadRejectedException(RejectReason.WRONG_TYPE, "e[" + i + "] is not an object");
            }
            rejectUnknownFields(entry, SENML_FIELDS);
            addSenmlRecord(entry, "", baseTime, byTime, "e[" + i + "]");
        }
        return readings(byTime, address, receivedAt);
    }

    private void addSenmlRecord(
            JsonNode record, String baseName, double baseTime, Map<Long, Map<String, Double>> byTime, String where)
            throws PayloadRejectedException {
        if (!record.has("n")) {
            if (record.has("v")) {
                throw new PayloadRejectedException(RejectReason.MISSING_FIELD, where + " has a value but no name (n)");
            }
            return; // a base-only record
        }
        if (!record.has("v")) {
            return; // string, boolean and data values are not metrics
        }
        String name = safeMetric(text(record, "n"));
        double seconds = baseTime + (record.has("t") ? number(record, "t") : 0);
        long ts = Math.round(seconds * 1000);
        JsonNode v = record.get("v");
        double value;
        if (v.isNumber()) {
            value = v.asDouble();
        } else if (v.isTextual()) {
            try {
                value = Double.parseDouble(v.asText().strip());
            } catch (NumberFormatException e) {
                throw new PayloadRejectedException(
                        RejectReason.NOT_A_NUMBER, where + ": v '" + v.asText() + "' is not a number");
            }
        } else {
            throw new PayloadRejectedException(RejectReason.NOT_A_NUMBER, where + ": v is not a number");
        }
        Map<String, Double> reading = byTime.computeIfAbsent(ts, k -> new LinkedHashMap<>());
        if (reading.put(name, checkValue(value, name)) != null) {
            throw new PayloadRejectedException(
                    RejectReason.MALFORMED_JSON, where + ": metric '" + name + "' twice at one time");
        }
    }

    private List<Reading> readings(Map<Long, Map<String, Double>> byTime, TopicAddress address, long receivedAt)
            throws PayloadRejectedException {
        if (byTime.isEmpty()) {
            throw new PayloadRejectedException(RejectReason.NO_METRICS, "no numeric SenML records");
        }
        List<Reading> readings = new ArrayList<>();
        for (Map.Entry<Long, Map<String, Double>> entry : byTime.entrySet()) {
            checkTimestamp(entry.getKey(), receivedAt);
            checkMetricCount(entry.getValue().size());
            String[] names = entry.getValue().keySet().toArray(String[]::new);
            double[] values = entry.getValue().values().stream()
                    .mapToDouble(Double::doubleValue)
                    .toArray();
            readings.add(new Reading(
                    address.domain(),
                    address.site(),
                    address.deviceType(),
                    address.deviceId(),
                    entry.getKey(),
                    Reading.NO_SEQ,
                    receivedAt,
                    names,
                    values));
        }
        return readings;
    }

    /** A base name must name the topic's device: {@code <id>}, {@code <id>:} or {@code urn:dev:id:<id>:}. */
    private static void checkBaseName(String baseName, TopicAddress address) throws PayloadRejectedException {
        if (baseName.isEmpty()) {
            return;
        }
        String name = baseName.startsWith("urn:dev:id:") ? baseName.substring("urn:dev:id:".length()) : baseName;
        if (name.endsWith(":")) {
            name = name.substring(0, name.length() - 1);
        }
        if (!name.equals(address.deviceId())) {
            throw new PayloadRejectedException(
                    RejectReason.DEVICE_MISMATCH,
                    "base name '" + baseName + "' names another device than the topic's '" + address.deviceId() + "'");
        }
    }

    private static void requireDeviceTopic(TopicAddress address, String topic) throws PayloadRejectedException {
        if (address.isGateway()) {
            throw new PayloadRejectedException(
                    RejectReason.WRONG_TYPE,
                    "a gateway topic (" + topic + ") carries batches: a JSON array of readings with deviceId");
        }
    }

    private void checkTimestamp(long ts, long now) throws PayloadRejectedException {
        if (withinClockDistance(ts, now)) {
            return;
        }
        if (ts > now) {
            throw new PayloadRejectedException(
                    RejectReason.TIMESTAMP_IN_FUTURE,
                    "ts " + ts + " (" + instant(ts)
                            + ") is " + Duration.ofMillis(ts - now) + " ahead of the bridge's clock, more than "
                            + Duration.ofMillis(maxFutureMillis) + " (ingest.max-future)");
        }
        throw new PayloadRejectedException(
                RejectReason.TIMESTAMP_OUT_OF_RANGE,
                "ts " + ts + " (" + instant(ts)
                        + ") is more than " + Duration.ofMillis(maxClockDistanceMillis) + " (ingest.max-clock-distance)"
                        + " before the bridge's clock");
    }

    /**
     * Between {@code maxClockDistance} before now and {@code maxFuture} after it. Compared, not
     * subtracted: {@code ts - now} overflows for a timestamp near Long.MIN_VALUE, and Math.abs of
     * the result let such a reading through.
     */
    boolean withinClockDistance(long ts, long now) {
        return ts >= now - maxClockDistanceMillis && ts <= now + maxFutureMillis;
    }

    private static String instant(long ts) {
        try {
            return java.time.Instant.ofEpochMilli(ts).toString();
        } catch (java.time.DateTimeException e) {
            return "out of any calendar";
        }
    }

    private static void rejectUnknownFields(JsonNode node, Set<String> allowed) throws PayloadRejectedException {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new PayloadRejectedException(RejectReason.UNKNOWN_FIELD, "unknown field '" + name + "'");
            }
        }
    }

    private static long wholeNumber(JsonNode node, String field) throws PayloadRejectedException {
        JsonNode value = node.get(field);
        if (value == null) {
            throw new PayloadRejectedException(RejectReason.MISSING_FIELD, "no '" + field + "'");
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new PayloadRejectedException(
                    RejectReason.WRONG_TYPE, "'" + field + "' is not a whole number: " + value);
        }
        return value.asLong();
    }

    private static double number(JsonNode node, String field) throws PayloadRejectedException {
        JsonNode value = node.get(field);
        if (!value.isNumber()) {
            throw new PayloadRejectedException(RejectReason.WRONG_TYPE, "'" + field + "' is not a number: " + value);
        }
        return value.asDouble();
    }

    private static String text(JsonNode node, String field) throws PayloadRejectedException {
        JsonNode value = node.get(field);
        if (!value.isTextual()) {
            throw new PayloadRejectedException(RejectReason.WRONG_TYPE, "'" + field + "' is not a string: " + value);
        }
        return value.asText();
    }

    private double checkValue(double value, String metric) throws PayloadRejectedException {
        if (!Double.isFinite(value)) {
            throw new PayloadRejectedException(
                    RejectReason.NOT_A_NUMBER, "metric '" + metric + "' is not finite: " + value);
        }
        if (!withinMagnitude(value)) {
            throw new PayloadRejectedException(
                    RejectReason.VALUE_OUT_OF_RANGE,
                    "metric '" + metric + "' is " + value + ", beyond +-" + limits.maxAbsValue()
                            + " (ingest.max-abs-value)");
        }
        return value;
    }

    boolean withinMagnitude(double value) {
        return Math.abs(value) <= limits.maxAbsValue();
    }

    PayloadLimits limits() {
        return limits;
    }

    private void checkMetricCount(int count) throws PayloadRejectedException {
        if (count > limits.maxMetrics()) {
            throw new PayloadRejectedException(
                    RejectReason.TOO_MANY_METRICS,
                    count + " metrics in one reading, more than " + limits.maxMetrics() + " (ingest.max-metrics)");
        }
    }

    static boolean isSafeId(String value) {
        return isSafe(value, 128, "_.:-", false);
    }

    static boolean isSafeMetric(String value) {
        return isSafe(value, 64, "_.-", true);
    }

    static String safeId(String value, String what) throws PayloadRejectedException {
        if (!isSafeId(value)) {
            throw new PayloadRejectedException(
                    RejectReason.UNSAFE_NAME,
                    what + " '" + printable(value)
                            + "' may only have letters, digits, '_', '.', ':' and '-' (1-128 characters)");
        }
        return value;
    }

    static String safeMetric(String value) throws PayloadRejectedException {
        if (!isSafeMetric(value)) {
            throw new PayloadRejectedException(
                    RejectReason.UNSAFE_NAME,
                    "metric name '" + printable(value)
                            + "' may only have letters, digits, '_', '.' and '-' (1-64 characters)");
        }
        return value;
    }

    /**
     * 1 to {@code maxLength} ASCII letters, digits and {@code punctuation}; the first character a
     * letter or digit, or also '_' when {@code underscoreFirst}. A loop rather than a regex: it runs
     * for every reading, and a Matcher per call was a tenth of the bridge's allocation.
     */
    private static boolean isSafe(String value, int maxLength, String punctuation, boolean underscoreFirst) {
        int length = value.length();
        if (length == 0 || length > maxLength) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            boolean alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (alphanumeric) {
                continue;
            }
            boolean allowed = i == 0 ? underscoreFirst && c == '_' : punctuation.indexOf(c) >= 0;
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String s) {
        String shown = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return shown.replace("\n", "\\n").replace("\r", "\\r");
    }

    private static String firstLine(String message) {
        String line =
                message == null ? "unreadable" : message.lines().findFirst().orElse(message);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
