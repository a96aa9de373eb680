package io.reelrank.http;

import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.MethodNotAllowedResponse;
import io.javalin.router.EndpointNotFound;
import io.reelrank.db.Database;
import io.reelrank.db.Locks;
import io.reelrank.embed.SimilarMovies;
import io.reelrank.index.QuerySyntaxException;
import io.reelrank.rerank.PersonalizedSearch;
import io.reelrank.service.RatingService;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;
import org.eclipse.jetty.http.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the API answers to each failure, registered as one Javalin exception mapper per exception type
 * (Javalin picks the mapper of the nearest superclass): 400 bad parameter, query or body; 401; 404
 * unknown user, movie or route; 405 with {@code Allow}; 409 no embedding; 413 body too large; 415; 503
 * database down or busy, with {@code Retry-After}; 500 anything else. Every answer is JSON
 * {@code {"error", "detail"}} (plus {@code "position"} for a query syntax error) and never shows a stack
 * trace or a Java class name; the stack trace of a 500 goes to the server's log. {@link ApiServer}
 * registers them with the {@link JsonErrorHandler} whose texts Javalin's own refusals reuse.
 */
final class ExceptionMappers {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private ExceptionMappers() {}

    static void register(RoutesConfig routes, JsonErrorHandler jettyErrors) {
        routes.exception(ApiError.class, (e, ctx) -> answer(ctx, e));
        routes.exception(QuerySyntaxException.class, (e, ctx) -> answer(ctx, new ApiError(400, "query syntax error",
                "parameter 'q': " + e.reason() + " at position " + e.position() + " in '" + e.query() + "'",
                e.position())));
        routes.exception(IndexSearcher.TooManyClauses.class, (e, ctx) -> answer(ctx, new ApiError(400,
                "query too complex", "parameter 'q': the query expands to more than "
                + IndexSearcher.getMaxClauseCount() + " terms (wildcards, fuzzy terms or ranges); make it narrower")));
        routes.exception(TooComplexToDeterminizeException.class, (e, ctx) -> answer(ctx, new ApiError(400,
                "query too complex", "parameter 'q': a regular expression in the query needs too much work to run; "
                + "make it simpler")));
        routes.exception(PersonalizedSearch.UnknownUserException.class,
                (e, ctx) -> answer(ctx, ApiError.notFound(e.getMessage())));
        routes.exception(RatingService.UnknownMovieException.class,
                (e, ctx) -> answer(ctx, ApiError.notFound(e.getMessage())));
        routes.exception(SimilarMovies.UnknownMovieException.class,
                (e, ctx) -> answer(ctx, ApiError.notFound(e.getMessage())));
        routes.exception(SimilarMovies.NoEmbeddingException.class,
                (e, ctx) -> answer(ctx, new ApiError(409, "no embedding", e.getMessage())));
        routes.exception(RatingService.BadRatingException.class, (e, ctx) -> answer(ctx,
                ApiError.badParameter(e.getMessage().replaceFirst("^rating", "field 'rating'"))));
        routes.exception(RatingService.BusyException.class,
                (e, ctx) -> answer(ctx, new ApiError(503, "busy", e.getMessage())));
        routes.exception(IllegalArgumentException.class, ExceptionMappers::badArgument);
        // A body that is not one strict JSON value; Jackson's other exceptions (writing) stay 500s.
        routes.exception(StreamReadException.class, (e, ctx) -> answer(ctx, Json.badBody(e)));
        routes.exception(MismatchedInputException.class, (e, ctx) -> answer(ctx, Json.badBody(e)));
        routes.exception(EndpointNotFound.class, (e, ctx) -> answer(ctx, ApiError.notFound("no route for "
                + ApiError.safe(ctx.req().getMethod()) + " " + ApiError.safe(ctx.req().getRequestURI())
                + "; see /openapi.json")));
        routes.exception(MethodNotAllowedResponse.class, ExceptionMappers::methodNotAllowed);
        // Javalin's other refusals (413 when a body passes its maxRequestSize) and Jetty's while a handler
        // reads (a streamed body passing the size limit), in the words of Jetty's own error pages.
        routes.exception(HttpResponseException.class, (e, ctx) -> refused(ctx, jettyErrors, e.getStatus()));
        routes.exception(HttpException.RuntimeException.class, (e, ctx) -> refused(ctx, jettyErrors, e.getCode()));
        routes.exception(Exception.class, ExceptionMappers::unexpected);
    }

    /** Writes {@code a} as the answer; a 503 tells the client when to retry. */
    static void answer(Context ctx, ApiError a) {
        if (a.status == 503) ctx.header("Retry-After", Integer.toString(ApiServer.RETRY_AFTER_SECONDS));
        ctx.status(a.status).json(new Json.ErrorBody(a.error, a.detail(), a.position));
    }

    private static void refused(Context ctx, JsonErrorHandler jettyErrors, int status) {
        Json.ErrorBody b = jettyErrors.body(status, null);
        answer(ctx, new ApiError(status, b.error(), b.detail()));
    }

    /**
     * The library's own validation (filters, genres, ranges): its messages name value and range. One from
     * deeper down (Lucene) that names a class is not shown as is.
     */
    private static void badArgument(IllegalArgumentException e, Context ctx) {
        String m = String.valueOf(e.getMessage());
        answer(ctx, ApiError.badParameter(ApiServer.namesAClass(m) ? "the request cannot be run as given; check the "
                + "query and the parameters (see /openapi.json)" : m));
    }

    /** Javalin lists the path's methods; HEAD goes without saying beside GET, as it always has here. */
    private static void methodNotAllowed(MethodNotAllowedResponse e, Context ctx) {
        String allowed = e.getDetails().values().stream().findFirst().stream()
                .flatMap(v -> Arrays.stream(v.split(",\\s*")))
                .filter(m -> !m.equals("HEAD"))
                .collect(Collectors.joining(", "));
        ctx.header("Allow", allowed);
        answer(ctx, new ApiError(405, "method not allowed", ApiError.safe(ctx.req().getMethod()) + " is not allowed on "
                + ApiError.safe(ctx.req().getRequestURI()) + "; allowed: " + allowed));
    }

    private static void unexpected(Exception e, Context ctx) {
        if (Locks.timedOut(e)) {
            // A read behind a reload's table locks (the server's lock timeout, --db-timeout).
            answer(ctx, new ApiError(503, "busy", "a reload or another batch job holds the tables this request "
                    + "reads; retry in a few seconds"));
        } else if (Database.unreachable(e)) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            answer(ctx, new ApiError(503, "database unavailable", "the database cannot be reached: "
                    + (ApiServer.namesAClass(m) ? "connection refused or timed out"
                            : ApiError.safe(m.lines().findFirst().orElse("")))
                    + "; retry when it is back (GET /api/health)"));
        } else {
            LOG.error("{} {} failed", ctx.req().getMethod(), ctx.req().getRequestURI(), e);
            answer(ctx, new ApiError(500, "internal error",
                    "the server failed on this request; its log has the details"));
        }
    }
}
