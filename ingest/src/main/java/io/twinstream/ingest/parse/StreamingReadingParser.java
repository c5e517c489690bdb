package io.twinstream.ingest.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.twinstream.model.Reading;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fast path of {@link PayloadParser}: reads a JSON reading or a gateway batch token by token,
 * without building Jackson's tree (which was 15 % of the bridge's CPU on batches: a node per value,
 * a hash map per object). It accepts only what the tree-model path accepts, with the same readings;
 * for anything else, whether SenML or a payload to refuse, it returns {@code null} and the tree
 * path parses the payload again and names the reason. Refused payloads are rare and small, so
 * reading them twice costs little, and there is one place that decides each reason.
 * {@code StreamingReadingParserTest} holds the two paths to the same answers.
 */
final class StreamingReadingParser {

    /**
     * More metrics than this in one reading go to the tree path: duplicate names are looked for
     * here by comparing each name with those before it, which must stay cheap.
     */
    static final int MAX_METRICS = 16;

    /**
     * The tree path's parser features but one: Jackson's duplicate detection keeps a hash set per
     * object (a tenth of this path's time), where a reading has a fixed set of fields and a few
     * metrics, checked here for repeats directly.
     */
    private final JsonFactory json = JsonFactory.builder()
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    private final PayloadParser rules;
    /** {@link #MAX_METRICS}, or the configured limit where that is lower. */
    private final int mostMetrics;

    /** @param rules the limits, and what names are safe */
    StreamingReadingParser(PayloadParser rules) {
        this.rules = rules;
        this.mostMetrics = Math.min(MAX_METRICS, rules.limits().maxMetrics());
    }

    /** The readings, or {@code null} when the payload is not a valid JSON reading or batch. */
    List<Reading> tryParse(byte[] payload, TopicAddress address, long receivedAt) {
        try (JsonParser p = json.createParser(payload)) {
            // one pair of scratch arrays per message; each reading keeps copies of its exact size
            Metrics scratch = new Metrics(new String[MAX_METRICS], new double[MAX_METRICS]);
            JsonToken first = p.nextToken();
            List<Reading> readings;
            if (first == JsonToken.START_OBJECT) {
                if (address.isGateway()) {
                    return null; // a gateway topic carries batches
                }
                Reading reading = reading(p, address, false, receivedAt, scratch);
                if (reading == null) {
                    return null;
                }
                readings = List.of(reading);
            } else if (first == JsonToken.START_ARRAY) {
                readings = new ArrayList<>(payload.length / 64 + 1); // a batch's readings are ~100 bytes each
                JsonToken token;
                while ((token = p.nextToken()) == JsonToken.START_OBJECT) {
                    Reading reading = reading(p, address, true, receivedAt, scratch);
                    if (reading == null) {
                        return null;
                    }
                    readings.add(reading);
                }
                if (token != JsonToken.END_ARRAY || readings.isEmpty()) {
                    return null;
                }
            } else {
                return null;
            }
            return p.nextToken() == null ? readings : null; // nothing may follow the value
        } catch (IOException e) {
            return null; // malformed, duplicate keys, numbers out of range: the tree path says which
        }
    }

    /**
     * One reading object, the parser on its START_OBJECT. In a batch the device comes from
     * {@code deviceId} (and {@code deviceType}, else the topic's), otherwise from the topic.
     */
    private Reading reading(JsonParser p, TopicAddress address, boolean inBatch, long receivedAt, Metrics scratch)
            throws IOException {
        long ts = 0;
        long seq = 0;
        boolean hasTs = false;
        boolean hasSeq = false;
        boolean hasDeviceType = false;
        String deviceId = inBatch ? null : address.deviceId();
        String deviceType = address.deviceType();
        String[] names = null;
        double[] values = null;
        JsonToken token;
        while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "ts" -> {
                    if (hasTs || !isLong(p, value)) {
                        return null;
                    }
                    ts = p.getLongValue();
                    hasTs = true;
                }
                case "seq" -> {
                    if (hasSeq || !isLong(p, value)) {
                        return null;
                    }
                    seq = p.getLongValue();
                    hasSeq = true;
                }
                case "metrics" -> {
                    if (names != null || value != JsonToken.START_OBJECT) {
                        return null;
                    }
                    int count = metrics(p, scratch.names, scratch.values);
                    if (count <= 0) {
                        return null;
                    }
                    names = Arrays.copyOf(scratch.names, count);
                    values = Arrays.copyOf(scratch.values, count);
                }
                case "deviceId" -> {
                    if (!inBatch || deviceId != null || value != JsonToken.VALUE_STRING) {
                        return null;
                    }
                    deviceId = p.getText();
                }
                case "deviceType" -> {
                    if (!inBatch || hasDeviceType || value != JsonToken.VALUE_STRING) {
                        return null;
                    }
                    deviceType = p.getText();
                    hasDeviceType = true;
                }
                default -> {
                    return null; // an unknown field
                }
            }
        }
        boolean complete = token == JsonToken.END_OBJECT && hasTs && hasSeq && names != null && deviceId != null;
        if (!complete || seq < 0 || !rules.withinClockDistance(ts, receivedAt)) {
            return null;
        }
        if (inBatch && !address.isGateway() && !deviceId.equals(address.deviceId())) {
            return null; // another device's reading on a device's topic: the tree path refuses it
        }
        if (inBatch && (!PayloadParser.isSafeId(deviceId) || !PayloadParser.isSafeId(deviceType))) {
            return null;
        }
        return new Reading(address.domain(), address.site(), deviceType, deviceId, ts, seq, receivedAt, names, values);
    }

    /**
     * Reads a {@code metrics} object, the parser on its START_OBJECT, into the arrays.
     *
     * @return how many metrics, or 0 when the tree path must decide: none, a name repeated or
     *         unsafe, a value not a finite number or too large, more than {@link #mostMetrics}
     */
    private int metrics(JsonParser p, String[] names, double[] values) throws IOException {
        int count = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken number = p.nextToken();
            if (count == mostMetrics
                    || (number != JsonToken.VALUE_NUMBER_INT && number != JsonToken.VALUE_NUMBER_FLOAT)) {
                return 0;
            }
            double value = p.getDoubleValue();
            if (!Double.isFinite(value) || !rules.withinMagnitude(value) || !PayloadParser.isSafeMetric(name)) {
                return 0;
            }
            for (int i = 0; i < count; i++) {
                if (names[i].equals(name)) {
                    return 0;
                }
            }
            names[count] = name;
            values[count] = value;
            count++;
        }
        return count;
    }

    /** Room for one reading's metrics while it is read. */
    private record Metrics(String[] names, double[] values) {}

    /** A whole number that fits a long, as the tree path's {@code isIntegralNumber && canConvertToLong}. */
    private static boolean isLong(JsonParser p, JsonToken value) throws IOException {
        return value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
    }
}
