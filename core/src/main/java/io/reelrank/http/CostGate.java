package io.reelrank.http;

import io.reelrank.rerank.PersonalizedSearch;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * Charges each request its cost in work units to its client's share ({@link ClientLimits}) before it may
 * wait for a worker, so a client over its share is answered 429 with {@code Retry-After} at once and
 * never takes a place in the queue or a worker from the others. A search costs what {@link
 * SearchRoute#cost} says of its {@code q}, {@code user} and {@code candidates} (a search whose parameters
 * the route will refuse costs the base); a POST the base and a write; anything else the base; health and
 * metrics nothing. {@link ApiServer} puts it after {@link BodyReader} and before the admission limit.
 */
final class CostGate extends Handler.Wrapper {

    static final String SEARCH = "/api/search";

    private final ClientLimits limits;
    private final HttpMetrics metrics;
    private final Set<String> free;
    private final java.util.function.UnaryOperator<String> knownKey;

    /** {@code knownKey}: the id of the live key an {@code Authorization} header carries, when already known. */
    CostGate(ClientLimits limits, HttpMetrics metrics, Set<String> free,
             java.util.function.UnaryOperator<String> knownKey) {
        this.limits = limits;
        this.metrics = metrics;
        this.free = free;
        this.knownKey = knownKey;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Handler next = getHandler();
        if (next == null) return false;
        String path = Request.getPathInContext(request);
        if (!limits.enabled() || free.contains(path)) return next.handle(request, response, callback);
        long cost = cost(request, path);
        String client = ClientLimits.client(knownKey.apply(request.getHeaders().get(HttpHeader.AUTHORIZATION)),
                Request.getRemoteAddr(request));
        long wait = limits.take(client, cost);
        metrics.charged(cost, wait > 0);
        if (wait == 0) return next.handle(request, response, callback);
        if (SEARCH.equals(path) && request.getAttribute(EdgeHandler.COUNTED) instanceof EdgeHandler.Counted c) {
            c.route = SEARCH;
        }
        response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(wait));
        Response.writeError(request, response, callback, 429, "this client has used its share of the server's "
                + "work (" + (long) limits.rate() + " units/s, at most " + (long) limits.burst() + " at once; this "
                + "request costs " + cost + "); retry after " + wait + " s");
        return true;
    }

    private static long cost(Request request, String path) {
        if (request.getMethod().equals("POST")) return ClientLimits.BASE_COST + ClientLimits.WRITE_COST;
        if (!SEARCH.equals(path)) return ClientLimits.BASE_COST;
        try {
            Fields params = Request.extractQueryParameters(request);
            String q = params.getValue("q");
            if (q == null || q.isBlank() || q.length() > SearchRoute.MAX_QUERY_CHARS) return ClientLimits.BASE_COST;
            String c = params.getValue("candidates");
            int candidates = c == null ? PersonalizedSearch.DEFAULT_CANDIDATES
                    : (int) Math.min(SearchRoute.CANDIDATES.max(), Math.max(1, ParamRules.parseInteger(c)));
            return SearchRoute.cost(q, candidates, params.getValue("user") != null);
        } catch (Exception e) {
            return ClientLimits.BASE_COST; // the route refuses it with its 400
        }
    }
}
