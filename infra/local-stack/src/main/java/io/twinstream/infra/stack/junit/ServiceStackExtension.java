package io.twinstream.infra.stack.junit;

import io.twinstream.infra.stack.InfluxServer;
import io.twinstream.infra.stack.KafkaBroker;
import io.twinstream.infra.stack.MqttBroker;
import io.twinstream.infra.stack.ServiceStack;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands tests their services as parameters: {@link MqttBroker}, {@link KafkaBroker},
 * {@link InfluxServer} or the whole {@link ServiceStack}. Each service is started on first use and
 * shared by every test class of the JVM (one test JVM per integration-test class in this build);
 * it is stopped when the JVM's tests are done. Which backend serves it follows
 * {@link io.twinstream.infra.stack.Backend}: never a hard-coded port.
 *
 * <p>Shared services mean a test creates its own topics and databases (see
 * {@link io.twinstream.infra.stack.KafkaTopics#uniqueName}); a test that restarts or kills a
 * service starts its own with the classes in {@code io.twinstream.infra.stack.local}.
 *
 * <pre>{@code
 * @ExtendWith(ServiceStackExtension.class)
 * class BridgeIT {
 *     @Test
 *     void shouldForward(MqttBroker mqtt, KafkaBroker kafka) { ... }
 * }
 * }</pre>
 */
public final class ServiceStackExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(ServiceStackExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == MqttBroker.class
                || type == KafkaBroker.class
                || type == InfluxServer.class
                || type == ServiceStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        ServiceStack stack = stack(extensionContext);
        Class<?> type = parameterContext.getParameter().getType();
        if (type == MqttBroker.class) {
            return stack.mqtt();
        }
        if (type == KafkaBroker.class) {
            return stack.kafka();
        }
        if (type == InfluxServer.class) {
            return stack.influx();
        }
        return stack;
    }

    /** The JVM-wide stack; JUnit closes it (an AutoCloseable in the root store) after the last test. */
    private static ServiceStack stack(ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(ServiceStack.class, key -> ServiceStack.fromEnvironment(), ServiceStack.class);
    }
}
