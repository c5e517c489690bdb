package io.twinstream.simulator.device;

/**
 * Time-of-day and day-of-week shapes the value models share: rush hours, daylight, work shifts.
 * All take local time as an hour of day in [0, 24) and a day of week (0 = Monday).
 */
public final class Cycles {

    private Cycles() {}

    /** Hour of day in [0, 24) for a UTC instant shifted by a fixed UTC offset. */
    public static double hourOfDay(long epochMillis, int utcOffsetSeconds) {
        long localSeconds = Math.floorDiv(epochMillis, 1000) + utcOffsetSeconds;
        return Math.floorMod(localSeconds, 86_400L) / 3600.0 + Math.floorMod(epochMillis, 1000) / 3_600_000.0;
    }

    /** Day of week, 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday). */
    public static int dayOfWeek(long epochMillis, int utcOffsetSeconds) {
        long localDays = Math.floorDiv(Math.floorDiv(epochMillis, 1000) + utcOffsetSeconds, 86_400L);
        return (int) Math.floorMod(localDays + 3, 7L);
    }

    public static boolean weekend(int dayOfWeek) {
        return dayOfWeek >= 5;
    }

    /** A bell curve around {@code center} (hours), 1 at the center. */
    public static double bell(double hour, double center, double width) {
        double d = hour - center;
        return Math.exp(-d * d / (2 * width * width));
    }

    /** Morning and evening rush, in [0, ~1.1]; weaker at weekends. */
    public static double rush(double hour, int dayOfWeek) {
        double weekday = bell(hour, 8.0, 1.2) + bell(hour, 18.0, 1.5);
        return weekend(dayOfWeek) ? 0.35 * bell(hour, 13.0, 3.0) : weekday;
    }

    /** Daylight between about 07:00 and 17:00 (a winter-ish day), in [0, 1]. */
    public static double daylight(double hour) {
        return Math.max(0.0, Math.sin(Math.PI * (hour - 7.0) / 10.0));
    }

    /** Dark enough for street lights. */
    public static boolean dark(double hour) {
        return hour < 7.25 || hour >= 16.75;
    }

    /** Two shifts on weekdays, 06:00-14:00 and 14:00-22:00; nothing at weekends. */
    public static boolean shift(double hour, int dayOfWeek) {
        return !weekend(dayOfWeek) && hour >= 6.0 && hour < 22.0;
    }

    /** Ten minutes around the shift change, when machines idle. */
    public static boolean shiftChange(double hour) {
        return Math.abs(hour - 14.0) < 1.0 / 12;
    }
}
