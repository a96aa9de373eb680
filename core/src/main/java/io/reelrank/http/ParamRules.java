package io.reelrank.http;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The rules query and path parameters are checked against, as pure functions of the values received:
 * integer and number ranges with the 400 each refusal is (naming the parameter, the value received and
 * the range allowed, e.g. {@code parameter 'limit' must be an integer in 1-1000, got 0}), one value where
 * one is expected, only the parameters a route knows, and well-formed percent-encoding of the raw query
 * string, its bytes UTF-8 (Javalin's query parsing drops a value it cannot decode and turns bytes that
 * are not UTF-8 into U+FFFD; a client must hear about it instead), and numbers in plain decimal notation.
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
            try {
                parseInteger(raw);
                return "parameter '" + name + "' must be an integer " + range + ", got " + raw.trim();
            } catch (NumberFormatException e) {
                return "parameter '" + name + "' must be an integer " + range + " in plain decimal digits, got '"
                        + ApiError.safe(raw) + "'";
            }
        }
    }

    /** Finite numbers in {@code min}-{@code max}; NaN and infinities fail both bounds. */
    record NumberRange(double min, double max) {

        boolean allows(double v) {
            return v >= min && v <= max;
        }

        String refusal(String name, String raw) {
            String form;
            try {
                parseNumber(raw);
                form = "";
            } catch (NumberFormatException e) {
                form = " in plain decimal notation (such as 0.25)";
            }
            return "parameter '" + name + "' must be a number in " + plain(min) + "-" + plain(max) + form + ", got '"
                    + ApiError.safe(raw) + "'";
        }

        private static String plain(double d) {
            return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
    }

    /** Plain decimal integers: digits, an optional leading minus; no plus, no hexadecimal, no exponent. */
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
    /** Plain decimal numbers: an integer part, a fraction or both; no exponent, no suffix, no NaN. */
    private static final Pattern NUMBER =
            Pattern.compile("-?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)");

    /**
     * An integer as the API reads one: plain decimal digits (surrounding blanks ignored), a long so that
     * overflow is out of range; {@code +5}, {@code 0x10}, {@code 1e3} are refused.
     */
    static long parseInteger(String raw) {
        String t = raw.trim();
        if (!INTEGER.matcher(t).matches() || t.length() > 19) {
            throw new NumberFormatException("not a plain decimal integer");
        }
        return Long.parseLong(t);
    }

    /**
     * A number as the API reads one: plain decimal ({@code 0.3}, {@code .5}, {@code 1}; surrounding
     * blanks ignored); Java's other syntaxes ({@code 0x1p-2}, {@code 1d}, {@code 1e-1}, {@code NaN},
     * {@code +1}) are refused.
     */
    static double parseNumber(String raw) {
        String t = raw.trim();
        if (!NUMBER.matcher(t).matches() || t.length() > 100) {
            throw new NumberFormatException("not a plain decimal number");
        }
        return Double.parseDouble(t);
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
        if (rawQuery == null) return;
        // Bytes sent unescaped that are not UTF-8 reach here as U+FFFD.
        if (rawQuery.indexOf('\uFFFD') >= 0) {
            throw ApiError.badParameter("the query string must be UTF-8; it has bytes that are not");
        }
        if (rawQuery.indexOf('%') < 0) return;
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            for (String part : List.of(key, value)) {
                if (!escapesWellFormed(part)) {
                    throw ApiError.badParameter("malformed percent-encoding in the query string near '"
                            + ApiError.safe(part) + "'");
                }
                if (!utf8(part)) {
                    throw ApiError.badParameter("the query string must be UTF-8; its percent-encoded bytes are not, "
                            + "near '" + ApiError.safe(part) + "'");
                }
            }
        }
    }

    /** Whether the bytes {@code s} stands for (its escapes decoded, '+' aside) are well-formed UTF-8. */
    static boolean utf8(String s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        int i = 0;
        while (i < s.length()) {
            int pct = s.indexOf('%', i);
            byte[] plain = s.substring(i, pct < 0 ? s.length() : pct).getBytes(StandardCharsets.UTF_8);
            bytes.write(plain, 0, plain.length);
            if (pct < 0 || pct + 2 >= s.length()) break;
            bytes.write(Integer.parseInt(s, pct + 1, pct + 3, 16));
            i = pct + 3;
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()));
            return true;
        } catch (CharacterCodingException e) {
            return false;
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
