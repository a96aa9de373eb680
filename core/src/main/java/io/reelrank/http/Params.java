package io.reelrank.http;

import java.util.Set;
import java.util.TreeSet;

/**
 * Parses query and path parameters with their allowed ranges, failing with a 400 whose detail names
 * the parameter, the value received and the range allowed (e.g. {@code parameter 'limit' must be an
 * integer in 1-1000, got '0'}). Absent parameters give the caller's default.
 */
final class Params {

    private Params() {}

    static int intIn(String name, String value, int def, int min, int max) {
        if (value == null) return def;
        return parseInt(name, value, min, max);
    }

    static Integer optionalIntIn(String name, String value, int min, int max) {
        return value == null ? null : parseInt(name, value, min, max);
    }

    static int parseInt(String name, String value, int min, int max) {
        String range = max == Integer.MAX_VALUE ? min + " or more" : "in " + min + "-" + max;
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw ApiError.badParameter("parameter '" + name + "' must be an integer " + range + ", got '" + value + "'");
        }
        if (v < min || v > max) {
            throw ApiError.badParameter("parameter '" + name + "' must be an integer " + range + ", got " + value.trim());
        }
        return (int) v;
    }

    static double doubleIn(String name, String value, double def, double min, double max) {
        if (value == null) return def;
        return parseDouble(name, value, min, max);
    }

    static Double optionalDoubleIn(String name, String value, double min, double max) {
        return value == null ? null : parseDouble(name, value, min, max);
    }

    static double parseDouble(String name, String value, double min, double max) {
        double v;
        try {
            v = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        // NaN fails both comparisons, so "NaN" and unparsable text land here too.
        if (!(v >= min && v <= max)) {
            throw ApiError.badParameter("parameter '" + name + "' must be a number in " + fmt(min) + "-" + fmt(max)
                    + ", got '" + value + "'");
        }
        return v;
    }

    /** Rejects parameters the route does not know, so a typo ({@code limt=5}) is not silently ignored. */
    static void onlyKnown(Call call, Set<String> known) {
        for (String k : call.query().keySet()) {
            if (!known.contains(k)) {
                throw ApiError.badParameter("unknown parameter '" + k + "'; allowed: "
                        + String.join(", ", new TreeSet<>(known)));
            }
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
