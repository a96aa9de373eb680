package io.reelrank.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The web page and the OpenAPI description, read once from the jar's {@code web/} resources into
 * memory and answered by the routes {@code /}, {@code /static/{file}} and {@code /openapi.json}. Only
 * the files listed in {@link #FILES} are served, so a request can never name another resource or a file
 * on disk (which is why Javalin's static-file handler, serving a whole directory, is not used).
 */
final class StaticFiles {

    static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8",
            "favicon.svg", "image/svg+xml");

    private final Map<String, byte[]> content = new HashMap<>();
    private final byte[] openApi;

    private StaticFiles() {
        for (String f : FILES.keySet()) content.put(f, read(f));
        openApi = read("openapi.json");
    }

    static StaticFiles load() {
        return new StaticFiles();
    }

    /** Answers the page's file {@code name}; one not listed is a 404. */
    void page(Context ctx, String name) {
        byte[] b = content.get(name);
        if (b == null) {
            throw ApiError.notFound("no file '" + ApiError.safe(name) + "'; the page's files are "
                    + String.join(", ", FILES.keySet()));
        }
        ctx.contentType(FILES.get(name)).result(b);
    }

    /** Answers the OpenAPI description, already JSON. */
    void openApi(Context ctx) {
        ctx.contentType(Json.CONTENT_TYPE).result(openApi);
    }

    private static byte[] read(String name) {
        try (InputStream in = StaticFiles.class.getResourceAsStream("/web/" + name)) {
            if (in == null) throw new IllegalStateException("resource web/" + name + " is missing from the jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
