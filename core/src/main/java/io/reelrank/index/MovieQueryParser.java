package io.reelrank.index;

import io.reelrank.db.Messages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.queryparser.classic.QueryParserConstants;
import org.apache.lucene.queryparser.classic.Token;
import org.apache.lucene.queryparser.classic.TokenMgrError;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.ConstantScoreQuery;
import org.apache.lucene.search.FuzzyQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.spell.DirectSpellChecker;
import org.apache.lucene.search.spell.SuggestMode;
import org.apache.lucene.search.spell.SuggestWord;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;

/**
 * Lucene's classic query syntax over the movie fields, so the strings the original ParadeDB design
 * accepted work unchanged: bare terms search {@code title} and {@code tags} (the latter with the lower
 * weight {@link #TAG_WEIGHT}); {@code year}, {@code avg_rating}, {@code rating_count}, {@code tmdb_id}
 * and {@code movie_id} are numeric, so {@code year:[1990 TO 1999]} compares numbers, not strings;
 * {@code genres:Sci-Fi} matches the whole genre, case-insensitively. Unknown fields, and prefix,
 * fuzzy or wildcard terms on numeric fields, are syntax errors rather than silent empty results.
 * Not thread-safe (Lucene's parser keeps state): use one instance per thread, or the static
 * {@link #parseQuery(String)}, which makes its own.
 *
 * <p>Whatever a user types is bounded before it costs anything: the length ({@link #MAX_QUERY_CHARS})
 * and the nesting of parentheses ({@link #MAX_DEPTH}) are checked before parsing; the clauses the query
 * can expand to ({@link #MAX_CLAUSES}, a fuzzy term counting the
 * {@value #FUZZY_EXPANSIONS} terms it may match in each field) and the work of turning a regular
 * expression or wildcard into an automaton ({@link #DETERMINIZE_WORK_LIMIT}) while parsing. Each
 * failure is a {@link QuerySyntaxException} at the position of the part that went over, with the
 * limit in its reason.
 *
 * <p>Given an index reader and a {@link TypoTolerance} ({@link #MovieQueryParser(IndexReader,
 * TypoTolerance)}, {@link #parseFully}), a bare word the index does not know also matches its fuzzy
 * variants, at a lower weight, and gets a "did you mean" suggestion from the index's title and tag
 * terms (Lucene's {@link DirectSpellChecker}); explicit syntax ({@code title:lord}, phrases, {@code ~},
 * {@code *}, a negated word) is never changed. The variants count against {@link #MAX_CLAUSES} like
 * any fuzzy term, and a word whose variants would not fit is searched as written.
 */
public final class MovieQueryParser extends MultiFieldQueryParser {

    /** Weight of a bare term's title match. */
    public static final float TITLE_WEIGHT = 1.0f;
    /**
     * Weight of a bare term's tag match. Chosen on the sample with {@code reelrank bench tag-weight}
     * (docs/search.md, "Tag weight"): the largest weight at which a movie that only carries the word as a tag
     * almost never (0.05 % of top-10 places) pushes out one with the word in its title, while a word
     * that is only a tag (e.g. {@code pixar}) still finds its movies.
     */
    public static final float TAG_WEIGHT = 0.3f;

    /** Longer queries are refused: no real query is this long, and parsing cost grows with length. */
    public static final int MAX_QUERY_CHARS = 1000;
    /** Deepest nesting of parentheses accepted; the parser recurses once per level. */
    public static final int MAX_DEPTH = 20;
    /**
     * Most clauses a query may expand to, counted per field a term searches; checked while parsing
     * rather than hit mid-search. Below Lucene's own limit ({@link IndexSearcher#getMaxClauseCount()},
     * 1024), which also counts the filters' clauses.
     */
    public static final int MAX_CLAUSES = 1000;
    /** Terms a fuzzy term may match per field (Lucene's {@link FuzzyQuery#defaultMaxExpansions}). */
    public static final int FUZZY_EXPANSIONS = FuzzyQuery.defaultMaxExpansions;
    /**
     * Work allowed to turn one regular expression or wildcard into a deterministic automaton (Lucene's
     * default, {@code Operations.DEFAULT_DETERMINIZE_WORK_LIMIT}); {@code /[ac]*a[ac]{20}/} needs far more.
     */
    public static final int DETERMINIZE_WORK_LIMIT = 10_000;

