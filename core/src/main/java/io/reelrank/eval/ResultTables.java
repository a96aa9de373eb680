package io.reelrank.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.reelrank.model.Numbers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The docs' result tables, generated from an {@link EvalReport} JSON record, never typed: a markdown
 * page marks each generated block with an opening comment naming the record (relative to the
 * checkout) and the block, and a closing comment,
 * <pre>
 * &lt;!-- results docs/results/sample.json search --&gt;
 * …generated…
 * &lt;!-- /results --&gt;
 * </pre>
 * and {@link #regenerate} replaces what lies between with what the record gives; {@link #stale} does
 * so for the pages of a checkout ({@code README.md} and every {@code .md} under {@code docs/}). Blocks:
 * {@code search} (the search task on test: the chosen settings and two tables) and
 * {@code recommendation} (the recommendation task on test: one table and the two-tower − EASE
 * figures). Figures print as the tables of {@code reelrank eval} do, to 4 decimals, differences
 * signed, with the 95% interval in brackets.
 */
public final class ResultTables {

    /** The blocks a marker may name. */
    public static final List<String> BLOCKS = List.of("search", "recommendation");

    private static final Pattern BLOCK = Pattern.compile(
            "(<!-- results (\\S+) (\\S+) -->\\n)(.*?)(<!-- /results -->)", Pattern.DOTALL);

    private ResultTables() {}

    /** A marked block: the record it names, the block's name, and where its generated text starts and ends. */
    public record Marker(String record, String block, int start, int end) {}

    /** The marked blocks of a page, in order. */
    public static List<Marker> markers(String page) {
        List<Marker> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(page);
        while (m.find()) out.add(new Marker(m.group(2), m.group(3), m.start(4), m.end(4)));
        return out;
    }

    /**
     * The page with every marked block generated afresh from its record ({@code records} reads a
     * record by the path the marker gives).
     *
     * @throws IllegalArgumentException for a marker naming an unknown block
     */
    public static String regenerate(String page, Function<String, JsonNode> records) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        for (Marker m : markers(page)) {
            out.append(page, at, m.start()).append('\n').append(block(records.apply(m.record()), m.block()))
                    .append('\n');
            at = m.end();
        }
        return out.append(page.substring(at)).toString();
    }

    /**
     * The pages under {@code root} ({@code README.md}, every {@code .md} under {@code docs/}) whose
     * marked blocks differ from what their records give, each with its regenerated text, in path
     * order; empty when the docs are up to date.
     *
     * @throws IOException when a page or a record cannot be read
     */
    public static Map<Path, String> stale(Path root) throws IOException {
        List<Path> pages = new ArrayList<>();
        if (Files.isRegularFile(root.resolve("README.md"))) pages.add(root.resolve("README.md"));
        if (Files.isDirectory(root.resolve("docs"))) {
            try (Stream<Path> s = Files.walk(root.resolve("docs"))) {
                s.filter(p -> p.toString().endsWith(".md") && Files.isRegularFile(p)).sorted().forEach(pages::add);
            }
        }
        Map<String, JsonNode> records = new HashMap<>();
        Map<Path, String> out = new LinkedHashMap<>();
        try {
            for (Path page : pages) {
                String text = Files.readString(page, StandardCharsets.UTF_8);
                if (markers(text).isEmpty()) continue;
                String fresh = regenerate(text, name -> records.computeIfAbsent(name, n -> {
                    try {
                        return EvalReport.readJson(root.resolve(n));
                    } catch (IOException e) {
                        throw new UncheckedIOException(page + ": " + e.getMessage(), e);
                    }
                }));
                if (!fresh.equals(text)) out.put(page, fresh);
            }
        } catch (UncheckedIOException e) {
            throw new IOException(e.getMessage(), e.getCause());
        }
        return out;
    }

    /** One block's markdown, ending with a newline; its sentences wrapped at {@value #WIDTH} columns. */
    public static String block(JsonNode record, String block) {
        String text = switch (block) {
            case "search" -> search(record);
            case "recommendation" -> recommendation(record);
            default -> throw new IllegalArgumentException("no result block named '" + block + "'; the blocks are "
                    + BLOCKS);
        };
        StringBuilder out = new StringBuilder();
        text.lines().forEach(line -> out.append(line.startsWith("|") ? line : wrap(line)).append('\n'));
        return out.toString();
    }

    /** The width of the docs' prose. */
    static final int WIDTH = 100;

    private static String wrap(String line) {
        StringBuilder out = new StringBuilder();
        int width = 0;
        for (String word : line.split(" ")) {
            if (width > 0 && width + 1 + word.length() > WIDTH) {
                out.append('\n');
                width = 0;
            } else if (width > 0) {
                out.append(' ');
                width++;
            }
            out.append(word);
            width += word.length();
        }
        return out.toString();
    }

    private static String search(JsonNode r) {
        JsonNode f = r.path("search").path("figures");
        int k = r.path("protocol").path("k").asInt();
        JsonNode fusion = r.path("choices").path("fusion");
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Search task on test, personalized (%s, chosen on validation) against "
                + "BM25 + popularity (π = %.2f, chosen on validation) and BM25; %,d liked and %,d disliked (held-out "
                + "rating, query) pairs:%n%n", setting(fusion),
                r.path("choices").path("baseline_popularity").asDouble(),
                r.path("search").path("liked_pairs").asInt(), r.path("search").path("disliked_pairs").asInt()));
        sb.append("| NDCG@").append(k).append(" | BM25 | BM25 + popularity | personalized | personalized − (BM25 + "
                + "popularity) | personalized − BM25 |\n|---|---|---|---|---|---|\n");
        for (String group : List.of("liked", "disliked")) {
            String m = "ndcg@" + k + " " + group + " ";
            sb.append("| ").append(group).append(group.equals("liked") ? " (higher is better)" : " (lower is better)")
                    .append(" | ").append(cell(f.path(m + "bm25"), false, false))
                    .append(" | ").append(cell(f.path(m + "bm25+popularity"), false, false))
                    .append(" | ").append(cell(f.path(m + "personalized"), false, false))
                    .append(" | ").append(cell(f.path(m + "personalized-bm25+popularity"), true, true))
                    .append(" | ").append(cell(f.path(m + "personalized-bm25"), true, false)).append(" |\n");
        }
        sb.append("\n| MRR, Recall@").append(k).append(" | BM25 + popularity | personalized | personalized − "
                + "(BM25 + popularity) |\n|---|---|---|---|\n");
        for (String group : List.of("liked", "disliked")) {
            for (String measure : List.of("mrr", "recall@" + k)) {
                String m = measure + " " + group + " ";
                sb.append("| ").append(group).append(measure.equals("mrr") ? " MRR" : " Recall@" + k)
                        .append(" | ").append(cell(f.path(m + "bm25+popularity"), false, false))
                        .append(" | ").append(cell(f.path(m + "personalized"), false, false))
                        .append(" | ").append(cell(f.path(m + "personalized-bm25+popularity"), true, false))
                        .append(" |\n");
            }
        }
        return sb.toString();
    }

    private static String recommendation(JsonNode r) {
        JsonNode f = r.path("recommendation").path("figures");
        List<String> systems = List.of("popularity", "content", "ease", "two-tower");
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Recommendation task on test (%,d users):%n%n",
                r.path("recommendation").path("users").asInt()));
        sb.append("| | popularity | content | EASE (λ = ").append(Numbers.plain(r.path("choices").path("ease_lambda")
                .asDouble())).append(") | two-tower |\n|---|---|---|---|---|\n");
        row(sb, "Recall@20", f, systems, s -> "recall@20 " + s, true);
        row(sb, "NDCG@20", f, systems, s -> "ndcg@20 " + s, true);
        row(sb, "Recall@20 − popularity", f, systems,
                s -> s.equals("popularity") ? null : "recall@20 " + s + "-popularity", true);
        row(sb, String.format(Locale.ROOT, "rare-movie recall@20 (%,d users)",
                f.path("rare-movie recall@20 two-tower").path("n").asInt()), f, systems,
                s -> "rare-movie recall@20 " + s, false);
        JsonNode model = r.path("choices").path("model");
        sb.append(String.format(Locale.ROOT, "%nTwo-tower − EASE: %s Recall@20, %s NDCG@20. The model: rank %d, "
                        + "α = %s, λ = %s, %d iterations, midpoint %s (chosen on validation).%n",
                cell(f.path("recall@20 two-tower-ease"), true, false),
                cell(f.path("ndcg@20 two-tower-ease"), true, false),
                model.path("rank").asInt(), Numbers.plain(model.path("alpha").asDouble()),
                Numbers.plain(model.path("lambda").asDouble()), model.path("iterations").asInt(),
                Numbers.plain(model.path("midpoint").asDouble())));
        return sb.toString();
    }

    /** One row of the recommendation table; {@code bold}: the best mean of the row in bold. */
    private static void row(StringBuilder sb, String label, JsonNode f, List<String> systems,
                            Function<String, String> metric, boolean bold) {
        String best = null;
        for (String s : systems) {
            String m = metric.apply(s);
            if (m != null && f.has(m) && (best == null || f.get(m).path("mean").asDouble()
                    > f.get(metric.apply(best)).path("mean").asDouble())) {
                best = s;
            }
        }
        sb.append("| ").append(label);
        for (String s : systems) {
            String m = metric.apply(s);
            boolean signed = label.contains("−");
            sb.append(" |").append(m == null ? "" : " " + cell(f.path(m), signed, bold && s.equals(best)));
        }
        sb.append(" |\n");
    }

    /** {@code mean [low, high]}; the mean alone when the interval is a point; a difference signed. */
    static String cell(JsonNode figure, boolean signed, boolean bold) {
        if (figure.isMissingNode()) return "-";
        double mean = figure.path("mean").asDouble();
        String m = (signed && mean >= 0 ? "+" : "") + num(mean);
        if (bold) m = "**" + m + "**";
        double low = figure.path("low").asDouble();
        double high = figure.path("high").asDouble();
        return low == high ? m : m + " [" + num(low) + ", " + num(high) + "]";
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.4f", v).replace('-', '−');
    }

    private static String setting(JsonNode s) {
        StringBuilder sb = new StringBuilder(s.path("fusion").asText());
        for (String[] w : new String[][] {{"alpha", "α"}, {"popularity", "π"}, {"collaborative", "γ"}}) {
            if (s.has(w[0])) {
                sb.append(sb.indexOf("=") < 0 ? " " : ", ")
                        .append(String.format(Locale.ROOT, "%s = %.2f", w[1], s.get(w[0]).asDouble()));
            }
        }
        return sb.toString();
    }
}
