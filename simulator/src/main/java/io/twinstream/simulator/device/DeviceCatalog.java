package io.twinstream.simulator.device;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every device type the simulator knows, by the name scenarios and topics use. */
public final class DeviceCatalog {

    private static final Map<String, DeviceModel> MODELS = new LinkedHashMap<>();

    static {
        for (DeviceModel model : List.of(
                new CityDevices.AirQuality(),
                new CityDevices.Noise(),
                new CityDevices.Traffic(),
                new CityDevices.Parking(),
                new CityDevices.ElectricityMeter(),
                new CityDevices.WaterMeter(),
                new CityDevices.HeatMeter(),
                new CityDevices.StreetLight(),
                new CityDevices.Weather(),
                new FactoryDevices.Cnc(),
                new FactoryDevices.Furnace(),
                new FactoryDevices.Compressor(),
                new FactoryDevices.Conveyor(),
                new FactoryDevices.EnergyMeter())) {
            MODELS.put(model.type(), model);
        }
    }

    private DeviceCatalog() {}

    public static Optional<DeviceModel> find(String type) {
        return Optional.ofNullable(MODELS.get(type));
    }

    public static List<DeviceModel> all() {
        return List.copyOf(MODELS.values());
    }

    public static List<String> typesOf(String domain) {
        return MODELS.values().stream()
                .filter(m -> m.domain().equals(domain))
                .map(DeviceModel::type)
                .toList();
    }
}
