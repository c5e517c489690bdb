package io.twinstream.infra.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.model.TopicCatalog;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** infra/docker-compose.yml must agree with the project's defaults and stack versions. */
class ComposeFileTest {

    /** Surefire runs in the module directory, infra/local-stack. */
    private static final Path INFRA = Path.of("").toAbsolutePath().getParent();

    private static final Path ROOT = INFRA.getParent();

    private static Map<String, Map<String, Object>> services;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void parse() throws IOException {
        try (Reader reader = Files.newBufferedReader(INFRA.resolve("docker-compose.yml"))) {
            Map<String, Object> compose = new Yaml().load(reader);
            services = (Map<String, Map<String, Object>>) compose.get("services");
        }
    }

    @Test
    void shouldDefineTheWholeStack() {
        assertThat(services)
                .containsKeys(
                        "mosquitto-init",
                        "mosquitto",
                        "mosquitto-access",
                        "kafka",
                        "kafka-init",
                        "ingest",
                        "flink-jobmanager",
                        "flink-taskmanager",
                        "flink-jobs",
                        "influxdb",
                        "grafana");
    }

    /**
     * Every service on its default port; only MQTT beyond localhost (issue #17: Flink's REST API
     * takes job jars, code to run; Kafka and InfluxDB take no login here).
     */
    @Test
    void shouldPublishEveryServiceOnItsDefaultPortAndOnlyMqttBeyondLocalhost() {
        assertThat(ports("mosquitto")).containsExactly(ServiceDefaults.MQTT_PORT + ":" + ServiceDefaults.MQTT_PORT);
        assertThat(ports("kafka"))
                .containsExactly("127.0.0.1:" + ServiceDefaults.KAFKA_PORT + ":" + ServiceDefaults.KAFKA_PORT);
        assertThat(ports("flink-jobmanager"))
                .containsExactly(
                        "127.0.0.1:" + ServiceDefaults.FLINK_REST_PORT + ":" + ServiceDefaults.FLINK_REST_PORT);
        assertThat(ports("influxdb"))
                .containsExactly("127.0.0.1:" + ServiceDefaults.INFLUX_PORT + ":" + ServiceDefaults.INFLUX_PORT);
        assertThat(ports("grafana"))
                .containsExactly("127.0.0.1:" + ServiceDefaults.GRAFANA_PORT + ":" + ServiceDefaults.GRAFANA_PORT);
    }

    /** Issue #17: no admin/admin; Compose refuses to start without a password from the environment. */
    @Test
    void shouldTakeGrafanasAdminPasswordFromTheEnvironmentWithNoDefault() {
        assertThat(env("grafana").get("GF_SECURITY_ADMIN_PASSWORD")).startsWith("${GRAFANA_ADMIN_PASSWORD:?");
    }

    @Test
    void shouldAdvertiseKafkaToTheHostOnTheDefaultPortAndToContainersByName() {
        String advertised = env("kafka").get("KAFKA_ADVERTISED_LISTENERS");

        assertThat(advertised)
                .contains("EXTERNAL://localhost:" + ServiceDefaults.KAFKA_PORT)
                .contains("INTERNAL://kafka:");
        assertThat(env("kafka")).containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
    }

    /** kafka-init creates exactly the catalog's topics, each as declared for a single broker. */
    @Test
    void shouldCreateEveryCatalogTopicAsDeclared() {
        String command = String.valueOf(services.get("kafka-init").get("command"));
        Map<String, String> created = new TreeMap<>();
        Matcher create = Pattern.compile("(?m)^\\s*create (\\S+) (\\d+)((?: \\S+=\\S+)*)\\s*$")
                .matcher(command);
        while (create.find()) {
            created.put(
                    create.group(1),
                    create.group(2) + " "
                            + new TreeMap<>(
                                    Arrays.stream(create.group(3).strip().split(" "))
                                            .map(c -> c.split("=", 2))
                                            .collect(Collectors.toMap(c -> c[0], c -> c[1]))));
        }
        Map<String, String> declared = new TreeMap<>();
        TopicCatalog.ALL.forEach(t -> declared.put(t.name(), t.partitions() + " " + t.configsOn(1)));

        assertThat(created).isEqualTo(declared);
        assertThat(command).contains("--replication-factor 1", "--if-not-exists");
    }