    private static final String[] DEFAULT_FIELDS = {Fields.TITLE, Fields.TAGS};

    // QueryParserBase's CONJ_NONE and MOD_NONE / MOD_NOT (package-private there).
    private static final int CONJ_NONE = 0;
    private static final int MOD_NONE = 0;
    private static final int MOD_NOT = 10;

    private String current = "";
    /** Clauses counted so far in the query being parsed (see {@link #MAX_CLAUSES}). */
    private int clauses;
    /** Depth of nested term-query calls: a bare term's per-field calls are counted with it, once. */
    private int termDepth;

    private final float tagWeight;
    /** The index whose terms decide which words are unknown; null: no tolerance. */
    private final IndexReader reader;
    private final TypoTolerance tolerance;
    private DirectSpellChecker speller;
    /** Whether the query being parsed is bare words only (see {@link ParsedQuery#plain()}). */
    private boolean plain;
    private final List<String> words = new ArrayList<>();
    private final List<ParsedQuery.Correction> corrections = new ArrayList<>();
    /** A bare word's tolerant query → its query as written and its correction, for a word that turns out negated. */
    private final Map<Query, Object[]> tolerant = new IdentityHashMap<>();
    private int expandedWords;

    public MovieQueryParser() {
        this(TAG_WEIGHT);
    }

    /** A parser with another tag weight, for the experiment that chose {@link #TAG_WEIGHT}. */
    public MovieQueryParser(float tagWeight) {
        this(tagWeight, null, TypoTolerance.OFF);
    }

    /**
     * A parser that forgives typing errors in bare words as {@code tolerance} says, against the terms of {@code
     * reader}.
     */
    public MovieQueryParser(IndexReader reader, TypoTolerance tolerance) {
        this(TAG_WEIGHT, reader, tolerance);
    }

    private MovieQueryParser(float tagWeight, IndexReader reader, TypoTolerance tolerance) {
        super(DEFAULT_FIELDS, Analyzers.PER_FIELD, Map.of(Fields.TITLE, TITLE_WEIGHT, Fields.TAGS, tagWeight));
        this.tagWeight = tagWeight;
        this.reader = reader;
        this.tolerance = tolerance == null ? TypoTolerance.OFF : tolerance;
        // Terms without an operator are OR-ed, as in ParadeDB (Tantivy) and Lucene: BM25 usually ranks
        // the movies with every word first, and the re-ranker also gets those with some of them.
        setDefaultOperator(QueryParser.OR_OPERATOR);
        setAllowLeadingWildcard(false);
        setDeterminizeWorkLimit(DETERMINIZE_WORK_LIMIT);
    }

    /** Parses {@code query} with a fresh parser. */
    public static Query parseQuery(String query) throws QuerySyntaxException {
        return new MovieQueryParser().parseOrExplain(query);
    }

    /** Parses {@code query}; a failure carries the position and a one-line reason. */
    public Query parseOrExplain(String query) throws QuerySyntaxException {
        return parseFully(query).query();
    }

    /**
     * Parses {@code query} and says what it found: whether it is bare words only, the words, and the
     * corrections proposed for the words the index does not know (with a reader and tolerance).
     */
    public ParsedQuery parseFully(String query) throws QuerySyntaxException {
        current = query;
        clauses = 0;
        termDepth = 0;
        plain = true;
        words.clear();
        corrections.clear();
        tolerant.clear();
        expandedWords = 0;
        if (query.isBlank()) {
            throw new QuerySyntaxException(query, 0, "empty query: type words to search titles and tags");
        }
        if (query.length() > MAX_QUERY_CHARS) {
            throw new QuerySyntaxException(query, MAX_QUERY_CHARS, "the query is " + query.length()
                    + " characters long; at most " + MAX_QUERY_CHARS + " are allowed");
        }
        int deep = Structure.of(query).tooDeep();
        if (deep >= 0) {
            throw new QuerySyntaxException(query, deep, "parentheses nest deeper than " + MAX_DEPTH
                    + " levels here; at most " + MAX_DEPTH + " are allowed");
        }
        try {
            Query q = parse(query);
            // A boost (word^2) reaches no overridable callback: it is syntax all the same.
            boolean boosted = hasUnescaped(query, '^');
            return new ParsedQuery(query, q, plain && !boosted && !words.isEmpty(), words, corrections);
        } catch (ParseException e) {
            throw explain(query, e);
        } catch (TokenMgrError e) {
            throw lexical(query, e.getMessage());
        }
    }

