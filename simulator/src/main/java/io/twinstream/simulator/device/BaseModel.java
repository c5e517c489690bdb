package io.twinstream.simulator.device;

import java.util.List;
import java.util.SplittableRandom;

/** The bookkeeping every device model shares: names, metrics, the size of its per-device memory. */
public abstract class BaseModel implements DeviceModel {

    private final String type;
    private final String domain;
    private final String idPrefix;
    private final int stateSize;
    private final List<Metric> metrics;

    protected BaseModel(String type, String domain, String idPrefix, int stateSize, List<Metric> metrics) {
        this.type = type;
        this.domain = domain;
        this.idPrefix = idPrefix;
        this.stateSize = stateSize;
        this.metrics = List.copyOf(metrics);
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public final String domain() {
        return domain;
    }

    @Override
    public final String idPrefix() {
        return idPrefix;
    }

    @Override
    public final List<Metric> metrics() {
        return metrics;
    }

    @Override
    public final int stateSize() {
        return stateSize;
    }

    /** No per-device baseline unless the model needs one. */
    @Override
    public void init(double[] state, SplittableRandom random) {}

    @Override
    public String toString() {
        return type;
    }
}
