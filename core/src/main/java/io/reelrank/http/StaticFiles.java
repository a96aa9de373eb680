package io.reelrank.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The web page and the OpenAPI description, read once from the jar's {@code web/} resources into
 * memory. Only the files listed in {@link #FILES} are served, so a request can never name another
 * resource or a file on disk.
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

    Reply page(String name) {
        byte[] b = content.get(name);
        if (b == null) throw ApiError.notFound("no file '" + name + "'; the page's files are " + String.join(", ", FILES.keySet()));
        return new Reply(200, FILES.get(name), b);
    }

    byte[] openApi() {
        return openApi;
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
