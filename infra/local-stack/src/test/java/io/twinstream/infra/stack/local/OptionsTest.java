package io.twinstream.infra.stack.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void shouldDefaultToFreePortsPersistenceAndAGenerousQueue() {
        MosquittoProcess.Options options = MosquittoProcess.Options.defaults();

        assertThat(options.port()).isZero();
        assertThat(options.persistence()).isTrue();
        assertThat(options.username()).isNull();
        assertThat(options.maxQueuedMessages()).isEqualTo(1_000_000);
        assertThat(KafkaProcess.Options.defaults().port()).isZero();
        assertThat(KafkaProcess.Options.defaults().maxHeap()).isEqualTo("512m");
        assertThat(InfluxdProcess.Options.defaults().httpPort()).isZero();
    }

    @Test
    void shouldRejectPortsOutOfRange() {
        assertThatThrownBy(() -> MosquittoProcess.Options.defaults().withPort(70000))
                .hasMessageContaining("port must be 0..65535");
        assertThatThrownBy(() -> KafkaProcess.Options.defaults().withPort(-1))
                .hasMessageContaining("port must be 0..65535");
        assertThatThrownBy(() -> InfluxdProcess.Options.defaults().withHttpPort(65536))
                .hasMessageContaining("httpPort must be 0..65535");
    }

    @Test
    void shouldRequireUsernameAndPasswordTogether() {
        assertThatThrownBy(() -> MosquittoProcess.Options.defaults().withCredentials("user", null))
                .hasMessageContaining("username and password go together");
        assertThatThrownBy(() -> MosquittoProcess.Options.defaults().withCredentials("us:er", "pw"))
                .hasMessageContaining("without ':'");
    }

    @Test
    void shouldRejectMalformedHeapSize() {
        assertThatThrownBy(() -> new KafkaProcess.Options(0, "lots", LocalOptions.defaults(), null, null))
                .hasMessageContaining("maxHeap must look like 512m or 1g");
    }

    @Test
    void shouldRejectNonPositiveStartTimeout() {
        assertThatThrownBy(() -> LocalOptions.defaults().withStartTimeout(Duration.ZERO))
                .hasMessageContaining("startTimeout must be positive");
    }
}