    /**
     * Where a query's quotes and parentheses go wrong, found in one pass that reads them as Lucene's
     * grammar does: a {@code \} escapes the next character, and parentheses inside a "phrase" are text. Each is
     * a position in the query, or -1 when nothing is wrong there.
     *
     * @param openQuote  the '"' that no '"' closes
     * @param tooDeep    the first '(' opened at depth {@link #MAX_DEPTH} + 1
     * @param unbalanced the first ')' without an opening '(', else the last '(' left open
     */
    private record Structure(int openQuote, int tooDeep, int unbalanced) {

        static Structure of(String q) {
            Deque<Integer> open = new ArrayDeque<>();
            int quote = -1;
            int tooDeep = -1;
            int strayClose = -1;
            for (int i = 0; i < q.length(); i++) {
                char c = q.charAt(i);
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quote = quote < 0 ? i : -1;
                } else if (quote < 0 && c == '(') {
                    open.push(i);
                    if (open.size() > MAX_DEPTH && tooDeep < 0) tooDeep = i;
                } else if (quote < 0 && c == ')') {
                    if (!open.isEmpty()) {
                        open.pop();
                    } else if (strayClose < 0) {
                        strayClose = i;
                    }
                }
            }
            return new Structure(quote, tooDeep, strayClose >= 0 ? strayClose : open.isEmpty() ? -1 : open.peek());
        }
    }

    // ---- work limits ---------------------------------------------------------------------------

    /** A term-level query built through {@link #counted}: the clause budget and automaton errors are handled there. */
    @FunctionalInterface
    private interface TermBuilder {
        Query build() throws ParseException;
    }

    /**
     * Builds one term-level query (a word, phrase, range, prefix, wildcard, fuzzy term or regular
     * expression) and counts the clauses it adds: one per field it searches, {@link #FUZZY_EXPANSIONS}
     * per field for a fuzzy term. Only the outermost call counts, since a bare term's per-field calls
     * come back through the same methods.
     */
    private Query counted(String field, String text, int perField, TermBuilder builder) throws ParseException {
        if (termDepth == 0) {
            clauses += (field == null ? DEFAULT_FIELDS.length : 1) * perField;
            if (clauses > MAX_CLAUSES) {
                throw new Located(termAt(text), "the query expands to more than " + MAX_CLAUSES
                        + " clauses here (a word counts once per field it searches, a fuzzy term "
                        + FUZZY_EXPANSIONS + " times); use fewer terms");
            }
        }
        termDepth++;
        try {
            return builder.build();
        } catch (TooComplexToDeterminizeException e) {
            throw new Located(termAt(text), "'" + text + "' is too complex to match: it needs more than "
                    + DETERMINIZE_WORK_LIMIT + " units of automaton work; simplify it");
        } catch (IllegalArgumentException e) {
            // Lucene's regular-expression parser reports syntax errors this way ("expected ']' at position 3").
            throw new Located(termAt(text), "cannot read '" + text + "': " + Messages.firstLine(e.getMessage()));
        } finally {
            termDepth--;
        }
    }

    /** Where the term being built starts: its last occurrence up to the parser's current token. */
    private int termAt(String text) {
        int upTo = token != null ? Math.min(current.length(), token.endColumn) : current.length();
        int i = text.isEmpty() ? -1 : current.lastIndexOf(text, upTo);
        return i < 0 ? (token != null ? token.beginColumn : 0) : i;
    }

    // ---- numeric fields and field names --------------------------------------------------------

    @Override
    protected Query getFieldQuery(String field, String queryText, boolean quoted) throws ParseException {
        boolean bare = termDepth == 0 && field == null && !quoted;
        if (termDepth == 0) {
            if (bare) {
                words.add(queryText);
            } else {
                plain = false;
            }
        }
        // Consecutive bare words reach here as one text (Lucene does not split on whitespace): each counts.
        int terms = quoted || termDepth > 0 ? 1 : Math.max(1, analyze(queryText, new ArrayList<>()).size());
        Query q = counted(field, queryText, terms, () -> fieldQuery(field, queryText, quoted));
        return bare ? tolerant(queryText, q) : q;
    }

    // ---- typo tolerance ------------------------------------------------------------------------

    /**
     * The bare words {@code text}'s query as written, or, for each of its words {@link TypoTolerance}
     * applies to, {@code exact OR weight·(fuzzy(title) + tagWeight·fuzzy(tags))} in place of that word's
     * clause: one analysed term the index does not know (or knows in at most maxDocFreq movies), long
     * enough for an edit, while the query has room for its expansions (counted like a fuzzy term's)
     * and fewer than maxWords words were expanded. Consecutive bare words reach the parser as one text
     * (Lucene does not split on whitespace), which it turns into one clause per word, in order.
     */
    private Query tolerant(String text, Query exact) {
        TypoTolerance t = tolerance;
        if (!t.enabled() || reader == null || expandedWords >= t.maxWords()) return exact;
        int base = termAt(text);
        // A boost (word^2) is syntax: Lucene applies it after this call, so look at what follows the word.
        if (base + text.length() < current.length() && current.charAt(base + text.length()) == '^') return exact;
        List<int[]> spans = new ArrayList<>();
        List<String> terms = analyze(text, spans);
        List<BooleanClause> parts;
        if (terms.size() == 1) {
            parts = List.of(new BooleanClause(exact, BooleanClause.Occur.SHOULD));
        } else if (terms.size() > 1 && exact instanceof BooleanQuery bq && bq.clauses().size() == terms.size()) {
            parts = bq.clauses();
        } else {
            return exact;
        }
        List<BooleanClause> out = new ArrayList<>(parts.size());
        List<ParsedQuery.Correction> made = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            BooleanClause c = parts.get(i);
            Query q = expandedWords < t.maxWords() ? variants(terms.get(i), c.getQuery(), t) : null;
            if (q == null) {
                out.add(c);
                continue;
            }
            expandedWords++;
            int[] span = spans.get(i);
            String written = text.substring(span[0], span[1]);
            made.add(new ParsedQuery.Correction(base + span[0], written, suggest(terms.get(i), t.edits().forLength(
                    terms.get(i).codePointCount(0, terms.get(i).length())), termDocFreq(terms.get(i)) == 0)));
            out.add(new BooleanClause(q, c.getOccur()));
        }
        if (made.isEmpty()) return exact;
        Query result;
        if (terms.size() == 1) {
            result = out.get(0).getQuery();
        } else {
            BooleanQuery.Builder b = new BooleanQuery.Builder()
                    .setMinimumNumberShouldMatch(((BooleanQuery) exact).getMinimumNumberShouldMatch());
            for (BooleanClause c : out) b.add(c);
            result = b.build();
        }
        corrections.addAll(made);
        tolerant.put(result, new Object[] {exact, made});
        return result;
    }

    /**
     * {@code exact OR weight·(fuzzy(title) + tagWeight·fuzzy(tags))} for one term, or null when tolerance does not
     * apply.
     */
    private Query variants(String term, Query exact, TypoTolerance t) {
        int edits = t.edits().forLength(term.codePointCount(0, term.length()));
        if (edits == 0 || termDocFreq(term) > t.maxDocFreq()) return null;
        int added = DEFAULT_FIELDS.length * t.maxExpansions();
        if (clauses + added > MAX_CLAUSES) return null;
        clauses += added;
        BooleanQuery.Builder fuzzy = new BooleanQuery.Builder();
        fuzzy.add(new BoostQuery(fuzzy(Fields.TITLE, term, edits, t), TITLE_WEIGHT), BooleanClause.Occur.SHOULD);
        fuzzy.add(new BoostQuery(fuzzy(Fields.TAGS, term, edits, t), tagWeight), BooleanClause.Occur.SHOULD);
        return new BooleanQuery.Builder()
                .add(exact, BooleanClause.Occur.SHOULD)
                .add(new BoostQuery(fuzzy.build(), t.weight()), BooleanClause.Occur.SHOULD)
                .build();
    }

    /** In how many movies the term occurs, in the title or the tags (a movie with it in both counts twice). */
    private long termDocFreq(String term) {
        try {
            return (long) reader.docFreq(new Term(Fields.TITLE, term)) + reader.docFreq(new Term(Fields.TAGS, term));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static FuzzyQuery fuzzy(String field, String term, int edits, TypoTolerance t) {
        return new FuzzyQuery(new Term(field, term), edits, Math.min(t.prefixLength(), term.length()),
                t.maxExpansions(), true);
    }

    /**
     * The index's best replacement for {@code term}, from the title terms, else the tag terms: the
     * spell checker's highest score within {@code edits} edits with the same prefix, ties by the more
     * frequent term, then alphabetically (Lucene's SuggestWordScoreComparator); for a known rare term,
     * only a more frequent one. Null when there is none.
     */
    private String suggest(String term, int edits, boolean unknown) {
        if (speller == null) {
            speller = new DirectSpellChecker();
            speller.setMinQueryLength(3);
            speller.setMinPrefix(tolerance.prefixLength());
        }
        speller.setMaxEdits(Math.max(1, Math.min(2, edits)));
        SuggestMode mode = unknown ? SuggestMode.SUGGEST_WHEN_NOT_IN_INDEX : SuggestMode.SUGGEST_MORE_POPULAR;
        try {
            for (String field : DEFAULT_FIELDS) {
                SuggestWord[] s = speller.suggestSimilar(new Term(field, term), 1, reader, mode);
                if (s.length > 0) return s[0].string;
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The title analyzer's terms of {@code text}, with each one's [start, end) in {@code text} added to {@code spans}.
     */
    private static List<String> analyze(String text, List<int[]> spans) {
        List<String> out = new ArrayList<>();
        try (TokenStream ts = Analyzers.PER_FIELD.tokenStream(Fields.TITLE, text)) {
            CharTermAttribute a = ts.addAttribute(CharTermAttribute.class);
            OffsetAttribute o = ts.addAttribute(OffsetAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                out.add(a.toString());
                spans.add(new int[] {o.startOffset(), o.endOffset()});
            }
            ts.end();
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Any operator or modifier makes a query more than bare words; a negated word keeps its meaning
     * exactly ({@code -poter} excludes what it says, not what it resembles), so its variants go.
     */
    @Override
    protected void addClause(List<BooleanClause> clauses, int conj, int mods, Query q) {
        if (conj != CONJ_NONE || mods != MOD_NONE) plain = false;
        Query clause = q;
        if (mods == MOD_NOT) {
            Object[] exact = tolerant.remove(q);
            if (exact != null) {
                clause = (Query) exact[0];
                @SuppressWarnings("unchecked")
                List<ParsedQuery.Correction> made = (List<ParsedQuery.Correction>) exact[1];
                corrections.removeAll(made);
                expandedWords -= made.size();
            }
        }
        super.addClause(clauses, conj, mods, clause);
    }

    private static boolean hasUnescaped(String q, char c) {
        for (int i = 0; i < q.length(); i++) {
            char x = q.charAt(i);
            if (x == '\\') {
                i++;
            } else if (x == c) {
                return true;
            }
        }
        return false;
    }

    private Query fieldQuery(String field, String queryText, boolean quoted) throws ParseException {
        if (field != null) {
            checkField(field);
            if (Fields.INT_FIELDS.contains(field)) {
                return unscored(IntPoint.newExactQuery(field, parseInt(field, queryText)));
            }
            if (Fields.DOUBLE_FIELDS.contains(field)) {
                return unscored(DoublePoint.newExactQuery(field, parseDouble(field, queryText)));
            }
        }
        return super.getFieldQuery(field, queryText, quoted);
    }

    @Override
    protected Query getRangeQuery(String field, String part1, String part2, boolean startInclusive,
            boolean endInclusive) throws ParseException {
        plain = false;
        return counted(field, part1 == null ? "" : part1, 1,
                () -> rangeQuery(field, part1, part2, startInclusive, endInclusive));
    }

    private Query rangeQuery(String field, String part1, String part2, boolean startInclusive,
            boolean endInclusive) throws ParseException {
        if (field != null) {
            checkField(field);
            if (Fields.INT_FIELDS.contains(field)) {
                int lo = part1 == null || "*".equals(part1) ? Integer.MIN_VALUE : parseInt(field, part1);
                int hi = part2 == null || "*".equals(part2) ? Integer.MAX_VALUE : parseInt(field, part2);
                // Exclusive bounds {a TO b} become inclusive ones on the neighbouring integers.
                if (!startInclusive && lo != Integer.MIN_VALUE) lo = lo == Integer.MAX_VALUE ? lo : lo + 1;
                if (!endInclusive && hi != Integer.MAX_VALUE) hi = hi == Integer.MIN_VALUE ? hi : hi - 1;
                return unscored(IntPoint.newRangeQuery(field, lo, hi));
            }
            if (Fields.DOUBLE_FIELDS.contains(field)) {
                double lo = part1 == null || "*".equals(part1) ? Double.NEGATIVE_INFINITY : parseDouble(field, part1);
                double hi = part2 == null || "*".equals(part2) ? Double.POSITIVE_INFINITY : parseDouble(field, part2);
                if (!startInclusive) lo = Math.nextUp(lo);
                if (!endInclusive) hi = Math.nextDown(hi);
                return unscored(DoublePoint.newRangeQuery(field, lo, hi));
            }
        }
        return super.getRangeQuery(field, part1, part2, startInclusive, endInclusive);
    }

    /**
     * A numeric condition selects movies but adds nothing to their score, so that a hit's "bm25" is
     * the BM25 of its text clauses alone ({@code title:matrix AND year:[2000 TO 2020]} scores as
     * {@code title:matrix}); Lucene would otherwise add a constant 1 per numeric clause.
     */
    private static Query unscored(Query q) {
        return new BoostQuery(new ConstantScoreQuery(q), 0f);
    }

    @Override
    protected Query getPrefixQuery(String field, String termStr) throws ParseException {
        plain = false;
        checkTextual(field, termStr + "*", "a prefix");
        return counted(field, termStr, 1, () -> super.getPrefixQuery(field, termStr));
    }

    @Override
    protected Query getWildcardQuery(String field, String termStr) throws ParseException {
        plain = false;
        checkTextual(field, termStr, "a wildcard");
        return counted(field, termStr, 1, () -> super.getWildcardQuery(field, termStr));
    }

    @Override
    protected Query getFuzzyQuery(String field, String termStr, float minSimilarity) throws ParseException {
        plain = false;
        checkTextual(field, termStr, "a fuzzy term");
        return counted(field, termStr, FUZZY_EXPANSIONS, () -> super.getFuzzyQuery(field, termStr, minSimilarity));
    }

    @Override
    protected Query getRegexpQuery(String field, String termStr) throws ParseException {
        plain = false;
        checkTextual(field, "/" + termStr, "a regular expression");
        return counted(field, "/" + termStr + "/", 1, () -> super.getRegexpQuery(field, termStr));
    }

    /**
     * A group of only negative clauses ({@code -genres:Horror}, {@code NOT title:lord}) means "every
     * movie but these", as its user meant; Lucene alone would match nothing. Every movie then scores 0
     * from that group, so the order falls to the other clauses and to movie_id.
     */
    @Override
    protected Query getBooleanQuery(List<BooleanClause> clauses) throws ParseException {
        if (!clauses.isEmpty() && clauses.stream().allMatch(c -> c.getOccur() == BooleanClause.Occur.MUST_NOT)) {
            List<BooleanClause> all = new ArrayList<>(clauses);
            all.add(new BooleanClause(new MatchAllDocsQuery(), BooleanClause.Occur.FILTER));
            return super.getBooleanQuery(all);
        }
        return super.getBooleanQuery(clauses);
    }

    private void checkField(String field) throws ParseException {
        if (!Fields.QUERYABLE.contains(field)) {
            throw new Located(at(field + ":", 0), "unknown field '" + field + "'; fields are "
                    + String.join(", ", Fields.QUERYABLE));
        }
    }

    private void checkTextual(String field, String term, String what) throws ParseException {
        if (field == null) return;
        checkField(field);
        if (Fields.isNumeric(field)) {
            throw new Located(at(field + ":", 0) + field.length() + 1, field + " is numeric and cannot take " + what
                    + " ('" + term + "'); use a range such as " + field + ":["
                    + (field.equals(Fields.AVG_RATING) ? "3.5" : "1990") + " TO *]");
        }
    }

    private int parseInt(String field, String text) throws ParseException {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new Located(at(text, current.indexOf(field + ":")), field + " expects a whole number, got '"
                    + text + "'");
        }
    }

    private double parseDouble(String field, String text) throws ParseException {
        try {
            double v = Double.parseDouble(text.trim());
            if (Double.isNaN(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new Located(at(text, current.indexOf(field + ":")), field + " expects a number, got '" + text + "'");
        }
    }

    /** Where {@code needle} occurs in the query being parsed, at or after {@code from}; 0 if nowhere. */
    private int at(String needle, int from) {
        int i = current.indexOf(needle, Math.max(0, from));
        if (i < 0) i = current.indexOf(needle);
        return Math.max(i, 0);
    }

    /** A parse error whose position this class knows, unlike Lucene's own semantic ones. */
    private static final class Located extends ParseException {
        final int position;
        final String reason;

        Located(int position, String reason) {
            super(reason);
            this.position = position;
            this.reason = reason;
        }
    }

    // ---- error messages ------------------------------------------------------------------------

    private QuerySyntaxException explain(String query, ParseException wrapper) {
        // QueryParserBase.parse wraps the real exception: "Cannot parse '…': " + cause's message.
        Throwable cause = wrapper.getCause() != null ? wrapper.getCause() : wrapper;
        if (cause instanceof Located l) {
            return new QuerySyntaxException(query, l.position, l.reason);
        }
        if (cause instanceof TokenMgrError t) {
            return lexical(query, t.getMessage());
        }
        int paren = Structure.of(query).unbalanced();
        if (paren >= 0) {
            return new QuerySyntaxException(query, paren, query.charAt(paren) == '('
                    ? "unbalanced parenthesis: this ( has no closing )"
                    : "unbalanced parenthesis: this ) has no opening (");
        }
        if (cause instanceof ParseException p && p.currentToken != null && p.currentToken.next != null) {
            Token bad = p.currentToken.next;
            String found = bad.kind == QueryParserConstants.EOF ? "the query ends" : "unexpected '" + bad.image + "'";
            String after = p.currentToken.image == null || p.currentToken.image.isEmpty() ? ""
                    : " after '" + p.currentToken.image + "'";
            String reason = found + after + expected(p);
            int pos = bad.kind == QueryParserConstants.EOF ? query.length() : bad.beginColumn;
            return new QuerySyntaxException(query, pos, reason);
        }
        // Lucene's semantic errors (a leading wildcard, too many clauses) have no token: place the
        // caret after the last token read.
        Token t = token;
        int pos = t != null && t.kind != QueryParserConstants.EOF ? t.beginColumn : 0;
        String msg = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        msg = msg.replaceFirst("^Cannot parse '.*?': ", "");
        return new QuerySyntaxException(query, pos, Messages.firstLine(msg));
    }

    private static final Pattern LEXICAL_COLUMN = Pattern.compile("column (\\d+)");

    private QuerySyntaxException lexical(String query, String message) {
        int quote = Structure.of(query).openQuote();
        if (quote >= 0) {
            return new QuerySyntaxException(query, quote, "unterminated phrase: this \" has no closing \"");
        }
        if (query.endsWith("\\")) {
            return new QuerySyntaxException(query, query.length() - 1, "a \\ at the end escapes nothing");
        }
        Matcher m = LEXICAL_COLUMN.matcher(message == null ? "" : message);
        int pos = m.find() ? Integer.parseInt(m.group(1)) - 1 : query.length();
        return new QuerySyntaxException(query, pos, "cannot read the query here: " + Messages.firstLine(message));
    }

    private static String expected(ParseException p) {
        if (p.expectedTokenSequences == null) return "";
        Set<String> kinds = new LinkedHashSet<>();
        for (int[] seq : p.expectedTokenSequences) {
            if (seq.length == 0) continue;
            String k = switch (seq[0]) {
                case QueryParserConstants.TERM, QueryParserConstants.PREFIXTERM, QueryParserConstants.WILDTERM,
                        QueryParserConstants.NUMBER, QueryParserConstants.STAR -> "a term";
                case QueryParserConstants.QUOTED -> "a \"phrase\"";
                case QueryParserConstants.LPAREN -> "'('";
                case QueryParserConstants.RPAREN -> "')'";
                case QueryParserConstants.RANGEIN_START, QueryParserConstants.RANGEEX_START -> "a range [a TO b]";
                case QueryParserConstants.RANGE_TO -> "TO";
                case QueryParserConstants.RANGE_GOOP, QueryParserConstants.RANGE_QUOTED -> "a bound (a value or *)";
                case QueryParserConstants.RANGEIN_END -> "']'";
                case QueryParserConstants.RANGEEX_END -> "'}'";
                default -> null;
            };
            if (k != null) kinds.add(k);
        }
        if (kinds.isEmpty()) return "";
        List<String> list = new ArrayList<>(kinds);
        return "; expected " + (list.size() == 1 ? list.get(0)
                : String.join(", ", list.subList(0, list.size() - 1)) + " or " + list.get(list.size() - 1));
    }
}
