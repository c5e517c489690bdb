package io.twinstream.model.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option values the commands share, checked where they are read so the error names the option. */
public final class Converters {

    private Converters() {}

    /** A positive, finite number: a rate scale, a speed. */
    public static final class PositiveNumber implements ITypeConverter<Double> {
        @Override
        public Double convert(String text) {
            try {
                double value = Double.parseDouble(text);
                if (value > 0 && !Double.isInfinite(value)) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new TypeConversionException("must be a positive number, was '" + text + "'");
        }
    }

    /** A simulation speed: simulated seconds per wall second, or {@code max} (0: as fast as possible). */
    public static final class Speed implements ITypeConverter<Double> {
        @Override
        public Double convert(String text) {
            if (text.equals("max")) {
                return 0.0;
            }
            try {
                return new PositiveNumber().convert(text);
            } catch (TypeConversionException e) {
                throw new TypeConversionException("must be a positive number or 'max', was '" + text + "'");
            }
        }
    }

    /** A TCP port, 0 for any free one. */
    public static final class Port implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            try {
                int port = Integer.parseInt(text);
                if (port >= 0 && port <= 65_535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new TypeConversionException("must be a port number (0-65535, 0: any free one), was '" + text + "'");
        }
    }
}
