package io.reelrank.bench;

import io.reelrank.cli.CliException;
import io.reelrank.feedback.PositionBasedModel;
import io.reelrank.feedback.Session;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reelrank simulate}: a simulated audience ({@link SimulatedAudience}) with the latent tastes
 * of a generated set plays users of a running server through its HTTP API, then prints sessions/s,
 * clicks and ratings, the click-through rate per position, its own ground truth (the mean latent
 * NDCG@10 of what it was shown) and the position-based click model fitted on its sessions beside the
 * examination it used. The sessions are kept in memory and, with {@code --sessions-out}, written as
 * JSON Lines ({@link SessionLog}). A key for a server with keys comes from {@code REELRANK_API_TOKEN}
 * (an admin key: the audience searches and rates as many users).
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Play a simulated audience with a generated set's latent tastes against a running server.",
                "Each session a user searches (a favourite genre or a title word), clicks by a click model over how",
                "much it likes each result and sometimes rates (POST /api/users/{id}/ratings). Prints sessions/s",
                "and the latent NDCG@10 of what was shown. The server must serve the same set (`reelrank ingest",
                "--data-dir DIR`, `reelrank index`); REELRANK_API_TOKEN is sent as the key when set."})
public final class SimulateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", required = true,
            description = "The server, http://HOST:PORT/")
    URI url;

    @Option(names = "--data-dir", paramLabel = "DIR", required = true,
            description = "The set `reelrank generate` wrote (movies.csv, users_latent.csv, movies_latent.csv)")
    Path dataDir;

    @Option(names = "--users", paramLabel = "N", defaultValue = "100",
            description = "Audience size: users drawn from users_latent.csv, 1 to all (default: ${DEFAULT-VALUE})")
    int users;

    @Option(names = "--sessions", paramLabel = "S", defaultValue = "1000",
            description = "Sessions in all, each by a user of the audience drawn at random, 1-10000000 (default: "
                    + "${DEFAULT-VALUE})")
    int sessions;

    @Option(names = "--seed", paramLabel = "X", defaultValue = "42",
            description = "Seed of the audience, queries, clicks and ratings (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--click-model", paramLabel = "M", defaultValue = "pbm",
            description = "pbm (position r examined with probability (1/r)^eta) or cascade (top-down until the first "
                    + "click) (default: ${DEFAULT-VALUE})")
    String clickModel;

    @Option(names = "--eta", paramLabel = "ETA", defaultValue = "1.0",
            description = "Position bias of pbm, 0-5 (0: every position examined) (default: ${DEFAULT-VALUE})")
    double eta;

    @Option(names = "--depth", paramLabel = "K", defaultValue = "10",
            description = "Results asked for and read per session, 1-100 (default: ${DEFAULT-VALUE})")
    int depth;

    @Option(names = "--rate-probability", paramLabel = "P", defaultValue = "0.1",
            description = "Chance that a click is followed by a rating, 0-1 (default: ${DEFAULT-VALUE})")
    double rateProbability;

    @Option(names = "--genre-queries", paramLabel = "P", defaultValue = "0.5",
            description = "Share of queries that are a favourite genre (genres:G); the others a title word, 0-1 "
                    + "(default: ${DEFAULT-VALUE})")
    double genreQueries;

    @Option(names = "--fusion", paramLabel = "F",
            description = "The fusion asked of the server (learned, weighted, linear, rrf, bm25) (default: the "
                    + "server's)")
    String fusion;

    @Option(names = "--events", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Post each session's impression and clicks to POST /api/events, batched, so the server's "
                    + "experiments and click models see them; --no-events posts none (default: ${DEFAULT-VALUE})")
    boolean events;

    @Option(names = "--event-batch", paramLabel = "N", defaultValue = "" + EventPoster.DEFAULT_BATCH,
            description = "Events per POST /api/events, 1-1000 (the API's 64 KiB body holds about 300) (default: "
                    + "${DEFAULT-VALUE})")
    int eventBatch;

    @Option(names = "--sessions-out", paramLabel = "FILE",
            description = "Also write every session as a JSON line to FILE (default: none)")
    Path sessionsOut;

    @Override
    public Integer call() throws Exception {
        if (!"http".equals(url.getScheme()) || url.getHost() == null || url.getPort() < 1) {
            throw CliException.badInput("--url must be http://HOST:PORT/, got '" + url + "'");
        }
        SimulatedAudience.ClickModel model = switch (clickModel) {
            case "pbm" -> SimulatedAudience.ClickModel.PBM;
            case "cascade" -> SimulatedAudience.ClickModel.CASCADE;
            default -> throw CliException.badInput("--click-model must be pbm or cascade, got '" + clickModel + "'");
        };
        if (!Files.isDirectory(dataDir)) throw CliException.badInput("--data-dir " + dataDir + " is not a directory");
        SimulatedAudience.Options options = new SimulatedAudience.Options(users, sessions, seed, model, eta, depth,
                rateProbability, genreQueries, fusion);
        LatentTruth truth;
        SimulatedAudience audience;
        try {
            options.check();
            truth = LatentTruth.read(dataDir);
            audience = new SimulatedAudience(truth, options);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        List<SimulatedSession> kept = new ArrayList<>();
        String key = System.getenv("REELRANK_API_TOKEN");
        EventPoster poster;
        try {
            poster = events ? new EventPoster(url, key, eventBatch) : null;
        } catch (IllegalArgumentException e) {
            throw CliException.badInput("--event-batch: " + e.getMessage());
        }
        SessionSink file = sessionsOut == null ? null : SessionLog.writer(sessionsOut);
        SimulatedAudience.Summary s;
        try {
            s = audience.run(SimulatedAudience.http(url, key, fusion), x -> {
                kept.add(x);
                if (file != null) file.accept(x);
                if (poster != null) poster.accept(x);
            });
            if (poster != null) poster.close();
        } catch (IOException e) {
            throw new CliException(1, "simulate: " + e.getMessage(), e);
        } finally {
            if (file != null) file.close();
        }
        print(out, s, kept, options);
        if (poster != null) {
            out.printf(Locale.ROOT, "events posted to %s: %,d impressions and clicks (%,d per batch, %,d batches sent "
                    + "again after 503)%n", url.resolve("/api/events"), poster.posted(), eventBatch, poster.retries());
            out.flush();
        }
        return 0;
    }

    private void print(PrintWriter out, SimulatedAudience.Summary s, List<SimulatedSession> kept,
                       SimulatedAudience.Options o) {
        out.printf(Locale.ROOT, "simulate: %,d sessions of %,d users on %s in %.1f s (%.1f sessions/s), seed %d, "
                + "click model %s, load average %s%n", s.sessions(), s.users(), url, s.seconds(), s.sessionsPerSecond(),
                o.seed(), o.clickModel() == SimulatedAudience.ClickModel.PBM
                        ? String.format(Locale.ROOT, "pbm (η = %.2f)", o.eta()) : "cascade", loadAverage());
        out.printf(Locale.ROOT, "clicks: %,d (%.2f per session); ratings posted: %,d%n", s.clicks(),
                (double) s.clicks() / s.sessions(), s.ratings());
        StringBuilder ctr = new StringBuilder("click-through by position:");
        for (int p = 0; p < s.clicksAt().length; p++) {
            if (s.impressionsAt()[p] == 0) break;
            ctr.append(String.format(Locale.ROOT, " %d: %.3f", p + 1, (double) s.clicksAt()[p] / s.impressionsAt()[p]));
        }
        out.println(ctr);
        out.printf(Locale.ROOT, "latent NDCG@10 of what was shown (gain: the chance the user likes the movie): %.4f "
                + "against the best order of the shown movies, %.4f against the best 10 catalogue movies the query "
                + "matches%n", s.meanNdcgShown(), s.meanNdcgCatalogue());
        List<Session> logged = new ArrayList<>();
        for (SimulatedSession x : kept) if (x.shown().length > 0) logged.add(x.toQuerySession());
        if (!logged.isEmpty()) {
            // Clicks identify γ only through a movie seen at several positions for the same query.
            java.util.Map<String, java.util.Set<Integer>> positions = new java.util.HashMap<>();
            long impressions = 0;
            for (Session x : logged) {
                for (int p = 0; p < x.size(); p++) {
                    positions.computeIfAbsent(x.context() + " " + x.shown()[p], k -> new java.util.HashSet<>())
                            .add(p);
                }
            }
            long varied = 0;
            for (Session x : logged) {
                for (int p = 0; p < x.size(); p++) {
                    impressions++;
                    if (positions.get(x.context() + " " + x.shown()[p]).size() > 1) varied++;
                }
            }
            PositionBasedModel m = PositionBasedModel.fit(logged);
            StringBuilder fit = new StringBuilder("position-based click model fitted on these sessions (EM per query "
                    + "and movie, " + m.rounds() + " rounds), γ_r/γ_1:");
            for (int r = 1; r <= m.depth(); r++) fit.append(String.format(Locale.ROOT, " %.3f", m.propensity(r)));
            out.println(fit);
            out.printf(Locale.ROOT, "  identified by the %.1f%% of impressions whose (query, movie) was shown at more "
                    + "than one position%n", 100.0 * varied / impressions);
            if (o.clickModel() == SimulatedAudience.ClickModel.PBM) {
                StringBuilder truth = new StringBuilder("the audience's own examination, (1/r)^η:");
                for (int r = 1; r <= m.depth(); r++) {
                    truth.append(String.format(Locale.ROOT, " %.3f", Math.pow(1.0 / r, o.eta())));
                }
                out.println(truth);
            }
        }
        if (sessionsOut != null) out.println("sessions written to " + sessionsOut);
        out.flush();
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
