package io.reelrank.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reelrank.TestDatabase;
import io.reelrank.db.Database;
import io.reelrank.db.ScratchDatabase;
import io.reelrank.eval.SearchRankerTraining;
import io.reelrank.generate.MovieLensGenerator;
import io.reelrank.http.ApiServer;
import io.reelrank.index.MovieIndex;
import io.reelrank.index.MovieSearcher;
import io.reelrank.ingest.MovieLensLoader;
import io.reelrank.model.ItemVectors;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.service.ExperimentSearch;
import io.reelrank.service.Experiments;
import io.reelrank.service.RankerTraining;
import io.reelrank.service.Training;
import io.reelrank.user.UserTower;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Experiments end to end on a generated set of 10,000 ratings (seed 5) in a database of its own (the
 * shared sample is never touched), with a collaborative model trained on it, indexed and served by a
 * real {@link ApiServer} on a free loopback port: {@code reelrank experiment start|stop|report|list}
 * run as a user types them, the server follows each start and stop through the notification, its
 * answers carry the arms, the request log rows match them, clicks posted as events credit the arm the
 * server says placed the movie, and {@code reelrank simulate} drives an interleaving experiment through
 * the HTTP API alone until the report names the arm the audience's latent tastes prefer.
 */
@Tag("integration")
class ExperimentCommandTest {

    @TempDir
    static Path tmp;

    private static Path set;
    private static ScratchDatabase scratch;
    private static Database db;
    private static String url;
    private static ApiServer server;
    private static PersonalizedSearch search;
    private static long ranker;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void serveAGeneratedSet() throws Exception {
        set = tmp.resolve("set");
        MovieLensGenerator.write(new MovieLensGenerator.Options(10_000, null, null, null, 5, TestDatabase.SAMPLE,
                false), set, false, MovieLensGenerator.Listener.NONE);
        scratch = new ScratchDatabase(TestDatabase.get(), "experiment");
        db = scratch.database();
        MovieLensLoader.load(db, set, MovieLensLoader.Options.defaults(), MovieLensLoader.Listener.NONE);
        Training.run(db, new Training.Options(List.of(TestDatabase.MODEL), Runtime.getRuntime().availableProcessors(),
                UserTower.DEFAULT_SHRINKAGE), Training.Listener.NONE);
        Path index = tmp.resolve("index");
        MovieIndex.rebuild(db, index);
        // the learned ranker, on a seeded sample of judgments so the class trains it in seconds
        RankerTraining.Options o = new RankerTraining.Options(List.of(SearchRankerTraining.DEFAULT), List.of(),
                4_000, SearchRankerTraining.DEFAULT.params().seed(), Runtime.getRuntime().availableProcessors(), index);
        ranker = Training.rankerOnly(db, new Training.Options(List.of(TestDatabase.MODEL), o.threads(),
                UserTower.DEFAULT_SHRINKAGE).withRanker(o), Training.Listener.NONE).version();
        search = new PersonalizedSearch(db, MovieSearcher.open(index), ItemVectors.load(db, true));
        search.listen();
        search.awaitCurrent(60_000);
        server = ApiServer.start(ApiServer.Options.loopback(), db, search);
        url = db.settings().url() + "?user=" + db.settings().user() + "&password=" + db.settings().password();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (search != null) search.close();
        if (scratch != null) scratch.close();
    }

    /** Each test starts with no experiment running. */
    @AfterEach
    void stopWhatRuns() throws Exception {
        try (Connection c = db.connect()) {
            if (Experiments.running(c) != null) Experiments.stop(db, null);
        }
        server.experiments().awaitSeen(10_000);
    }

    private static Run experiment(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = args[0];
        all[1] = "--db-url=" + url;
        System.arraycopy(args, 1, all, 2, args.length - 1);
        return Run.of(List.of("experiment"), all);
    }

