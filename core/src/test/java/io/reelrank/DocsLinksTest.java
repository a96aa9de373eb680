package io.reelrank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The documents (README.md, the front page, and the pages under docs/) as a set whose links hold:
 * every relative link names a file that exists, every {@code #anchor} a heading (or an
 * {@code <a id>}) of the page it points at, with anchors made as GitHub makes them, and every page
 * under docs/ is reachable from README. Reads the checkout's files only; the module directory
 * ({@code core/}) is the working directory, as for the other tests.
 */
@Tag("unit")
class DocsLinksTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path README = ROOT.resolve("README.md");
    static final Path DOCS = ROOT.resolve("docs");
    static final int README_MAX_LINES = 250;

    /** {@code [text](target)} and {@code ![alt](target)}, with an optional title after the target. */
    private static final Pattern LINK =
            Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"");
    private static final Pattern FENCE = Pattern.compile("^ {0,3}(```+|~~~+)");
    private static final Pattern INLINE_CODE = Pattern.compile("(`+)(?:(?!\\1).)+?\\1");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    @Test
    void everyRelativeLinkAndAnchorResolves() throws IOException {
        List<String> broken = new ArrayList<>();
        Map<Path, Set<String>> anchorsByPage = new HashMap<>();
        int checked = 0;
        for (Path doc : documents()) {
            List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
            for (Link link : links(lines)) {
                if (SCHEME.matcher(link.target).find()) continue;
                checked++;
                int hash = link.target.indexOf('#');
                String file = hash < 0 ? link.target : link.target.substring(0, hash);
                String anchor = hash < 0
                        ? null
                        : URLDecoder.decode(link.target.substring(hash + 1), StandardCharsets.UTF_8);
                Path target = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
                String where = ROOT.relativize(doc) + " line " + link.line + ": (" + link.target + ") ";
                if (!Files.exists(target)) {
                    broken.add(where + "names " + ROOT.relativize(target) + ", which does not exist");
                } else if (anchor != null) {
                    if (!target.toString().endsWith(".md")) {
                        broken.add(where + "has an anchor into a file that is not Markdown");
                        continue;
                    }
                    Set<String> anchors = anchorsByPage.computeIfAbsent(target, DocsLinksTest::anchorsOf);
                    if (!anchors.contains(anchor)) {
                        broken.add(where + "no heading of " + ROOT.relativize(target) + " has the anchor '" + anchor
                                + "'");
                    }
                }
            }
        }
        assertEquals(List.of(), broken, "broken links in the docs");
        assertTrue(checked > 20, "checked only " + checked + " relative links: are the docs where this test looks ("
                + ROOT + ")?");
    }

    @Test
    void everyPageUnderDocsIsLinkedFromTheFrontPage() throws IOException {
        Set<Path> linked = new TreeSet<>();
        for (Link link : links(Files.readAllLines(README, StandardCharsets.UTF_8))) {
            if (SCHEME.matcher(link.target).find()) continue;
            String file = link.target.replaceFirst("#.*", "");
            if (file.endsWith(".md")) linked.add(ROOT.resolve(file).normalize());
        }
        Set<Path> pages = new TreeSet<>(documents());
        pages.remove(README);
        pages.removeAll(linked);
        assertEquals(Set.of(), pages, "pages under docs/ that README.md does not link to");
    }

    @Test
    void theFrontPageStaysShort() throws IOException {
        int lines = Files.readAllLines(README, StandardCharsets.UTF_8).size();
        assertTrue(lines <= README_MAX_LINES, "README.md has " + lines + " lines, more than " + README_MAX_LINES
                + ": move the detail into a page under docs/ and link it");
    }

    @Test
    void anchorsAreMadeAsGitHubMakesThem() {
        Set<String> anchors = anchorsOf(List.of("# Search (BM25)", "## The server's limits", "### int8 or fp32",
                "## Training, fold-in, recommendations", "## `bench http`", "## Speed", "```", "# not a heading", "```",
                "### Speed", "<a id=\"results-table\"></a>"));
        assertEquals(Set.of("search-bm25", "the-servers-limits", "int8-or-fp32", "training-fold-in-recommendations",
                "bench-http", "speed", "speed-1", "results-table"), anchors);
    }

    /** README.md and every Markdown file under docs/, in a fixed order. */
    static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(README));
        try (Stream<Path> files = Files.walk(DOCS)) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    record Link(int line, String target) {}

    /** The links outside fenced code blocks and inline code spans, with their 1-based line numbers. */
    static List<Link> links(List<String> lines) {
        List<Link> links = new ArrayList<>();
        String fence = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher f = FENCE.matcher(line);
            if (f.find()) {
                if (fence == null) fence = f.group(1);
                else if (f.group(1).startsWith(fence)) fence = null;
                continue;
            }
            if (fence != null) continue;
            Matcher m = LINK.matcher(INLINE_CODE.matcher(line).replaceAll(""));
            while (m.find()) links.add(new Link(i + 1, m.group(1)));
        }
        return links;
    }

    static Set<String> anchorsOf(Path page) {
        try {
            return anchorsOf(Files.readAllLines(page, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + page, e);
        }
    }

    /**
     * The anchors of a page's headings as GitHub makes them (github-slugger): the heading's text
     * without its Markdown, lower-cased, every character but letters, digits, '-', '_' and spaces
     * dropped, spaces turned into '-'; a repeated anchor gets "-1", "-2", … Plus explicit
     * {@code <a id="…">} and {@code <a name="…">} anchors. Headings inside fenced code do not count.
     */
    static Set<String> anchorsOf(List<String> lines) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        String fence = null;
        for (String line : lines) {
            Matcher f = FENCE.matcher(line);
            if (f.find()) {
                if (fence == null) fence = f.group(1);
                else if (f.group(1).startsWith(fence)) fence = null;
                continue;
            }
            if (fence != null) continue;
            Matcher a = HTML_ANCHOR.matcher(line);
            while (a.find()) anchors.add(a.group(1));
            Matcher h = HEADING.matcher(line);
            if (!h.matches()) continue;
            String text = h.group(2).replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
            StringBuilder slug = new StringBuilder();
            text.toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
                if (c == ' ') slug.append('-');
                else if (Character.isLetterOrDigit(c) || c == '-' || c == '_'
                        || Character.getType(c) == Character.NON_SPACING_MARK) slug.appendCodePoint(c);
            });
            String base = slug.toString();
            int n = seen.merge(base, 1, Integer::sum) - 1;
            anchors.add(n == 0 ? base : base + "-" + n);
        }
        return anchors;
    }
}