    /** The jobs are submitted, with in-container addresses, checkpoints where both Flink containers see them. */
    @Test
    void shouldSubmitBothJobsWithCheckpointsOnASharedVolume() throws Exception {
        String submit = String.valueOf(services.get("flink-jobs").get("command"));
        String jar = "twinstream-stream-jobs-" + projectVersion() + ".jar";
        assertThat(submit)
                .contains(
                        "for job in metrics alerts",
                        "flink run --detached --jobmanager flink-jobmanager:8081",
                        "/opt/twinstream/" + jar);
        assertThat(volumes("flink-jobs"))
                .contains("../stream-jobs/target:/opt/twinstream:ro", "./compose:/opt/twinstream-config:ro");
        assertThat(volumes("flink-jobmanager")).contains("flink-checkpoints:/checkpoints");
        assertThat(volumes("flink-taskmanager")).contains("flink-checkpoints:/checkpoints");
        for (String job : List.of("metrics", "alerts")) {
            Properties config = new Properties();
            try (Reader reader = Files.newBufferedReader(INFRA.resolve("compose/" + job + ".properties"))) {
                config.load(reader);
            }
            assertThat(config.getProperty("checkpoint.dir")).isEqualTo("file:///checkpoints/" + job);
            assertThat(config.getProperty("kafka.bootstrap")).isEqualTo("kafka:19092");
            assertThat(config.getProperty("influx.url")).isEqualTo("http://influxdb:" + ServiceDefaults.INFLUX_PORT);
        }
    }

    @Test
    void shouldRunTheBridgeFromTheBuiltJarAgainstTheContainers() throws Exception {
        assertThat(String.valueOf(services.get("ingest").get("command")))
                .contains("/opt/twinstream/twinstream-ingest-" + projectVersion() + "-cli.jar");
        assertThat(env("ingest"))
                .containsEntry("MQTT_URL", "tcp://mosquitto:" + ServiceDefaults.MQTT_PORT)
                .containsEntry("KAFKA_BOOTSTRAP", "kafka:19092");
        assertThat(volumes("ingest")).contains("../ingest/target:/opt/twinstream:ro");
    }

    @Test
    void shouldCheckTheHealthOfEveryLongRunningServiceOthersWaitFor() {
        for (String service : List.of("mosquitto", "kafka", "ingest", "flink-jobmanager", "influxdb")) {
            assertThat(services.get(service)).as(service).containsKey("healthcheck");
        }
    }

    @Test
    void shouldRunTheStackVersionsOfTheBuild() throws Exception {
        assertThat(image("kafka")).isEqualTo("apache/kafka:" + AppInfoParser.getVersion());
        assertThat(image("kafka-init")).isEqualTo(image("kafka"));
        String flinkVersion = rootPomProperty("flink.version");
        assertThat(image("flink-jobmanager")).isEqualTo("flink:" + flinkVersion + "-java17");
        assertThat(image("flink-taskmanager")).isEqualTo(image("flink-jobmanager"));
        assertThat(image("influxdb")).startsWith("influxdb:1.");
        assertThat(image("mosquitto")).startsWith("eclipse-mosquitto:2.");
        assertThat(image("grafana")).as("a current Grafana (issue #17)").startsWith("grafana/grafana:13.");
    }

    @Test
    void shouldCreateTheTelemetryDatabase() {
        assertThat(env("influxdb")).containsEntry("INFLUXDB_DB", ServiceDefaults.INFLUX_DATABASE);
    }

    @Test
    void shouldPointGrafanaAtTheInfluxdbServiceAndDatabase() throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> provisioning =
                new Yaml().load(Files.readString(INFRA.resolve("grafana/provisioning/datasources/influxdb.yml")));
        @SuppressWarnings("unchecked")
        Map<String, Object> datasource = ((List<Map<String, Object>>) provisioning.get("datasources")).get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> jsonData = (Map<String, Object>) datasource.get("jsonData");

