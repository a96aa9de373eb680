package io.reelrank.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Samples read back from the Prometheus text format, so tests check values by metric name and labels
 * whatever the order and number format the writer uses.
 */
record PrometheusText(List<Sample> samples) {

    record Sample(String name, Map<String, String> labels, double value) {}

    static PrometheusText parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            Map<String, String> labels = new TreeMap<>();
            String name;
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                readLabels(line, brace + 1, labels);
            } else {
                name = line.substring(0, space);
            }
            out.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
        }
        return new PrometheusText(out);
    }

    /** The one sample with this name whose labels include all of {@code labels}; fails when none or several. */
    double value(String name, Map<String, String> labels) {
        List<Sample> found = samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())).toList();
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples of " + name + " with " + labels + ": " + found);
        }
        return found.get(0).value();
    }

    /** The cumulative count of the histogram bucket with upper bound {@code le} (compared as a number: 5.0E-4 is 0.0005). */
    double bucket(String histogram, double le, Map<String, String> labels) {
        List<Sample> found = samples.stream()
                .filter(s -> s.name().equals(histogram + "_bucket") && s.labels().entrySet().containsAll(labels.entrySet())
                        && bound(s.labels().get("le")) == le)
                .toList();
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " buckets le=" + le + " of " + histogram + " with " + labels);
        }
        return found.get(0).value();
    }

    private static double bound(String le) {
        return le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
    }

    boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    private static void readLabels(String line, int i, Map<String, String> labels) {
        while (line.charAt(i) != '}') {
            int eq = line.indexOf('=', i);
            String key = line.substring(i, eq);
            StringBuilder v = new StringBuilder();
            int j = eq + 2; // past ="
            for (; line.charAt(j) != '"'; j++) {
                char c = line.charAt(j);
                if (c == '\\') {
                    char n = line.charAt(++j);
                    v.append(n == 'n' ? '\n' : n);
                } else {
                    v.append(c);
                }
            }
            labels.put(key, v.toString());
            i = j + 1;
            if (line.charAt(i) == ',') i++;
        }
    }
}
