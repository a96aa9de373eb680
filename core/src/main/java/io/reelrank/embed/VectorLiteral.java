package io.reelrank.embed;

import java.util.regex.Pattern;

/**
 * pgvector's text form of a vector, {@code [0.1,-0.2,3.0E-5]}, written so it reads back bit for bit:
 * each component is {@link Float#toString}, the shortest decimal that round-trips to the same float
 * (pgvector parses it with {@code strtof} and prints the shortest round-tripping form too). Parsing
 * is strict: components must be finite decimal numbers, so NaN, Infinity and stray text are refused
 * with the component's position in the message.
 */
public final class VectorLiteral {

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    private VectorLiteral() {}

    public static String format(float[] v) {
        StringBuilder sb = new StringBuilder(v.length * 12 + 2);
        sb.append('[');
        for (int i = 0; i < v.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(Float.toString(v[i]));
        }
        return sb.append(']').toString();
    }

    /** Parses a literal; throws IllegalArgumentException saying what is wrong and where. */
    public static float[] parse(String text) {
        String s = text.strip();
        if (s.length() < 2 || s.charAt(0) != '[' || s.charAt(s.length() - 1) != ']') {
            throw new IllegalArgumentException("not a vector literal (expected [x,y,...]): " + abbreviate(s));
        }
        String body = s.substring(1, s.length() - 1).strip();
        if (body.isEmpty()) throw new IllegalArgumentException("empty vector []");
        String[] parts = body.split(",", -1);
        float[] v = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            if (!NUMBER.matcher(p).matches()) {
                String kind = p.matches("(?i)[+-]?(nan|inf|infinity)") ? "is " + p + ", not a finite number"
                        : "is not a number: '" + abbreviate(p) + "'";
                throw new IllegalArgumentException("component " + (i + 1) + " of " + parts.length + " " + kind);
            }
            float f = Float.parseFloat(p);
            if (!Float.isFinite(f)) {
                throw new IllegalArgumentException("component " + (i + 1) + " of " + parts.length
                        + " overflows a float: " + p);
            }
            v[i] = f;
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
