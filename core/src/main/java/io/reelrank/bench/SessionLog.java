package io.reelrank.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulated sessions as JSON Lines, one session per line: {@code {"session", "user", "query",
 * "request_id", "shown": [movie ids, position 1 first], "clicked": [positions, 1-based], "ratings":
 * [{"movie", "position", "stars"}], "ndcg_shown", "ndcg_catalogue"}}. {@link #writer} is a
 * {@link SessionSink} that appends each session as it ends (the caller closes it); {@link #read}
 * reads a file back for the click models and interleaving credit, naming the line of a bad one.
 */
public final class SessionLog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SessionLog() {}

    /** A sink writing to {@code file} (created or truncated). */
    public static SessionSink writer(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        return new SessionSink() {
            @Override
            public void accept(SimulatedSession s) throws IOException {
                out.write(JSON.writeValueAsString(toJson(s)));
                out.write('\n');
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }

    static ObjectNode toJson(SimulatedSession s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("session", s.index());
        o.put("user", s.user());
        o.put("query", s.query());
        if (s.requestId() == null) o.putNull("request_id");
        else o.put("request_id", s.requestId());
        ArrayNode shown = o.putArray("shown");
        for (int m : s.shown()) shown.add(m);
        ArrayNode clicked = o.putArray("clicked");
        for (int p : s.toSession().clickedPositions()) clicked.add(p);
        ArrayNode ratings = o.putArray("ratings");
        for (SimulatedSession.Rated r : s.ratings()) {
            ratings.addObject().put("movie", r.movie()).put("position", r.position()).put("stars", r.stars());
        }
        o.put("ndcg_shown", s.ndcgShown());
        o.put("ndcg_catalogue", s.ndcgCatalogue());
        return o;
    }

    /** Reads every session of a file written by {@link #writer}. */
    public static List<SimulatedSession> read(Path file) throws IOException {
        List<SimulatedSession> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNo++;
                if (line.isBlank()) continue;
                try {
                    JsonNode o = JSON.readTree(line);
                    int[] shown = ints(o.get("shown"));
                    boolean[] clicked = new boolean[shown.length];
                    for (int p : ints(o.get("clicked"))) {
                        if (p < 1 || p > shown.length) {
                            throw new IllegalArgumentException("clicked position " + p + " outside 1-" + shown.length);
                        }
                        clicked[p - 1] = true;
                    }
                    List<SimulatedSession.Rated> ratings = new ArrayList<>();
                    for (JsonNode r : o.get("ratings")) {
                        ratings.add(new SimulatedSession.Rated(r.get("movie").asInt(), r.get("position").asInt(),
                                r.get("stars").asDouble()));
                    }
                    JsonNode rid = o.get("request_id");
                    out.add(new SimulatedSession(o.get("session").asInt(), o.get("user").asInt(),
                            o.get("query").asText(), rid == null || rid.isNull() ? null : rid.asText(), shown, clicked,
                            ratings, o.get("ndcg_shown").asDouble(), o.get("ndcg_catalogue").asDouble()));
                } catch (IOException | RuntimeException e) {
                    throw new IllegalArgumentException(file + " line " + lineNo + ": not a session line ("
                            + (e.getMessage() == null ? "a field is missing" : e.getMessage().lines().findFirst()
                            .orElse("")) + ")");
                }
            }
        }
        return out;
    }

    private static int[] ints(JsonNode array) {
        if (array == null || !array.isArray()) throw new IllegalArgumentException("expected an array of integers");
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }
}
