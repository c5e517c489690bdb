package io.twinstream.simulator.stream;

import io.twinstream.simulator.device.DeviceCatalog;
import io.twinstream.simulator.device.DeviceModel;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.scenario.Scenario.ConnectionMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Every simulated device of a scenario, as compact arrays (a million devices fit in a few hundred
 * MB), with its identity, fleet and connection. Device ids are {@code <prefix>-<6 digits>},
 * numbered per type across the scenario; gateways are {@code gw-<site>-<3 digits>}.
 */
public final class DeviceFleet {

    private final Scenario scenario;
    private final List<Scenario.Fleet> fleets = new ArrayList<>();
    private final List<DeviceModel> fleetModels = new ArrayList<>();
    private final List<Scenario.Site> fleetSites = new ArrayList<>();
    private final List<String> gatewayIds = new ArrayList<>();
    private final List<String> gatewaySites = new ArrayList<>();
    private final List<String> gatewayDomains = new ArrayList<>();
    private final String[] ids;
    private final int[] fleetOf;
    private final int[] gatewayOf;

    /**
     * @param scale multiplies every fleet's size (at least one device each); 1 = as declared
     */
    public DeviceFleet(Scenario scenario, double scale) {
        this.scenario = scenario;
        List<String> idList = new ArrayList<>();
        List<Integer> fleetList = new ArrayList<>();
        List<Integer> gatewayList = new ArrayList<>();
        java.util.Map<String, Integer> numberByType = new java.util.HashMap<>();
        for (Scenario.Site site : scenario.sites()) {
            int inGateway = 0;
            int siteGateways = 0;
            for (Scenario.Fleet fleet : site.fleets()) {
                DeviceModel model = DeviceCatalog.find(fleet.deviceType()).orElseThrow();
                int fleetIndex = fleets.size();
                fleets.add(fleet);
                fleetModels.add(model);
                fleetSites.add(site);
                int count = Math.max(1, (int) Math.round(fleet.count() * scale));
                for (int i = 0; i < count; i++) {
                    int number = numberByType.merge(model.type(), 1, Integer::sum);
                    idList.add(String.format("%s-%06d", model.idPrefix(), number));
                    fleetList.add(fleetIndex);
                    if (scenario.publish().connections() == ConnectionMode.GATEWAY) {
                        if (inGateway == 0) {
                            gatewayIds.add(String.format("gw-%s-%03d", site.name(), ++siteGateways));
                            gatewaySites.add(site.name());
                            gatewayDomains.add(site.domain());
                        }
                        gatewayList.add(gatewayIds.size() - 1);
                        inGateway = (inGateway + 1) % scenario.publish().devicesPerGateway();
                    } else {
                        gatewayList.add(-1);
                    }
                }
            }
        }
        ids = idList.toArray(String[]::new);
        fleetOf = fleetList.stream().mapToInt(Integer::intValue).toArray();
        gatewayOf = gatewayList.stream().mapToInt(Integer::intValue).toArray();
    }

    public Scenario scenario() {
        return scenario;
    }

    public int size() {
        return ids.length;
    }

    public String id(int device) {
        return ids[device];
    }

    public DeviceModel model(int device) {
        return fleetModels.get(fleetOf[device]);
    }

    public Scenario.Fleet fleet(int device) {
        return fleets.get(fleetOf[device]);
    }

    public Scenario.Site site(int device) {
        return fleetSites.get(fleetOf[device]);
    }

    /** The gateway a device reports through, or -1 with one connection per device. */
    public int gateway(int device) {
        return gatewayOf[device];
    }

    public int gatewayCount() {
        return gatewayIds.size();
    }

    public String gatewayId(int gateway) {
        return gatewayIds.get(gateway);
    }

    public String gatewaySite(int gateway) {
        return gatewaySites.get(gateway);
    }

    public String gatewayDomain(int gateway) {
        return gatewayDomains.get(gateway);
    }

    /** MQTT connections the stream uses: gateways, or one per device. */
    public int connectionCount() {
        return scenario.publish().connections() == ConnectionMode.GATEWAY ? gatewayIds.size() : ids.length;
    }

    /** The MQTT client id of a connection. */
    public String connectionId(int connection) {
        return scenario.publish().connections() == ConnectionMode.GATEWAY
                ? gatewayIds.get(connection)
                : ids[connection];
    }

    public int connectionOf(int device) {
        return scenario.publish().connections() == ConnectionMode.GATEWAY ? gatewayOf[device] : device;
    }

    /** {@code telemetry/{domain}/{site}/{deviceType}/{deviceId}} */
    public String telemetryTopic(int device) {
        Scenario.Site site = site(device);
        return "telemetry/" + site.domain() + "/" + site.name() + "/"
                + model(device).type() + "/" + ids[device];
    }

    /** A gateway's batches go to {@code telemetry/{domain}/{site}/gateway/{gatewayId}}. */
    public String batchTopic(int gateway) {
        return "telemetry/" + gatewayDomains.get(gateway) + "/" + gatewaySites.get(gateway) + "/gateway/"
                + gatewayIds.get(gateway);
    }

    public static String statusTopic(String deviceOrGatewayId) {
        return "devices/" + deviceOrGatewayId + "/status";
    }
}
