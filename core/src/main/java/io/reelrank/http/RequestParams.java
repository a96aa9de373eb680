package io.reelrank.http;

import io.javalin.http.Context;
import io.javalin.validation.Validator;
import java.util.List;
import java.util.Set;

/**
 * A route's typed view of its query and path parameters, on Javalin's own parsing ({@code queryParamMap})
 * and validators ({@code queryParamAsClass(…).check(…)}): {@link #of} first refuses a malformed query
 * string and parameters the route does not know; each accessor then converts and range-checks one
 * parameter, gives the caller's default when it is absent, and fails with the 400 of {@link ParamRules}
 * (parameter, value received, range allowed). Conversions ({@link Long} trimmed, {@link
 * io.reelrank.rerank.Fusion}) are registered by {@link ApiServer}.
 */
final class RequestParams {

    private final Context ctx;

    private RequestParams(Context ctx) {
        this.ctx = ctx;
    }

    /** The parameters of a route that knows the query parameters {@code known} (none: an empty set). */
    static RequestParams of(Context ctx, Set<String> known) {
        ParamRules.wellEncoded(ctx.queryString());
        ParamRules.onlyKnown(ctx.queryParamMap().keySet(), known);
        return new RequestParams(ctx);
    }

    /** The one value of a query parameter as sent, null when absent. */
    String text(String name) {
        return ParamRules.single(name, ctx.queryParams(name));
    }

    /** Every value of a repeatable query parameter, in the order sent. */
    List<String> all(String name) {
        return ctx.queryParams(name);
    }

    int intIn(String name, int def, ParamRules.IntRange range) {
        Integer v = optionalInt(name, range);
        return v == null ? def : v;
    }

    Integer optionalInt(String name, ParamRules.IntRange range) {
        String raw = text(name);
        return raw == null ? null : checked(name, raw, ctx.queryParamAsClass(name, Long.class), range);
    }

    /** A path parameter ({@code {id}}), always present when the route matched. */
    int pathInt(String name, ParamRules.IntRange range) {
        return checked(name, ctx.pathParam(name), ctx.pathParamAsClass(name, Long.class), range);
    }

    double numberIn(String name, double def, ParamRules.NumberRange range) {
        Double v = optionalNumber(name, range);
        return v == null ? def : v;
    }

    Double optionalNumber(String name, ParamRules.NumberRange range) {
        String raw = text(name);
        if (raw == null) return null;
        return ctx.queryParamAsClass(name, Double.class)
                .check(range::allows, "OUT_OF_RANGE")
                .getOrThrow(errors -> ApiError.badParameter(range.refusal(name, raw)));
    }

    /**
     * A query parameter converted by the converter registered for {@code type}, {@code def} when absent;
     * one it refuses is a 400 saying what is {@code allowed}.
     */
    <T> T converted(String name, Class<T> type, T def, String allowed) {
        String raw = text(name);
        if (raw == null) return def;
        return ctx.queryParamAsClass(name, type).getOrThrow(errors -> ApiError.badParameter(
                "parameter '" + name + "' must be " + allowed + ", got '" + raw + "'"));
    }

    /** Javalin converts and checks; a refusal, whether of the conversion or the range, says it all in one text. */
    private static int checked(String name, String raw, Validator<Long> v, ParamRules.IntRange range) {
        return v.check(range::allows, "OUT_OF_RANGE")
                .getOrThrow(errors -> ApiError.badParameter(range.refusal(name, raw)))
                .intValue();
    }
}
