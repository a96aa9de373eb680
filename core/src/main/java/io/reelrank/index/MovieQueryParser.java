package io.reelrank.index;

import io.reelrank.db.Messages;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.queryparser.classic.QueryParserConstants;
import org.apache.lucene.queryparser.classic.Token;
import org.apache.lucene.queryparser.classic.TokenMgrError;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.ConstantScoreQuery;
import org.apache.lucene.search.FuzzyQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
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

    private String current = "";
    /** Clauses counted so far in the query being parsed (see {@link #MAX_CLAUSES}). */
    private int clauses;
    /** Depth of nested term-query calls: a bare term's per-field calls are counted with it, once. */
    private int termDepth;

    public MovieQueryParser() {
        this(TAG_WEIGHT);
    }

    /** A parser with another tag weight, for the experiment that chose {@link #TAG_WEIGHT}. */
    public MovieQueryParser(float tagWeight) {
        super(DEFAULT_FIELDS, Analyzers.PER_FIELD, Map.of(Fields.TITLE, TITLE_WEIGHT, Fields.TAGS, tagWeight));
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
        current = query;
        clauses = 0;
        termDepth = 0;
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
            return parse(query);
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
        return counted(field, queryText, 1, () -> fieldQuery(field, queryText, quoted));
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
        checkTextual(field, termStr + "*", "a prefix");
        return counted(field, termStr, 1, () -> super.getPrefixQuery(field, termStr));
    }

    @Override
    protected Query getWildcardQuery(String field, String termStr) throws ParseException {
        checkTextual(field, termStr, "a wildcard");
        return counted(field, termStr, 1, () -> super.getWildcardQuery(field, termStr));
    }

    @Override
    protected Query getFuzzyQuery(String field, String termStr, float minSimilarity) throws ParseException {
        checkTextual(field, termStr, "a fuzzy term");
        return counted(field, termStr, FUZZY_EXPANSIONS, () -> super.getFuzzyQuery(field, termStr, minSimilarity));
    }

    @Override
    protected Query getRegexpQuery(String field, String termStr) throws ParseException {
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
