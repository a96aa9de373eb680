package io.reelrank.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelrank.generate.MovieLensGenerator;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A simulated audience with known tastes ({@link LatentTruth}, from a set {@code reelrank generate}
 * wrote) that uses a reelrank server through its public HTTP API only. Each session: a user drawn
 * from the audience asks a query, drawn from its favourite genres ({@code genres:G}) or, as often,
 * a word from the title of a movie of one of those genres; reads the answer's top {@code depth}
 * results top-down and clicks under a click model over its latent liking α = {@link
 * LatentTruth#attraction}: position-based (position r examined with probability {@code (1/r)^η},
 * Joachims, Swaminathan &amp; Schnabel, WSDM 2017; a click iff examined and attracted) or cascade
 * (every position examined until the first click, which ends the session; Craswell et al., WSDM 2008);
 * rates a clicked movie with probability {@code rateProbability}, drawing the stars by the generator's
 * formula and posting them through {@code POST /api/users/{id}/ratings}. Every draw of session i
 * comes from its own random stream (seed, i), and sessions run one after another over one
 * connection, so a seed and a server in the same state give the same sessions (a rating changes what
 * the server shows next, by design: the second run of a seed matches the first only on a server
 * reset in between, or with {@code rateProbability} 0). Finished sessions go to a {@link SessionSink}.
 */
public final class SimulatedAudience {

    /** How the audience reads a list. */
    public enum ClickModel { PBM, CASCADE }

    /** What to simulate; {@link #check} names a bad value and its range. */
    public record Options(int users, int sessions, long seed, ClickModel clickModel, double eta, int depth,
                          double rateProbability, double genreQueryShare, String fusion) {

        public void check() {
            if (users < 1) throw new IllegalArgumentException("--users must be at least 1, got " + users);
            if (sessions < 1 || sessions > 10_000_000) {
                throw new IllegalArgumentException("--sessions must be in 1-10000000, got " + sessions);
            }
            if (!(eta >= 0 && eta <= 5)) throw new IllegalArgumentException("--eta must be in 0-5, got " + eta);
            if (depth < 1 || depth > 100) throw new IllegalArgumentException("--depth must be in 1-100, got " + depth);
            if (!(rateProbability >= 0 && rateProbability <= 1)) {
                throw new IllegalArgumentException("--rate-probability must be in 0-1, got " + rateProbability);
            }
            if (!(genreQueryShare >= 0 && genreQueryShare <= 1)) {
                throw new IllegalArgumentException("--genre-queries must be in 0-1, got " + genreQueryShare);
            }
        }
    }

    /** What a run did. */
    public record Summary(int sessions, int users, double seconds, long clicks, long ratings, double meanNdcgShown,
                          double meanNdcgCatalogue, long[] impressionsAt, long[] clicksAt) {

        public double sessionsPerSecond() {
            return seconds > 0 ? sessions / seconds : 0;
        }
    }

    /** The server as the audience sees it. */
    public interface Api {
        /** The movie ids answered for {@code query} by {@code user}, best first, and the request id (or null). */
        Answer search(String query, int user, int limit) throws IOException, InterruptedException;

        /** Posts a rating; returns normally when the server answered 200. */
        void rate(int user, int movie, double stars) throws IOException, InterruptedException;
    }

    /** One search answer. */
    public record Answer(int[] movies, String requestId) {}

    private final LatentTruth truth;
    private final Options options;
    private final int[] audience;

    public SimulatedAudience(LatentTruth truth, Options options) {
        options.check();
        int[] all = truth.userIds();
        if (options.users() > all.length) {
            throw new IllegalArgumentException("--users must be in 1-" + all.length
                    + " (the users of users_latent.csv), got " + options.users());
        }
        this.truth = truth;
        this.options = options;
        // the audience: a seeded partial shuffle of every user, then in id order
        SplittableRandom r = stream(options.seed(), -1);
        for (int i = 0; i < options.users(); i++) {
            int j = i + r.nextInt(all.length - i);
            int x = all[i];
            all[i] = all[j];
            all[j] = x;
        }
        audience = Arrays.copyOf(all, options.users());
        Arrays.sort(audience);
    }

    /** The users of this audience, ascending. */
    public int[] audience() {
        return audience.clone();
    }

    /** Runs every session against {@code api}, handing each to {@code sink} as it ends. */
    public Summary run(Api api, SessionSink sink) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        long clicks = 0, ratings = 0;
        double sumShown = 0, sumCatalogue = 0;
        long[] impressionsAt = new long[options.depth()];
        long[] clicksAt = new long[options.depth()];
        for (int i = 0; i < options.sessions(); i++) {
            SimulatedSession s = session(api, i);
            for (int p = 0; p < s.shown().length; p++) {
                impressionsAt[p]++;
                if (s.clicked()[p]) clicksAt[p]++;
            }
            clicks += s.clicks();
            ratings += s.ratings().size();
            sumShown += s.ndcgShown();
            sumCatalogue += s.ndcgCatalogue();
            sink.accept(s);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        int n = options.sessions();
        return new Summary(n, audience.length, seconds, clicks, ratings, sumShown / n, sumCatalogue / n,
                impressionsAt, clicksAt);
    }