    private static int started(Run r) {
        assertEquals(0, r.code(), r.err() + r.out());
        Matcher m = Pattern.compile("started experiment (\\d+) ").matcher(r.out());
        assertTrue(m.find(), r.out());
        return Integer.parseInt(m.group(1));
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(server.uri().resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode(), res.body());
        return JSON.readTree(res.body());
    }

    private static JsonNode search(String q, int user) throws Exception {
        return get("/api/search?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8) + "&user=" + user + "&limit=10");
    }

    private static void post(String body) throws Exception {
        HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(server.uri().resolve("/api/events"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode(), res.body());
    }

    private static int aUser() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT min(user_id) FROM ratings")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aStartedExperimentIsServedInterleavedAndItsClicksCreditTheArmThatPlacedTheMovie() throws Exception {
        int user = aUser();
        assertNull(search("genres:Drama", user).get("experiment"), "no experiment yet, but the answer names one");
        int id = started(experiment("start", "--a", "weighted", "--b", "bm25", "--name", "arms test"));
        server.experiments().awaitSeen(10_000);
        assertEquals(id, server.experiments().running().id());

        JsonNode answer = search("genres:Drama", user);
        assertEquals(id, answer.get("experiment").asInt(), answer.toString());
        assertEquals("interleaved", answer.get("fusion").asText());
        JsonNode results = answer.get("results");
        assertEquals(10, results.size());
        short[] arms = new short[results.size()];
        int[] movies = new int[results.size()];
        int placedByA = 0;
        for (int i = 0; i < results.size(); i++) {
            String arm = results.get(i).get("arm").asText();
            assertTrue(arm.equals("A") || arm.equals("B"), arm);
            arms[i] = arm.equals("A") ? ExperimentSearch.ARM_A : ExperimentSearch.ARM_B;
            if (arm.equals("A")) placedByA++;
            movies[i] = results.get(i).get("movie_id").asInt();
            assertEquals(i + 1, results.get(i).get("rank").asInt());
        }
        // team draft: the arms take turns in pairs, so over 10 places each placed 5
        assertEquals(5, placedByA);
        // a search that names its fusion asked for that ranking, not the experiment's
        assertNull(get("/api/search?q=genres:Drama&user=" + user + "&fusion=bm25").get("experiment"));
        // an anonymous search has no user to interleave for
        assertNull(get("/api/search?q=genres:Drama").get("experiment"));

        String rid = answer.get("request_id").asText();
        server.requestLog().flush(10_000);
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT experiment_id, arms, movie_ids, ranker FROM request_log WHERE request_id = ?::uuid")) {
            ps.setString(1, rid);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "no request log row for " + rid);
                assertEquals(id, rs.getInt(1));
                Object[] a = (Object[]) rs.getArray(2).getArray();
                short[] logged = new short[a.length];
                for (int i = 0; i < a.length; i++) logged[i] = ((Number) a[i]).shortValue();
                assertArrayEquals(arms, logged);
                Object[] m = (Object[]) rs.getArray(3).getArray();
                for (int i = 0; i < m.length; i++) assertEquals(movies[i], ((Number) m[i]).intValue());
                assertEquals(ExperimentSearch.INTERLEAVED, rs.getString(4));
            }
        }

        // click the first two of A's movies and one of B's: A wins this impression 2-1
        List<Integer> clicked = new ArrayList<>();
        int a = 0, b = 0;
        for (int i = 0; i < arms.length; i++) {
            if (arms[i] == ExperimentSearch.ARM_A && a < 2) {
                clicked.add(i + 1);
                a++;
            } else if (arms[i] == ExperimentSearch.ARM_B && b < 1) {
                clicked.add(i + 1);
                b++;
            }
        }
        StringBuilder events = new StringBuilder("{\"events\": [");
        for (int k = 0; k < clicked.size(); k++) {
            int p = clicked.get(k);
            // the client's own claim of the arm is not a field the API takes: credit comes from the log
            events.append(k > 0 ? "," : "").append("{\"id\": \"").append(rid).append("-c").append(p)
                    .append("\", \"type\": \"click\", \"request_id\": \"").append(rid).append("\", \"user_id\": ")
                    .append(user).append(", \"movie_id\": ").append(movies[p - 1]).append(", \"position\": ")
                    .append(p).append("}");
        }
        post(events.append("]}").toString());

        Path png = tmp.resolve("pref.png");
        Run report = experiment("report", String.valueOf(id), "--plot", png.toString());
        assertEquals(0, report.code(), report.err());
        assertTrue(report.out().contains("impressions: 1 interleaved answers; clicks: 2 on A's movies, 1 on B's"),
                report.out());
        assertTrue(report.out().contains("wins: A 1, B 0, ties 0"), report.out());
        assertTrue(report.out().contains("sign test (two-sided, ties left out): p = 1.00"), report.out());
        assertTrue(report.out().contains("no winner at p < 0.05 yet"), report.out());
        assertTrue(Files.size(png) > 1000, "no plot written");

        // stop: the data stays, answers are no longer interleaved, and the report still reads
        Run stopped = experiment("stop");
        assertEquals(0, stopped.code(), stopped.err());
        assertTrue(stopped.out().startsWith("stopped experiment " + id + " 'arms test'"), stopped.out());
        server.experiments().awaitSeen(10_000);
        assertNull(server.experiments().running());
        JsonNode after = search("genres:Drama", user);
        assertNull(after.get("experiment"), after.toString());
        assertFalse(after.get("results").get(0).has("arm"));
        Run again = experiment("report", String.valueOf(id));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("wins: A 1, B 0, ties 0"), again.out());
        assertTrue(again.out().contains("stopped"), again.out());
        Run list = experiment("list");
        assertTrue(list.out().contains("experiment " + id + " 'arms test' (interleave): A = weighted, B = bm25"),
                list.out());
    }

    @Test
    void anAbExperimentServesEachUserOneArmAndReportsClickThroughPerArm() throws Exception {
        int id = started(experiment("start", "--a", "popularity", "--b", "bm25", "--kind", "ab"));
        server.experiments().awaitSeen(10_000);
        int user = aUser();
        short bucket = ExperimentSearch.bucket(id, user);
        JsonNode answer = search("comedy", user);
        assertEquals(id, answer.get("experiment").asInt());
        String arm = bucket == ExperimentSearch.ARM_A ? "A" : "B";
        for (JsonNode r : answer.get("results")) assertEquals(arm, r.get("arm").asText());
        assertEquals(bucket == ExperimentSearch.ARM_A ? "weighted" : "bm25", answer.get("fusion").asText());
        String rid = answer.get("request_id").asText();
        JsonNode first = answer.get("results").get(0);
        post("{\"events\": [{\"id\": \"" + rid + "-c1\", \"type\": \"click\", \"request_id\": \"" + rid
                + "\", \"user_id\": " + user + ", \"movie_id\": " + first.get("movie_id").asInt()
                + ", \"position\": 1}]}");
        server.requestLog().flush(10_000);
        Run report = experiment("report");
        assertEquals(0, report.code(), report.err());
        String line = arm + " (" + (arm.equals("A") ? "popularity" : "bm25") + "): 1 answers, 1 clicks, "
                + "click-through 1.0000";
        assertTrue(report.out().contains(line), report.out());
        Run plot = experiment("report", "--plot", tmp.resolve("ab.png").toString());
        assertEquals(2, plot.code());
        assertTrue(plot.err().contains("--plot draws an interleaving experiment's preference; experiment " + id
                + " is ab"), plot.err());
    }

    @Test
    void badArmsUnknownIdsAndASecondRunningExperimentAreRefusedClearly() throws Exception {
        Run bad = experiment("start", "--a", "weighted", "--b", "magic");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("arm must be weighted, linear, rrf, bm25, popularity, random, learned (the "
                + "active search ranker) or learned:VERSION, got 'magic'"), bad.err());
        Run same = experiment("start", "--a", "bm25", "--b", "BM25");
        assertTrue(same.err().contains("arms A and B must differ, both are 'bm25'"), same.err());
        Run learned = experiment("start", "--a", "learned:" + ranker, "--b", "learned");
        assertTrue(learned.err().contains("arms A and B must differ, both are 'learned:" + ranker + "'"), learned.err());
        Run version = experiment("start", "--a", "learned:999999", "--b", "bm25");
        assertTrue(version.err().contains("arm 'learned:999999': no ranker version 999999 is stored"), version.err());
        Run kind = experiment("start", "--a", "weighted", "--b", "bm25", "--kind", "split");
        assertTrue(kind.err().contains("experiment kind must be interleave or ab, got 'split'"), kind.err());

        int id = started(experiment("start", "--a", "weighted", "--b", "rrf"));
        Run second = experiment("start", "--a", "weighted", "--b", "bm25");
        assertEquals(2, second.code());
        assertTrue(second.err().contains("experiment " + id + " ('weighted vs rrf') is running: stop it first"),
                second.err());
        Run unknown = experiment("report", "999999");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("no experiment 999999"), unknown.err());
        assertEquals(0, experiment("stop", String.valueOf(id)).code());
        Run twice = experiment("stop", String.valueOf(id));
        assertTrue(twice.err().contains("experiment " + id + " was stopped already"), twice.err());
        Run none = experiment("stop");
        assertTrue(none.err().contains("no experiment is running"), none.err());
    }

    @Test
    void aSimulatedAudienceDrivesAnInterleavingExperimentToTheArmItsTastesPrefer() throws Exception {
        // The shuffled control as A, so a report that credits A by mistake fails. Every position examined
        // (η = 0): clicks then follow what the audience likes wherever it is shown; measured on this set and seed,
        // B won 143 impressions to A's 71 (p ≈ 1e-6), far from the 0.05 asserted.
        int id = started(experiment("start", "--a", "random", "--b", "weighted"));
        server.experiments().awaitSeen(10_000);
        Run sim = Run.of(List.of("simulate"), "--url", server.uri().toString(), "--data-dir", set.toString(),
                "--users", "40", "--sessions", "300", "--seed", "7", "--rate-probability", "0", "--eta", "0");
        assertEquals(0, sim.code(), sim.err());
        assertTrue(sim.out().contains("events posted to"), sim.out());
        server.requestLog().flush(10_000);
        Run report = experiment("report", String.valueOf(id));
        assertEquals(0, report.code(), report.err());
        assertTrue(report.out().contains("impressions: 300 interleaved answers"), report.out());
        Matcher p = Pattern.compile("sign test \\(two-sided, ties left out\\): p = ([0-9.e-]+)").matcher(report.out());
        assertTrue(p.find(), report.out());
        assertTrue(Double.parseDouble(p.group(1)) < 0.05, report.out());
        assertTrue(report.out().contains("winner: B (weighted)"), report.out());
    }

    @Test
    void aRankerVersionThatIsNotActiveServesItsArmByVersion() throws Exception {
        Run off = Run.of(List.of("model"), "deactivate", "--db-url=" + url, "search");
        assertEquals(0, off.code(), off.err());
        try {
            search.awaitChangesSeen(10_000);
            int id = started(experiment("start", "--a", "learned:" + ranker, "--b", "bm25"));
            server.experiments().awaitSeen(10_000);
            JsonNode answer = search("genres:Comedy", aUser());
            assertEquals(id, answer.get("experiment").asInt());
            int fromA = 0;
            for (JsonNode r : answer.get("results")) {
                if (!r.get("arm").asText().equals("A")) continue;
                fromA++;
                assertTrue(r.get("explanation").asText().startsWith("arm A (learned:" + ranker + "), its rank "),
                        r.toString());
                assertTrue(r.get("explanation").asText().contains("learned ranker version " + ranker + ": score"),
                        r.toString());
            }
            assertEquals(5, fromA);
        } finally {
            Run on = Run.of(List.of("model"), "activate", "--db-url=" + url, String.valueOf(ranker));
            assertEquals(0, on.code(), on.err());
            search.awaitChangesSeen(10_000);
        }
    }
}
