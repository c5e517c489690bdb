package io.twinstream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ReadingCodecTest {

    private static final Reading AQ = new Reading(
            "city",
            "tverskoy",
            "air-quality",
            "aq-000123",
            1_767_571_200_123L,
            17,
            1_767_571_200_456L,
            new String[] {"pm25", "no2"},
            new double[] {12.3, 40.0});

    @Test
    void shouldRoundTripAReadingWithSeq() {
        assertThat(ReadingCodec.decode(ReadingCodec.encode(AQ))).isEqualTo(AQ);
    }

    @Test
    void shouldRoundTripAReadingWithoutSeqAndUnicodeNames() {
        Reading senml = new Reading(
                "factory", "plant-1", "cnc", "cnc-äöü-1", -5, Reading.NO_SEQ, 0, new String[] {"temp°C"}, new double[] {
                    -0.0
                });

        Reading decoded = ReadingCodec.decode(ReadingCodec.encode(senml));

        assertThat(decoded).isEqualTo(senml);
        assertThat(decoded.hasSeq()).isFalse();
    }

    @Test
    void shouldWriteTheDocumentedLayout() {
        Reading r = new Reading("c", "s", "t", "d", 1, 2, 3, new String[] {"m"}, new double[] {1.5});

        assertThat(HexFormat.of().formatHex(ReadingCodec.encode(r)))
                .isEqualTo("01" + "01" // version 1, seq present
                        + "0000000000000001" // ts
                        + "0000000000000002" // seq
                        + "0000000000000003" // ingestedAt
                        + "000163" + "000173" + "000174" + "000164" // domain, site, deviceType, deviceId
                        + "0001" // one metric
                        + "00016d" + "3ff8000000000000"); // "m", 1.5
    }

    @Test
    void shouldBeCompactForATypicalReading() {
        assertThat(ReadingCodec.encode(AQ).length).isLessThan(100);
    }

    @Test
    void shouldRejectAnUnknownVersion() {
        byte[] bytes = ReadingCodec.encode(AQ);
        bytes[0] = 2;

        assertThatThrownBy(() -> ReadingCodec.decode(bytes))
                .hasMessageContaining("encoding version 2")
                .hasMessageContaining("knows version 1");
    }

    @Test
    void shouldRejectTruncatedAndOverlongRecords() {
        byte[] bytes = ReadingCodec.encode(AQ);

        assertThatThrownBy(() -> ReadingCodec.decode(Arrays.copyOf(bytes, bytes.length - 3)))
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> ReadingCodec.decode(Arrays.copyOf(bytes, bytes.length + 2)))
                .hasMessageContaining("2 trailing bytes");
        assertThatThrownBy(() -> ReadingCodec.decode(new byte[0])).hasMessageContaining("empty");
    }

    @Test
    void shouldRefuseNonFiniteValuesAndMismatchedMetrics() {
        assertThatThrownBy(
                        () -> new Reading("c", "s", "t", "d", 1, 1, 1, new String[] {"m"}, new double[] {Double.NaN}))
                .hasMessageContaining("'m' is not a finite number");
        assertThatThrownBy(() -> new Reading("c", "s", "t", "d", 1, 1, 1, new String[] {"m", "n"}, new double[] {1}))
                .hasMessageContaining("2 names and 1 values");
        assertThatThrownBy(() -> new Reading("c", "s", "t", "", 1, 1, 1, new String[] {"m"}, new double[] {1}))
                .hasMessageContaining("deviceId is empty");
    }
}
