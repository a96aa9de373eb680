package io.reelrank.http;

/**
 * An error a handler answers with instead of a result: the HTTP status, a short {@code error} and a
 * {@code detail} that names the parameter, the value received and what is allowed. Its exception mapper
 * ({@link ExceptionMappers}) turns it into {@code {"error", "detail"}} (plus {@code "position"} when set);
 * handlers throw it and never write error bodies themselves. A request-supplied string quoted in a
 * detail goes through {@link #safe} first.
 */
final class ApiError extends RuntimeException {

    final int status;
    final String error;
    final Integer position;

    ApiError(int status, String error, String detail) {
        this(status, error, detail, null);
    }

    ApiError(int status, String error, String detail, Integer position) {
        super(detail, null, false, false);
        this.status = status;
        this.error = error;
        this.position = position;
    }

    static ApiError badParameter(String detail) {
        return new ApiError(400, "bad parameter", detail);
    }

    static ApiError notFound(String detail) {
        return new ApiError(404, "not found", detail);
    }

    String detail() {
        return getMessage();
    }

    /** A request-supplied string fit to quote in an error: printable characters only, at most 200 of them. */
    static String safe(String s) {
        if (s == null) return "";
        String clean = s.replaceAll("[\\p{Cntrl}]", "?");
        return clean.length() > 200 ? clean.substring(0, 200) + "…" : clean;
    }
}
