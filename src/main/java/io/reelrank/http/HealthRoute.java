package io.reelrank.http;

import io.reelrank.db.Database;
import io.reelrank.model.ItemVectors;
import io.reelrank.rerank.PersonalizedSearch;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /api/health}: the database (a {@code SELECT 1} on a fresh connection), the index (the
 * searcher's current number of movies) and the model (the item vectors in memory) each up or down
 * with a detail; 200 when all three are up, 503 otherwise, so a load balancer can use it as is. It
 * also names the collaborative model version served and any failure of the index to follow changes.
 */
final class HealthRoute {

    private final Database db;
    private final PersonalizedSearch search;

    HealthRoute(Database db, PersonalizedSearch search) {
        this.db = db;
        this.search = search;
    }

    Reply health(Call c) {
        Params.onlyKnown(c, java.util.Set.of());
        Map<String, Object> body = new LinkedHashMap<>();
        Map<String, Object> database = database();
        Map<String, Object> index = index();
        Map<String, Object> model = model();
        boolean up = "up".equals(database.get("status")) && "up".equals(index.get("status"))
                && "up".equals(model.get("status"));
        body.put("status", up ? "up" : "down");
        body.put("database", database);
        body.put("index", index);
        body.put("model", model);
        return Json.reply(up ? 200 : 503, body);
    }

    private Map<String, Object> database() {
        try {
            db.ping(5);
            return status(true, db.settings().describe());
        } catch (Exception e) {
            return status(false, e.getMessage());
        }
    }

    private Map<String, Object> index() {
        try {
            int n = search.searcher().size();
            Map<String, Object> m = status(n > 0, n > 0 ? search.searcher().dir().toString() : "the index is empty: run reelrank index");
            m.put("movies", n);
            // The index follows other processes' writes in the background; a failure to do so is shown here.
            io.reelrank.index.IndexFollower f = search.indexFollower();
            if (f != null && f.lastError() != null) m.put("follower_error", f.lastError());
            return m;
        } catch (Exception e) {
            return status(false, e.getMessage());
        }
    }

    private Map<String, Object> model() {
        ItemVectors items = search.items();
        int n = items.size();
        Map<String, Object> m = status(n > 0, n > 0 ? "item vectors in memory" + (items.centered() ? ", centered" : "")
                : "no movie has an embedding: run reelrank embed --load");
        m.put("item_vectors", n);
        // Whether cached user vectors follow other processes' writes at once or within the TTL.
        m.put("user_cache", search.listening() ? "kept current by database notifications"
                : "entries expire after " + PersonalizedSearch.USER_TTL_MS + " ms (notifications not connected)");
        if (n > 0) m.put("dimension", items.dimension());
        // Which collaborative model version this server answers with (0: none trained), so an operator
        // can see every server behind the balancer switch to a new one.
        io.reelrank.model.FactorModel cf = search.model();
        m.put("collaborative_version", cf == null ? 0 : cf.version());
        return m;
    }

    private static Map<String, Object> status(boolean up, String detail) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", up ? "up" : "down");
        m.put("detail", detail);
        return m;
    }
}