    /** Session {@code i}: its query, the answer, the clicks and ratings. */
    SimulatedSession session(Api api, int i) throws IOException, InterruptedException {
        SplittableRandom r = stream(options.seed(), i);
        LatentTruth.User u = truth.user(audience[r.nextInt(audience.length)]);
        List<String> favourites = truth.favourites(u);
        String genre = favourites.get(r.nextInt(favourites.size()));
        String query = "genres:" + genre;
        int[] pool = truth.moviesOfGenre(genre);
        if (r.nextDouble() >= options.genreQueryShare() && pool.length > 0) {
            String[] words = truth.titleWords(pool[r.nextInt(pool.length)]);
            if (words.length > 0) {
                String word = words[r.nextInt(words.length)];
                query = word;
                pool = truth.moviesWithWord(word);
            }
        }
        Answer answer = api.search(query, u.id(), options.depth());
        int[] shown = answer.movies();
        boolean[] clicked = new boolean[shown.length];
        List<SimulatedSession.Rated> rated = new ArrayList<>();
        for (int p = 0; p < shown.length; p++) {
            if (!truth.hasMovie(shown[p])) {
                throw new IllegalStateException("the server showed movie " + shown[p] + ", which the set's movies.csv "
                        + "does not have: is the server serving this --data-dir?");
            }
            double like = truth.attraction(u, shown[p]);
            boolean click;
            if (options.clickModel() == ClickModel.PBM) {
                boolean examined = r.nextDouble() < Math.pow(1.0 / (p + 1), options.eta());
                click = examined && r.nextDouble() < like;
            } else {
                click = r.nextDouble() < like;
            }
            clicked[p] = click;
            if (click && r.nextDouble() < options.rateProbability()) {
                double stars = truth.stars(u, shown[p], MovieLensGenerator.gaussian(r));
                api.rate(u.id(), shown[p], stars);
                rated.add(new SimulatedSession.Rated(shown[p], p + 1, stars));
            }
            if (click && options.clickModel() == ClickModel.CASCADE) break;
        }
        return new SimulatedSession(i, u.id(), query, answer.requestId(), shown, clicked, rated,
                truth.ndcg(u, shown, shown, 10), truth.ndcg(u, shown, pool, 10));
    }

    /** The random stream of session i (i = −1: choosing the audience): the generator's streams. */
    static SplittableRandom stream(long seed, long i) {
        return MovieLensGenerator.random(seed, i + 2, 0);
    }

    /**
     * The public API over HTTP/1.1: {@code GET /api/search?q=&user=&limit=} (and {@code fusion} when
     * given), {@code POST /api/users/{id}/ratings}, with {@code Authorization: Bearer KEY} when a key is
     * given. A status other than 200 is an IOException naming the request, the status and the body.
     */
    public static Api http(URI base, String key, String fusion) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        ObjectMapper json = new ObjectMapper();
        return new Api() {
            @Override
            public Answer search(String query, int user, int limit) throws IOException, InterruptedException {
                String path = "/api/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&user=" + user
                        + "&limit=" + limit + (fusion == null ? "" : "&fusion="
                        + URLEncoder.encode(fusion, StandardCharsets.UTF_8));
                HttpResponse<String> res = client.send(request(path).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                check("GET " + path, res);
                JsonNode body = json.readTree(res.body());
                JsonNode results = body.get("results");
                int[] movies = new int[results == null ? 0 : results.size()];
                for (int i = 0; i < movies.length; i++) movies[i] = results.get(i).get("movie_id").asInt();
                JsonNode rid = body.get("request_id");
                return new Answer(movies, rid == null || rid.isNull() ? null : rid.asText());
            }

            @Override
            public void rate(int user, int movie, double stars) throws IOException, InterruptedException {
                String path = "/api/users/" + user + "/ratings";
                String body = String.format(Locale.ROOT, "{\"movie_id\": %d, \"rating\": %.1f}", movie, stars);
                HttpResponse<String> res = client.send(request(path).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                check("POST " + path, res);
            }

            private HttpRequest.Builder request(String path) {
                HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
                if (key != null) b.header("Authorization", "Bearer " + key);
                return b;
            }

            private void check(String what, HttpResponse<String> res) throws IOException {
                if (res.statusCode() != 200) {
                    String b = res.body() == null ? "" : res.body();
                    throw new IOException(what + " on " + base + " answered " + res.statusCode() + ": "
                            + (b.length() > 300 ? b.substring(0, 300) + "…" : b));
                }
            }
        };
    }
}
