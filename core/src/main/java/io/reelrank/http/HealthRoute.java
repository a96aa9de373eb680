package io.reelrank.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.javalin.http.Context;
import io.reelrank.db.Database;
import io.reelrank.index.IndexFollower;
import io.reelrank.model.FactorModel;
import io.reelrank.model.ItemVectors;
import io.reelrank.rerank.PersonalizedSearch;
import java.util.Set;

/**
 * {@code GET /api/health}: the database (a {@code SELECT 1} on a fresh connection), the index (the
 * searcher's current number of movies) and the model (the item vectors in memory) each up or down
 * with a detail; 200 when all three are up, 503 otherwise, so a load balancer can use it as is. It
 * also names the collaborative model version served and any failure of the index to follow changes.
 */
final class HealthRoute {

    private static final String UP = "up";
    private static final String DOWN = "down";

    private final Database db;
    private final PersonalizedSearch search;

    HealthRoute(Database db, PersonalizedSearch search) {
        this.db = db;
        this.search = search;
    }

    /** {@code GET /api/health}: up when the database, the index and the model all are. */
    record HealthBody(String status, Part database, IndexPart index, ModelPart model) {}

    record Part(String status, String detail) {}

    record IndexPart(String status, String detail, @JsonInclude(JsonInclude.Include.NON_NULL) Integer movies,
                     @JsonInclude(JsonInclude.Include.NON_NULL) String followerError) {}

    record ModelPart(String status, String detail, int itemVectors, String userCache,
                     @JsonInclude(JsonInclude.Include.NON_NULL) Integer dimension, long collaborativeVersion) {}

    void health(Context ctx) {
        RequestParams.of(ctx, Set.of());
        Part database = database();
        IndexPart index = index();
        ModelPart model = model();
        boolean up = UP.equals(database.status()) && UP.equals(index.status()) && UP.equals(model.status());
        ctx.status(up ? 200 : 503).json(new HealthBody(up ? UP : DOWN, database, index, model));
    }

    private Part database() {
        try {
            db.ping(5);
            return new Part(UP, db.settings().describe());
        } catch (Exception e) {
            return new Part(DOWN, e.getMessage());
        }
    }

    private IndexPart index() {
        try {
            int n = search.searcher().size();
            // The index follows other processes' writes in the background; a failure to do so is shown here.
            IndexFollower f = search.indexFollower();
            return new IndexPart(n > 0 ? UP : DOWN, n > 0 ? search.searcher().dir().toString()
                    : "the index is empty: run reelrank index", n, f == null ? null : f.lastError());
        } catch (Exception e) {
            return new IndexPart(DOWN, e.getMessage(), null, null);
        }
    }

    private ModelPart model() {
        ItemVectors items = search.items();
        int n = items.size();
        // Whether cached user vectors follow other processes' writes at once or within the TTL.
        String userCache = search.listening() ? "kept current by database notifications"
                : "entries expire after " + PersonalizedSearch.USER_TTL_MS + " ms (notifications not connected)";
        // Which collaborative model version this server answers with (0: none trained), so an operator
        // can see every server behind the balancer switch to a new one.
        FactorModel cf = search.model();
        String detail = n > 0 ? "item vectors in memory" + (items.centered() ? ", centered" : "")
                : "no movie has an embedding: run reelrank embed --load";
        return new ModelPart(n > 0 ? UP : DOWN, detail, n, userCache,
                n > 0 ? items.dimension() : null, cf == null ? 0 : cf.version());
    }
}
