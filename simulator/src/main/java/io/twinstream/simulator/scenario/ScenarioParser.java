package io.twinstream.simulator.scenario;

import io.twinstream.model.yaml.YamlField;
import io.twinstream.simulator.device.DeviceCatalog;
import io.twinstream.simulator.device.DeviceModel;
import io.twinstream.simulator.device.Metric;
import io.twinstream.simulator.scenario.Scenario.AlertRule;
import io.twinstream.simulator.scenario.Scenario.ConnectionMode;
import io.twinstream.simulator.scenario.Scenario.Episode;
import io.twinstream.simulator.scenario.Scenario.Faults;
import io.twinstream.simulator.scenario.Scenario.Fleet;
import io.twinstream.simulator.scenario.Scenario.PayloadFormat;
import io.twinstream.simulator.scenario.Scenario.Publish;
import io.twinstream.simulator.scenario.Scenario.Site;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads scenario files. Every mistake is reported as a {@link ScenarioException} naming the
 * file, the line and the field, with what was expected.
 */
public final class ScenarioParser {

    /** Names become MQTT topic levels and InfluxDB tags: keep them to safe characters. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    private static final Set<String> TOP =
            Set.of("name", "seed", "start", "duration", "speed", "timezone", "publish", "sites", "faults", "episodes");
    private static final Set<String> PUBLISH =
            Set.of("qos", "connections", "devicesPerGateway", "batchSize", "maxInFlight");
    private static final Set<String> SITE = Set.of("name", "domain", "devices");
    private static final Set<String> FLEET = Set.of("count", "interval", "format");
    private static final Set<String> FAULTS = Set.of(
            "duplicate",
            "outOfOrder",
            "late",
            "malformed",
            "spike",
            "stuck",
            "drift",
            "dropout",
            "offline",
            "outOfOrderMaxDelay",
            "lateDelay",
            "clockSkew");
    private static final Set<String> EPISODE =
            Set.of("name", "site", "deviceType", "metric", "start", "duration", "level", "alert");
    private static final Set<String> ALERT = Set.of("rule", "above", "for", "clearBelow", "severity");

    private ScenarioParser() {}

    /**
     * Reads a scenario from a file, or, when no such file exists, from the scenarios shipped with
     * the simulator ({@code demo.yaml}, {@code city.yaml}, {@code factory.yaml}).
     */
    public static Scenario load(String pathOrShippedName) {
        Path path = Path.of(pathOrShippedName);
        if (Files.isRegularFile(path)) {
            try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                return parse(path.getFileName().toString(), reader);
            } catch (IOException e) {
                throw new ScenarioException("cannot read scenario file " + path + ": " + e.getMessage(), e);
            }
        }
        InputStream shipped = ScenarioParser.class.getResourceAsStream("/scenarios/" + path.getFileName());
        if (shipped == null) {
            throw new ScenarioException("no scenario file '" + pathOrShippedName
                    + "' (and no shipped scenario of that name; shipped: demo.yaml, city.yaml, factory.yaml)");
        }
        try (Reader reader = new InputStreamReader(shipped, StandardCharsets.UTF_8)) {
            return parse(path.getFileName().toString(), reader);
        } catch (IOException e) {
            throw new ScenarioException("cannot read shipped scenario " + pathOrShippedName, e);
        }
    }

    public static Scenario parse(String fileName, String yaml) {
        return parse(fileName, new StringReader(yaml));
    }

    public static Scenario parse(String fileName, Reader reader) {
        YamlField root = YamlField.read(fileName, reader, ScenarioException::new);
        Map<String, YamlField> top = root.mapping(TOP);
        String name = name(root.field(top, "name"), "name");
        long seed = root.field(top, "seed").wholeNumber(Long.MIN_VALUE, Long.MAX_VALUE);
        Instant start = instant(root.field(top, "start"));
        Duration duration = root.field(top, "duration").duration(Duration.ofSeconds(1), null);
        double speed = speed(root.field(top, "speed"));
        ZoneId zone = zone(root.field(top, "timezone"));
        Publish publish = publish(root.field(top, "publish"));
        List<Site> sites = sites(root.field(top, "sites"), publish);
        Faults faults = faults(root.field(top, "faults"));
        List<Episode> episodes =
                top.containsKey("episodes") && top.get("episodes").present()
                        ? episodes(top.get("episodes"), sites)
                        : List.of();
        return new Scenario(name, seed, start, duration, speed, zone, publish, sites, faults, episodes);
    }

    private static String name(YamlField field, String what) {
        String value = field.string();
        if (!NAME.matcher(value).matches()) {
            throw field.error(
                    "'" + value + "' is not a usable " + what
                            + ": lower-case letters, digits, '-' and '_', starting with a letter or digit (it becomes an MQTT topic level and an InfluxDB tag)");
        }
        return value;
    }

    private static Instant instant(YamlField field) {
        if (!field.present() || "now".equals(field.string())) {
            return null; // the present, fixed when the scenario is played (Scenario.startingNow)
        }
        try {
            return Instant.parse(field.string());
        } catch (DateTimeException e) {
            throw field.error("'" + field.string() + "' is not an instant like 2026-01-05T06:00:00Z, nor 'now'");
        }
    }

    private static double speed(YamlField field) {
        if (!field.present()) {
            return 1.0;
        }
        if ("max".equals(field.string())) {
            return 0;
        }
        return field.number(0.001, 1_000_000);
    }

    private static ZoneId zone(YamlField field) {
        String id = field.string("UTC");
        try {
            return ZoneId.of(id);
        } catch (DateTimeException e) {
            throw field.error("'" + id + "' is not a time zone like Europe/Berlin or UTC");
        }
    }

    private static Publish publish(YamlField field) {
        if (!field.present()) {
            return new Publish(1, ConnectionMode.GATEWAY, 500, 100, 20);
        }
        Map<String, YamlField> f = field.mapping(PUBLISH);
        int qos = (int) field.field(f, "qos").wholeNumber(0, 1, 1);
        ConnectionMode mode = ConnectionMode.GATEWAY;
        if (f.containsKey("connections")) {
            String text = f.get("connections").string();
            try {
                mode = ConnectionMode.valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw f.get("connections").error("'" + text + "' is not one of: device, gateway");
            }
        }
        int perGateway = (int) field.field(f, "devicesPerGateway").wholeNumber(1, 1_000_000, 500);
        int batch = (int) field.field(f, "batchSize").wholeNumber(1, 10_000, 100);
        int inFlight = (int) field.field(f, "maxInFlight").wholeNumber(1, 65_535, 20);
        return new Publish(qos, mode, perGateway, batch, inFlight);
    }

    private static List<Site> sites(YamlField field, Publish publish) {
        List<Site> sites = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (YamlField item : field.sequence()) {
            Map<String, YamlField> f = item.mapping(SITE);
            YamlField nameField = item.field(f, "name");
            String name = name(require(f, "name", item), "site name");
            if (!names.add(name)) {
                throw nameField.error("site '" + name + "' is declared twice");
            }
            String domain = require(f, "domain", item).string();
            if (!domain.equals("city") && !domain.equals("factory")) {
                throw f.get("domain").error("'" + domain + "' is not one of: city, factory");
            }
            List<Fleet> fleets = new ArrayList<>();
            for (Map.Entry<String, YamlField> entry :
                    require(f, "devices", item).namedMapping().entrySet()) {
                fleets.add(fleet(entry.getKey(), entry.getValue(), domain, publish));
            }
            if (fleets.isEmpty()) {
                throw f.get("devices").error("declares no devices");
            }
            sites.add(new Site(name, domain, fleets));
        }
        if (sites.isEmpty()) {
            throw field.error("declares no sites");
        }
        return sites;
    }

    private static Fleet fleet(String type, YamlField field, String domain, Publish publish) {
        DeviceModel model = DeviceCatalog.find(type)
                .orElseThrow(() -> field.error("unknown device type '" + type + "'; " + domain + " types: "
                        + String.join(", ", DeviceCatalog.typesOf(domain))));
        if (!model.domain().equals(domain)) {
            throw field.error("'" + type + "' is a " + model.domain() + " device type, not a " + domain + " one; "
                    + domain + " types: " + String.join(", ", DeviceCatalog.typesOf(domain)));
        }
        Map<String, YamlField> f = field.mapping(FLEET);
        int count = (int) require(f, "count", field).wholeNumber(1, 10_000_000);
        Duration interval = field.field(f, "interval").duration(Duration.ofMillis(100), Duration.ofSeconds(10));
        PayloadFormat format = PayloadFormat.JSON;
        if (f.containsKey("format")) {
            String text = f.get("format").string();
            format = java.util.Arrays.stream(PayloadFormat.values())
                    .filter(p -> p.yamlName().equals(text))
                    .findFirst()
                    .orElseThrow(() ->
                            f.get("format").error("'" + text + "' is not one of: json, senml, senml-draft, batch"));
            if (format == PayloadFormat.BATCH && publish.connections() != ConnectionMode.GATEWAY) {
                throw f.get("format")
                        .error("batch needs publish.connections: gateway (a device does not batch for others)");
            }
        }
        return new Fleet(type, count, interval, format);
    }

    private static Faults faults(YamlField field) {
        Faults none = Faults.none();
        if (!field.present()) {
            return none;
        }
        Map<String, YamlField> f = field.mapping(FAULTS);
        return new Faults(
                field.field(f, "duplicate").number(0, 1, 0),
                field.field(f, "outOfOrder").number(0, 1, 0),
                field.field(f, "late").number(0, 1, 0),
                field.field(f, "malformed").number(0, 1, 0),
                field.field(f, "spike").number(0, 1, 0),
                field.field(f, "stuck").number(0, 100, 0),
                field.field(f, "drift").number(0, 100, 0),
                field.field(f, "dropout").number(0, 100, 0),
                field.field(f, "offline").number(0, 100, 0),
                field.field(f, "outOfOrderMaxDelay").duration(Duration.ofMillis(1), none.outOfOrderMaxDelay()),
                field.field(f, "lateDelay").duration(Duration.ofSeconds(1), none.lateDelay()),
                field.field(f, "clockSkew").duration(Duration.ZERO, none.clockSkew()));
    }

    private static List<Episode> episodes(YamlField field, List<Site> sites) {
        List<Episode> episodes = new ArrayList<>();
        for (YamlField item : field.sequence()) {
            Map<String, YamlField> f = item.mapping(EPISODE);
            String name = name(require(f, "name", item), "episode name");
            String siteName = require(f, "site", item).string();
            Site site = sites.stream()
                    .filter(s -> s.name().equals(siteName))
                    .findFirst()
                    .orElseThrow(() -> f.get("site").error("no site '" + siteName + "' in this scenario"));
            String type = require(f, "deviceType", item).string();
            if (site.fleets().stream().noneMatch(fleet -> fleet.deviceType().equals(type))) {
                throw f.get("deviceType").error("site '" + siteName + "' has no '" + type + "' devices");
            }
            String metric = require(f, "metric", item).string();
            List<String> metrics = DeviceCatalog.find(type).orElseThrow().metrics().stream()
                    .map(Metric::name)
                    .toList();
            if (!metrics.contains(metric)) {
                throw f.get("metric")
                        .error("'" + type + "' has no metric '" + metric + "'; it has " + String.join(", ", metrics));
            }
            Duration start = require(f, "start", item).duration(Duration.ZERO, null);
            Duration duration = require(f, "duration", item).duration(Duration.ofSeconds(1), null);
            double level = require(f, "level", item).number(-1e12, 1e12);
            AlertRule alert = alert(require(f, "alert", item), name);
            if (!(level > alert.above())) {
                throw f.get("level")
                        .error("level " + level + " does not exceed the alert's 'above' " + alert.above()
                                + ": the episode could never raise it");
            }
            episodes.add(new Episode(name, siteName, type, metric, start, duration, level, alert));
        }
        return episodes;
    }

    private static AlertRule alert(YamlField field, String episodeName) {
        Map<String, YamlField> f = field.mapping(ALERT);
        String rule = f.containsKey("rule") ? name(f.get("rule"), "rule name") : episodeName;
        double above = require(f, "above", field).number(-1e12, 1e12);
        Duration holdFor = field.field(f, "for").duration(Duration.ZERO, Duration.ZERO);
        double clearBelow = field.field(f, "clearBelow").number(-1e12, 1e12, above);
        if (clearBelow > above) {
            throw f.get("clearBelow")
                    .error("clearBelow " + clearBelow + " is above 'above' " + above
                            + ": an alert would clear while still raised");
        }
        String severity = field.field(f, "severity").string("warning");
        if (!Set.of("info", "warning", "critical").contains(severity)) {
            throw f.get("severity").error("'" + severity + "' is not one of: info, warning, critical");
        }
        return new AlertRule(rule, above, holdFor, clearBelow, severity);
    }

    private static YamlField require(Map<String, YamlField> fields, String key, YamlField parent) {
        YamlField field = fields.get(key);
        if (field == null || !field.present()) {
            throw parent.error("'" + key + "' is required");
        }
        return field;
    }
}
