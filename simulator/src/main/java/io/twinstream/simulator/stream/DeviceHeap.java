package io.twinstream.simulator.stream;

/**
 * A min-heap of device indices by the time of their next reading, on primitive arrays (a million
 * devices without a million boxed entries). Ties go to the lower device index.
 */
final class DeviceHeap {

    private final int[] devices;
    private final long[] times;
    private int size;

    DeviceHeap(int capacity) {
        devices = new int[capacity];
        times = new long[capacity];
    }

    boolean isEmpty() {
        return size == 0;
    }

    long peekTime() {
        return times[0];
    }

    void add(int device, long time) {
        int i = size++;
        devices[i] = device;
        times[i] = time;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(i, parent)) {
                break;
            }
            swap(i, parent);
            i = parent;
        }
    }

    int poll() {
        int top = devices[0];
        size--;
        devices[0] = devices[size];
        times[0] = times[size];
        int i = 0;
        while (true) {
            int left = 2 * i + 1;
            if (left >= size) {
                break;
            }
            int child = left + 1 < size && less(left + 1, left) ? left + 1 : left;
            if (!less(child, i)) {
                break;
            }
            swap(i, child);
            i = child;
        }
        return top;
    }

    private boolean less(int a, int b) {
        return times[a] < times[b] || times[a] == times[b] && devices[a] < devices[b];
    }

    private void swap(int a, int b) {
        int d = devices[a];
        devices[a] = devices[b];
        devices[b] = d;
        long t = times[a];
        times[a] = times[b];
        times[b] = t;
    }
}
