package io.reelrank.index;

import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.standard.StandardTokenizer;

/**
 * The analysis chains of the index, used both when writing and when parsing queries (a field must be
 * analysed the same way on both sides or its terms never meet). Stateless; share one instance.
 */
public final class Analyzers {

    private Analyzers() {}

    /**
     * Title and tags: Unicode word boundaries, possessive 's dropped ("The Lord's Lantern" answers
     * {@code lord}), lowercased, accents folded ("Amélie" answers {@code amelie}). No stemming and no
     * stop words: "Lords of Dogtown" must not answer {@code title:lord} (the 13 titles with the word
     * "lord" are exactly the 13 the sample has), and BM25's IDF already makes "the" nearly free.
     */
    public static final class Text extends Analyzer {
        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
            Tokenizer source = new StandardTokenizer();
            TokenStream ts = new EnglishPossessiveFilter(source);
            ts = new LowerCaseFilter(ts);
            ts = new ASCIIFoldingFilter(ts);
            return new TokenStreamComponents(source, ts);
        }

        @Override
        protected TokenStream normalize(String fieldName, TokenStream in) {
            return new ASCIIFoldingFilter(new LowerCaseFilter(in));
        }

        /** Keeps a phrase from matching across two different tags of the same movie. */
        @Override
        public int getPositionIncrementGap(String fieldName) {
            return 100;
        }
    }

    /** Genres and ids: the whole value is one token ("Sci-Fi" stays "sci-fi"), case-insensitive. */
    static final class Keyword extends Analyzer {
        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
            Tokenizer source = new KeywordTokenizer();
            return new TokenStreamComponents(source, new LowerCaseFilter(source));
        }

        @Override
        protected TokenStream normalize(String fieldName, TokenStream in) {
            return new LowerCaseFilter(in);
        }
    }

    /**
     * The analyzer of every field, shared: an Analyzer is thread-safe and keeps each thread's
     * tokenizers for reuse, which a new instance per query would throw away (and with them most of
     * a short query's parse time).
     */
    static final Analyzer PER_FIELD = perField();

    private static Analyzer perField() {
        Analyzer keyword = new Keyword();
        return new PerFieldAnalyzerWrapper(new Text(),
                Map.of(Fields.GENRES, keyword, Fields.IMDB_ID, keyword));
    }
}
