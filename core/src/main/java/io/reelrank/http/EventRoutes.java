package io.reelrank.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.service.EventService;
import io.reelrank.service.RatingService;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/events}: a batch {@code {"events": [...]}} of impressions, clicks and ratings
 * (docs/events.md). Decodes each event strictly (its type's fields only, each of its JSON type; a
 * refusal names the event's index and field), checks that the caller may post it ({@link Guard#checkEvent}),
 * and delegates to {@link EventService#post}, which validates against what was served and answers once
 * the batch is committed: {@code {"events", "stored", "duplicates"}}. A full queue is 503 with
 * Retry-After; nothing of a refused batch was written. After a rating, as the rating route does, the
 * user's cached vectors are dropped so the next search uses the new ones.
 */
final class EventRoutes {

    /** The fields each type takes; {@code id} and {@code type} are every event's. */
    static final Map<EventService.Type, Set<String>> FIELDS = Map.of(
            EventService.Type.IMPRESSION, Set.of("id", "type", "request_id", "user_id", "movie_ids", "positions",
                    "ranker", "ranker_version"),
            EventService.Type.CLICK, Set.of("id", "type", "request_id", "user_id", "movie_id", "position", "ranker",
                    "ranker_version"),
            EventService.Type.RATING, Set.of("id", "type", "request_id", "user_id", "movie_id", "position", "rating"));

    private final EventService events;
    private final PersonalizedSearch search;
    private final Guard guard;

    EventRoutes(EventService events, PersonalizedSearch search, Guard guard) {
        this.events = events;
        this.search = search;
        this.guard = guard;
    }

    /** The answer: events in the batch, newly stored, and already stored before (a retry's). */
    record EventsBody(int events, int stored, int duplicates) {}

    void post(Context ctx) throws Exception {
        RequestParams.of(ctx, Set.of());
        List<EventService.Event> batch = batch(Json.requestBody(ctx));
        for (int i = 0; i < batch.size(); i++) {
            EventService.Event e = batch.get(i);
            if (e.user() != null) guard.checkEvent(ctx, i, e.user(), e.type() == EventService.Type.RATING);
        }
        EventService.Result r;
        try {
            r = events.post(batch);
        } catch (EventService.BadEventException e) {
            throw new ApiError(e.status, e.status == 404 ? "not found" : "bad event", e.getMessage());
        } catch (EventService.QueueFullException e) {
            throw new ApiError(503, "busy", e.getMessage());
        }
        for (RatingService.Stored s : r.ratings()) {
            if (s.foldIn() != null) search.offerModel(s.foldIn().model());
        }
        for (EventService.Event e : batch) {
            if (e.type() == EventService.Type.RATING) search.invalidateUser(e.user());
        }
        ctx.json(new EventsBody(batch.size(), r.stored(), r.duplicates()));
    }

    /** The body's events, each decoded by {@link #event}. */
    static List<EventService.Event> batch(JsonNode body) {
        if (body == null || !body.isObject() || !body.has("events")) {
            throw new ApiError(400, "bad body",
                    "request body must be a JSON object {\"events\": [...]} (docs/events.md)");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("events")) {
                throw ApiError.badParameter("unknown field '" + ApiError.safe(f) + "'; the body has only 'events'");
            }
        }
        JsonNode list = body.get("events");
        if (!list.isArray() || list.isEmpty() || list.size() > EventService.MAX_BATCH) {
            throw ApiError.badParameter("field 'events' must be an array of 1-" + EventService.MAX_BATCH
                    + " events, got " + (list.isArray() ? list.size() + " events" : "a " + kind(list)));
        }
        List<EventService.Event> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) out.add(event(i, list.get(i)));
        return out;
    }

    /** One event, strictly: a known type, only its fields, each of its JSON type. */
    static EventService.Event event(int i, JsonNode n) {
        if (!n.isObject()) throw bad(i, null, "must be a JSON object, got a " + kind(n));
        JsonNode t = n.get("type");
        if (t == null || !t.isTextual()) {
            throw bad(i, "type", "must be impression, click or rating, got " + (t == null ? "none" : t.toString()));
        }
        EventService.Type type = switch (t.asText()) {
            case "impression" -> EventService.Type.IMPRESSION;
            case "click" -> EventService.Type.CLICK;
            case "rating" -> EventService.Type.RATING;
            default -> throw bad(i, "type", "must be impression, click or rating, got '" + ApiError.safe(t.asText())
                    + "'");
        };
        Set<String> allowed = FIELDS.get(type);
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw bad(i, f, "is not a field of " + (type == EventService.Type.IMPRESSION ? "an " : "a ")
                        + type.key() + "; allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
        }
        JsonNode id = n.get("id");
        if (id == null || !id.isTextual()) throw bad(i, "id", "must be a string (the event's idempotency key), got "
                + (id == null ? "none" : ApiError.safe(id.toString())));
        return new EventService.Event(id.asText(), type, text(i, n, "request_id"), integer(i, n, "user_id", 1),
                integer(i, n, "movie_id", 1), integer(i, n, "position", 1), ints(i, n, "movie_ids"),
                ints(i, n, "positions"), text(i, n, "ranker"), integer(i, n, "ranker_version", 1),
                number(i, n, "rating"));
    }

    private static String text(int i, JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw bad(i, field, "must be a string, got " + ApiError.safe(v.toString()));
        return v.asText();
    }

    private static Integer integer(int i, JsonNode n, String field, int min) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min) {
            throw bad(i, field, "must be an integer >= " + min + ", got " + ApiError.safe(v.toString()));
        }
        return v.asInt();
    }

    private static Double number(int i, JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isNumber()) throw bad(i, field, "must be a number, got " + ApiError.safe(v.toString()));
        return v.asDouble();
    }

    private static int[] ints(int i, JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isArray() || v.size() > 10_000) {
            throw bad(i, field, "must be an array of positive integers, got a " + kind(v));
        }
        int[] out = new int[v.size()];
        for (int k = 0; k < out.length; k++) {
            JsonNode x = v.get(k);
            if (!x.isIntegralNumber() || !x.canConvertToInt() || x.asInt() < 1) {
                throw bad(i, field + "[" + k + "]", "must be a positive integer, got " + ApiError.safe(x.toString()));
            }
            out[k] = x.asInt();
        }
        return out;
    }

    private static ApiError bad(int i, String field, String detail) {
        return new ApiError(400, "bad event", "event " + i + (field == null ? "" : ": field '" + ApiError.safe(field)
                + "'") + ": " + detail);
    }

    private static String kind(JsonNode n) {
        if (n.isObject()) return "object";
        if (n.isArray()) return "array";
        if (n.isTextual()) return "string";
        if (n.isNumber()) return "number";
        if (n.isBoolean()) return "boolean";
        return "null";
    }
}