        assertThat(datasource.get("url")).isEqualTo("http://influxdb:" + ServiceDefaults.INFLUX_PORT);
        assertThat(jsonData.get("dbName")).isEqualTo(ServiceDefaults.INFLUX_DATABASE);
        assertThat(volumes("grafana")).anyMatch(v -> v.startsWith("./grafana/provisioning:"));
    }

    @Test
    void shouldMountAMosquittoConfigListeningOnTheDefaultPort() throws IOException {
        assertThat(volumes("mosquitto")).contains("./mosquitto/mosquitto.conf:/mosquitto/config/mosquitto.conf:ro");
        List<String> config = Files.readAllLines(INFRA.resolve("mosquitto/mosquitto.conf"));
        assertThat(config).contains("listener " + ServiceDefaults.MQTT_PORT, "persistence true");
        // the local stack's limit: larger messages refused to their publisher, never dropped for the bridge
        assertThat(config)
                .contains("max_packet_size " + io.twinstream.infra.stack.local.MosquittoProcess.MAX_PACKET_SIZE);
    }

    /**
     * Issue #17: no anonymous broker. Logins only, kept by the dynamic security plugin (an
     * acl_file would let any login join the bridge's shared subscription); its file made once
     * with the admin login, the services' logins given at every start by the script
     * {@code BrokerAccessIT} runs against a real Mosquitto; every password from the environment
     * with no default, the bridge and the alerts job logging in with theirs.
     */
    @Test
    void shouldRunTheBrokerWithLoginsOnlyProvisionedFromTheEnvironment() throws IOException {
        List<String> config = Files.readAllLines(INFRA.resolve("mosquitto/mosquitto.conf"));
        assertThat(config)
                .contains(
                        "allow_anonymous false",
                        "plugin /usr/lib/mosquitto_dynamic_security.so",
                        "plugin_opt_config_file /mosquitto/data/dynamic-security.json");
        assertThat(String.valueOf(services.get("mosquitto-init").get("command")))
                .contains("mosquitto_ctrl dynsec init $$file admin \"$$MQTT_ADMIN_PASSWORD\"");
        assertThat(volumes("mosquitto-init")).contains("mosquitto-data:/mosquitto/data");
        assertThat(volumes("mosquitto")).contains("mosquitto-data:/mosquitto/data");
        assertThat(dependsOn("mosquitto")).containsEntry("mosquitto-init", "service_completed_successfully");

        assertThat(String.valueOf(services.get("mosquitto-access").get("command")))
                .contains("/opt/twinstream/provision-access", "services");
        assertThat(volumes("mosquitto-access"))
                .contains("./mosquitto/provision-access:/opt/twinstream/provision-access:ro");
        assertThat(Files.isRegularFile(INFRA.resolve("mosquitto/provision-access")))
                .isTrue();
        assertThat(env("mosquitto-access"))
                .containsEntry("MQTT_HOST", "mosquitto")
                .containsEntry("MQTT_PORT", String.valueOf(ServiceDefaults.MQTT_PORT));
        for (String secret : List.of("MQTT_ADMIN_PASSWORD", "INGEST_MQTT_PASSWORD", "ALERTS_MQTT_PASSWORD")) {
            assertThat(env("mosquitto-access").get(secret)).as(secret).startsWith("${" + secret + ":?");
        }
        assertThat(env("mosquitto-init").get("MQTT_ADMIN_PASSWORD")).startsWith("${MQTT_ADMIN_PASSWORD:?");
        assertThat(env("mosquitto").get("MQTT_ADMIN_PASSWORD")).startsWith("${MQTT_ADMIN_PASSWORD:?");
        assertThat(String.valueOf(services.get("mosquitto").get("healthcheck"))).contains("-u admin -P");

        assertThat(env("ingest")).containsEntry("MQTT_USERNAME", "ingest");
        assertThat(env("ingest").get("MQTT_PASSWORD")).startsWith("${INGEST_MQTT_PASSWORD:?");
        assertThat(dependsOn("ingest")).containsEntry("mosquitto-access", "service_completed_successfully");
        assertThat(env("flink-jobs")).containsEntry("ALERTS_MQTT_USERNAME", "alerts");
        assertThat(env("flink-jobs").get("ALERTS_MQTT_PASSWORD")).startsWith("${ALERTS_MQTT_PASSWORD:?");
        assertThat(dependsOn("flink-jobs")).containsEntry("mosquitto-access", "service_completed_successfully");
    }

    /**
     * InfluxDB takes logins only: the jobs write as a write-only user, Grafana reads as a
     * read-only one, every password from the environment with no default.
     */
    @Test
    void shouldRunInfluxdbWithLoginsOnlyTheJobsWritingAndGrafanaReading() throws IOException {
        assertThat(env("influxdb"))
                .containsEntry("INFLUXDB_HTTP_AUTH_ENABLED", "true")
                .containsEntry("INFLUXDB_WRITE_USER", "twinstream")
                .containsEntry("INFLUXDB_READ_USER", "grafana");
        assertThat(env("influxdb").get("INFLUXDB_ADMIN_PASSWORD")).startsWith("${INFLUX_ADMIN_PASSWORD:?");
        assertThat(env("influxdb").get("INFLUXDB_WRITE_USER_PASSWORD")).startsWith("${INFLUX_WRITE_PASSWORD:?");
        assertThat(env("influxdb").get("INFLUXDB_READ_USER_PASSWORD")).startsWith("${INFLUX_READ_PASSWORD:?");
        for (String job : List.of("METRICS", "ALERTS")) {
            assertThat(env("flink-jobs")).containsEntry(job + "_INFLUX_USERNAME", "twinstream");
            assertThat(env("flink-jobs").get(job + "_INFLUX_PASSWORD")).startsWith("${INFLUX_WRITE_PASSWORD:?");
        }
        assertThat(env("grafana").get("INFLUX_READ_PASSWORD")).startsWith("${INFLUX_READ_PASSWORD:?");
        String datasource = Files.readString(INFRA.resolve("grafana/provisioning/datasources/influxdb.yml"));
        assertThat(datasource).contains("user: grafana", "password: $INFLUX_READ_PASSWORD");
    }

    /** A service's {@code depends_on}: service → condition. */
    private static Map<String, String> dependsOn(String service) {
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> dependsOn =
                (Map<String, Map<String, Object>>) services.get(service).get("depends_on");
        return dependsOn.entrySet().stream()
                .collect(Collectors.toMap(
                        Map.Entry::getKey, e -> String.valueOf(e.getValue().get("condition"))));
    }

    @Test
    void shouldOnlyDependOnServicesItDefines() {
        services.forEach((name, service) -> {
            Object dependsOn = service.get("depends_on");
            List<String> names = dependsOn instanceof Map<?, ?> map
                    ? map.keySet().stream().map(Object::toString).collect(Collectors.toList())
                    : dependsOn instanceof List<?> list
                            ? list.stream().map(Object::toString).collect(Collectors.toList())
                            : List.of();
            assertThat(services.keySet()).as("depends_on of %s", name).containsAll(names);
        });
    }

    private static String image(String service) {
        return String.valueOf(services.get(service).get("image"));
    }

    @SuppressWarnings("unchecked")
    private static List<String> ports(String service) {
        return (List<String>) services.get(service).get("ports");
    }

    @SuppressWarnings("unchecked")
    private static List<String> volumes(String service) {
        return (List<String>) services.get(service).get("volumes");
    }

    private static Map<String, String> env(String service) {
        @SuppressWarnings("unchecked")
        Map<String, Object> environment =
                (Map<String, Object>) services.get(service).get("environment");
        return environment.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue())));
    }

    private static String projectVersion() throws Exception {
        var document = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(ROOT.resolve("pom.xml").toFile());
        return XPathFactory.newInstance()
                .newXPath()
                .evaluate("/project/version", document)
                .strip();
    }

    private static String rootPomProperty(String name) throws Exception {
        var document = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(ROOT.resolve("pom.xml").toFile());
        return XPathFactory.newInstance()
                .newXPath()
                .evaluate("/project/properties/" + name, document)
                .strip();
    }
}
