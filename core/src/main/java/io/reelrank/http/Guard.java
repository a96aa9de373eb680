package io.reelrank.http;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.reelrank.service.Access;
import io.reelrank.service.Keys;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Who calls, and whether they may: runs before every matched route ({@link #check}), reads
 * {@code Authorization: Bearer <key>} through {@link Keys#authenticate} (user keys, admin keys,
 * {@code REELRANK_API_TOKEN}), names the route's {@link Access.Action} and the user it concerns (the
 * path's {@code {id}}, or a search's {@code user}), and asks {@link Access#decide} under the server's
 * {@link Access.Policy}. A refusal is a 401 (no key, or a key that is malformed, unknown or revoked;
 * with {@code WWW-Authenticate}) or a 403 (this key may not), in the API's error shape, before the
 * handler runs. The caller is kept on the request for handlers that answer differently by role
 * ({@link #principal}: health details). Routes not in {@link #ACTIONS} and not {@link #PUBLIC} need an
 * admin key, so a route added without a rule is closed rather than open. In the open policy
 * ({@link Access.Policy#OPEN}) no header is read and every caller acts as an admin. The caller
 * {@link #close}s it (it closes the keys' notification listener).
 */
final class Guard implements AutoCloseable {

    /** The request attribute holding the caller. */
    private static final String PRINCIPAL = "reelrank.principal";
    private static final Access.Principal OPEN = Access.Principal.admin("open");

    /** Routes anyone may call: the page, the spec, bare health, metrics, who-am-I. */
    static final List<String> PUBLIC = List.of("/", "/static/{file}", "/openapi.json", "/api/health", "/metrics",
            "/api/me");

    /** The action of each guarded route, by method and pattern. */
    static final Map<String, Access.Action> ACTIONS = Map.ofEntries(
            Map.entry("GET /api/search", Access.Action.SEARCH),
            Map.entry("GET /api/genres", Access.Action.READ_CATALOG),
            Map.entry("GET /api/movies/{id}", Access.Action.READ_CATALOG),
            Map.entry("GET /api/movies/{id}/similar", Access.Action.READ_CATALOG),
            Map.entry("GET /api/users", Access.Action.LIST_USERS),
            Map.entry("GET /api/users/{id}", Access.Action.READ_USER),
            Map.entry("DELETE /api/users/{id}", Access.Action.DELETE_USER),
            Map.entry("POST /api/users/{id}/ratings", Access.Action.RATE),
            Map.entry("GET /api/users/{id}/recommendations", Access.Action.RECOMMEND),
            Map.entry("POST /api/events", Access.Action.POST_EVENTS));

    private final Access.Policy policy;
    private final Keys keys;

    /** {@code keys} may be null only in the open policy. */
    Guard(Access.Policy policy, Keys keys) {
        if (policy.keysRequired() && keys == null) throw new IllegalArgumentException("keys required, none given");
        this.policy = policy;
        this.keys = keys;
    }

    Access.Policy policy() {
        return policy;
    }

    /** The caller of a request {@link #check} let through (an admin in the open policy). */
    static Access.Principal principal(Context ctx) {
        Access.Principal p = ctx.attribute(PRINCIPAL);
        return p == null ? Access.Principal.ANONYMOUS : p;
    }

    /** Authenticates the caller and applies the route's rule; throws the 401 or 403. */
    void check(Context ctx) throws SQLException {
        if (!policy.keysRequired()) {
            ctx.attribute(PRINCIPAL, OPEN);
            return;
        }
        Access.Principal p = authenticate(ctx);
        ctx.attribute(PRINCIPAL, p);
        Endpoint route = ctx.endpoints().matchedHttpEndpoint();
        if (route == null) return;
        HandlerType method = route.method.equals(HandlerType.HEAD) ? HandlerType.GET : route.method;
        if (PUBLIC.contains(route.path)) return;
        Access.Action action = ACTIONS.get(method + " " + route.path);
        Integer user = null;
        if (action == null) {
            action = Access.Action.MANAGE_KEYS; // an unlisted route: admin keys only
        } else if (action == Access.Action.SEARCH) {
            user = userOf(ctx.queryParams("user"));
            if (user != null) action = Access.Action.SEARCH_AS_USER;
        } else if (action.forUser()) {
            user = userOf(List.of(ctx.pathParam("id")));
        }
        // A user the route cannot parse is its 400 to give; no data is read for it.
        if (action.forUser() && user == null) return;
        Access.UserKind kind = p.role() == Access.Role.USER && (action == Access.Action.RATE
                || action == Access.Action.DELETE_USER) && p.userId().equals(user) ? keys.kindOf(user) : null;
        Access.Decision d = Access.decide(policy, p, action, user, kind);
        if (!d.allowed()) throw refusal(ctx, d.status(), d.reason());
    }

    /**
     * Whether the caller may post event {@code index} of a batch for {@code user}: its own user's with a
     * user key (a rating, as the rating route, not for test or MovieLens users), anyone's with an admin
     * key; throws the 403 naming the event.
     */
    void checkEvent(Context ctx, int index, int user, boolean rating) throws SQLException {
        if (!policy.keysRequired()) return;
        Access.Principal p = principal(ctx);
        Access.Action action = rating ? Access.Action.RATE : Access.Action.RECORD_EVENT;
        Access.UserKind kind = rating && p.role() == Access.Role.USER && p.userId().equals(user) ? keys.kindOf(user)
                : null;
        Access.Decision d = Access.decide(policy, p, action, user, kind);
        if (!d.allowed()) throw refusal(ctx, d.status(), "event " + index + ": field 'user_id': " + d.reason());
    }

    private Access.Principal authenticate(Context ctx) throws SQLException {
        String h = ctx.header("Authorization");
        if (h == null) return Access.Principal.ANONYMOUS;
        if (!h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw refusal(ctx, 401, "the Authorization header must be Bearer <key> (reelrank keys create)");
        }
        try {
            return keys.authenticate(h.substring(7).trim());
        } catch (Keys.InvalidKeyException e) {
            throw refusal(ctx, 401, e.getMessage());
        }
    }

    /**
     * The id of the live key an {@code Authorization} header carries when this server has authenticated
     * it before (no database read); null otherwise, and always in the open policy.
     */
    String knownKeyId(String authorization) {
        if (keys == null || authorization == null) return null;
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
        return keys.knownKeyId(authorization.substring(7).trim());
    }

    /** The user a request names, parsed as the route will parse it; null when absent or not a user id. */
    private static Integer userOf(List<String> values) {
        if (values.size() != 1) return null;
        try {
            long v = ParamRules.parseInteger(values.get(0));
            return v >= 1 && v <= Integer.MAX_VALUE ? (int) v : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static ApiError refusal(Context ctx, int status, String reason) {
        if (status == 401) ctx.header("WWW-Authenticate", "Bearer realm=\"reelrank\"");
        return new ApiError(status, status == 401 ? "unauthorized" : "forbidden", reason);
    }

    /** {@code GET /api/me}: who the presented key stands for, so the page can act for its user. */
    record MeBody(String role, Integer userId, String keyId, boolean keysRequired) {}

    void me(Context ctx) {
        RequestParams.of(ctx, java.util.Set.of());
        Access.Principal p = principal(ctx);
        ctx.json(new MeBody(p.role().name().toLowerCase(Locale.ROOT), p.userId(), p.keyId(), policy.keysRequired()));
    }

    /** Waits until the key cache has applied every key change committed before the call (none without keys). */
    void awaitKeysSeen(long timeoutMs) throws SQLException, InterruptedException {
        if (keys != null) keys.awaitSeen(timeoutMs);
    }

    @Override
    public void close() {
        if (keys != null) keys.close();
    }
}
