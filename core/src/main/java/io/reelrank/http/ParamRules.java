package io.reelrank.http;

import java.math.BigDecimal;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rules query and path parameters are checked against, as pure functions of the values received:
 * integer and number ranges with the 400 each refusal is (naming the parameter, the value received and
 * the range allowed, e.g. {@code parameter 'limit' must be an integer in 1-1000, got 0}), one value where
 * one is expected, only the parameters a route knows, and well-formed percent-encoding of the raw query
 * string (Javalin's query parsing drops a value it cannot decode; a client must hear about it instead).
 * {@link RequestParams} applies them to a request through Javalin's validators.
 */
final class ParamRules {

    private ParamRules() {}

    /** Integers in {@code min}-{@code max}; {@code max} = {@link Integer#MAX_VALUE} reads "min or more". */
    record IntRange(int min, int max) {

        static IntRange atLeast(int min) {
            return new IntRange(min, Integer.MAX_VALUE);
        }

        boolean allows(long v) {
            return v >= min && v <= max;
        }

        /** The refusal of {@code raw}: quoted when it is no integer, trimmed as parsed when out of range. */
        String refusal(String name, String raw) {
            String range = max == Integer.MAX_VALUE ? min + " or more" : "in " + min + "-" + max;
            String got;
            try {
                parseInteger(raw);
                got = raw.trim();
            } catch (NumberFormatException e) {
                got = "'" + raw + "'";
            }
            return "parameter '" + name + "' must be an integer " + range + ", got " + got;
        }
    }

    /** Finite numbers in {@code min}-{@code max}; NaN and infinities fail both bounds. */
    record NumberRange(double min, double max) {

        boolean allows(double v) {
            return v >= min && v <= max;
        }

        String refusal(String name, String raw) {
            return "parameter '" + name + "' must be a number in " + plain(min) + "-" + plain(max) + ", got '" + raw
                    + "'";
        }

        private static String plain(double d) {
            return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
    }

    /** An integer as the API reads one: surrounding blanks ignored, a long so that overflow is out of range. */
    static long parseInteger(String raw) {
        return Long.parseLong(raw.trim());
    }

    /** The one value of a parameter, null when absent; given more than once is a 400. */
    static String single(String name, List<String> values) {
        if (values == null || values.isEmpty()) return null;
        if (values.size() > 1) {
            throw ApiError.badParameter("parameter '" + name + "' must be given at most once, got " + values.size()
                    + " values");
        }
        return values.get(0);
    }

    /** Refuses a parameter the route does not know, so a typo ({@code limt=5}) is not silently ignored. */
    static void onlyKnown(Set<String> given, Set<String> known) {
        for (String k : given) {
            if (!known.contains(k)) {
                throw ApiError.badParameter("unknown parameter '" + k + "'; allowed: "
                        + String.join(", ", new TreeSet<>(known)));
            }
        }
    }

    /**
     * Refuses a raw query string with a {@code %} not followed by two hex digits, naming the key or
     * value it is in; null or empty is fine.
     */
    static void wellEncoded(String rawQuery) {
        if (rawQuery == null || rawQuery.indexOf('%') < 0) return;
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            for (String part : List.of(key, value)) {
                if (!escapesWellFormed(part)) {
                    throw ApiError.badParameter("malformed percent-encoding in the query string near '"
                            + ApiError.safe(part) + "'");
                }
            }
        }
    }

    private static boolean escapesWellFormed(String s) {
        for (int i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) {
            if (i + 2 >= s.length()) return false;
            if (Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) return false;
            i += 2;
        }
        return true;
    }
}
