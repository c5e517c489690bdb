package io.twinstream.model;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The binary encoding of {@link Reading} on {@code telemetry.readings}. Version 1, big-endian:
 *
 * <pre>
 * u8   version            1
 * u8   flags              bit 0: a seq follows
 * i64  ts                 epoch ms, as the device reported it
 * i64  seq                only if flags bit 0
 * i64  ingestedAt         epoch ms
 * str  domain, site, deviceType, deviceId      (str = u16 byte length + UTF-8)
 * u16  n                  number of metrics, at least 1
 * n ×  (str name, f64 value)
 * </pre>
 *
 * A reader rejects a version it does not know, a truncated record and trailing bytes, each with
 * a message saying which. Compatibility rule: a new field means a new version; readers are
 * upgraded before writers.
 */
public final class ReadingCodec {

    public static final byte VERSION = 1;
    private static final int FLAG_SEQ = 1;
    private static final int MAX_STRING = 0xFFFF;

    private ReadingCodec() {}

    public static byte[] encode(Reading r) {
        byte[][] strings = {utf8(r.domain()), utf8(r.site()), utf8(r.deviceType()), utf8(r.deviceId())};
        byte[][] names = new byte[r.metricCount()][];
        int size = 1 + 1 + 8 + (r.hasSeq() ? 8 : 0) + 8 + 2;
        for (byte[] s : strings) {
            size += 2 + s.length;
        }
        for (int i = 0; i < names.length; i++) {
            names[i] = utf8(r.metricNames()[i]);
            size += 2 + names[i].length + 8;
        }
        if (names.length > MAX_STRING) {
            throw new IllegalArgumentException(
                    "a reading has at most " + MAX_STRING + " metrics, this one " + names.length);
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(VERSION);
        out.put((byte) (r.hasSeq() ? FLAG_SEQ : 0));
        out.putLong(r.ts());
        if (r.hasSeq()) {
            out.putLong(r.seq());
        }
        out.putLong(r.ingestedAt());
        for (byte[] s : strings) {
            putString(out, s);
        }
        out.putShort((short) names.length);
        for (int i = 0; i < names.length; i++) {
            putString(out, names[i]);
            out.putDouble(r.metricValues()[i]);
        }
        return out.array();
    }

    /** @throws IllegalArgumentException naming what is wrong with the bytes */
    public static Reading decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new IllegalArgumentException("empty telemetry.readings record");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte version = in.get();
        if (version != VERSION) {
            throw new IllegalArgumentException("telemetry.readings record of encoding version " + (version & 0xFF)
                    + "; this reader knows version " + VERSION);
        }
        try {
            int flags = in.get();
            long ts = in.getLong();
            long seq = (flags & FLAG_SEQ) != 0 ? in.getLong() : Reading.NO_SEQ;
            long ingestedAt = in.getLong();
            String domain = getString(in);
            String site = getString(in);
            String deviceType = getString(in);
            String deviceId = getString(in);
            int n = Short.toUnsignedInt(in.getShort());
            String[] names = new String[n];
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                names[i] = getString(in);
                values[i] = in.getDouble();
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(
                        "telemetry.readings record has " + in.remaining() + " trailing bytes");
            }
            return new Reading(domain, site, deviceType, deviceId, ts, seq, ingestedAt, names, values);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated telemetry.readings record (" + bytes.length + " bytes)", e);
        }
    }

    private static byte[] utf8(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_STRING) {
            throw new IllegalArgumentException("string of " + bytes.length + " bytes is longer than " + MAX_STRING);
        }
        return bytes;
    }

    private static void putString(ByteBuffer out, byte[] s) {
        out.putShort((short) s.length);
        out.put(s);
    }

    private static String getString(ByteBuffer in) {
        int length = Short.toUnsignedInt(in.getShort());
        if (length > in.remaining()) {
            throw new BufferUnderflowException();
        }
        String s = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return s;
    }
}
