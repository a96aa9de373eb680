package io.reelrank.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;

/**
 * Just enough HTTP/1.1 over one kept-alive socket for the benchmarks' clients: a request's bytes out,
 * the status and a Content-Length body (skipped) in, with no parsing or allocation beyond that, so
 * the client costs little beside the server it measures. Opens the socket on first use and again
 * after a failure or a {@code Connection: close}; any failure closes it and is thrown. One thread
 * at a time.
 */
final class KeepAliveConnection {

    private final String host;
    private final int port;
    private final int timeoutMs;
    private final StringBuilder line = new StringBuilder(128);
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    KeepAliveConnection(String host, int port, int timeoutMs) {
        this.host = host;
        this.port = port;
        this.timeoutMs = timeoutMs;
    }

    /** Sends a request's head and body as one write; returns the status. */
    int send(byte[] head, byte[] body) throws IOException {
        byte[] request = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        return send(request);
    }

    /** Sends one request; returns the status. */
    int send(byte[] request) throws IOException {
        try {
            return exchange(request);
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /** Opens the socket now, if it is not open (a benchmark's clients connect before its clock starts). */
    void connect() throws IOException {
        if (socket != null) return;
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(timeoutMs);
            s.connect(new InetSocketAddress(host, port), timeoutMs);
            in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            out = s.getOutputStream();
        } catch (IOException e) {
            s.close();
            throw e;
        }
        socket = s;
    }

    private int exchange(byte[] request) throws IOException {
        connect();
        out.write(request);
        out.flush();
        String statusLine = line();
        if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.")) {
            throw new IOException("bad status line '" + statusLine + "'");
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean close = false;
        for (String h = line(); !h.isEmpty(); h = line()) {
            int colon = h.indexOf(':');
            if (colon < 0) continue;
            String name = h.substring(0, colon).trim();
            String value = h.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                close = true;
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                throw new IOException("chunked bodies are not expected");
            }
        }
        if (length < 0) throw new IOException("response without Content-Length");
        in.skipNBytes(length); // EOFException when the connection ends mid-body
        if (close) close();
        return status;
    }

    private String line() throws IOException {
        line.setLength(0);
        while (true) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed by the server");
            if (b == '\n') break;
            if (b != '\r') line.append((char) b);
        }
        return line.toString();
    }

    /** Closes the socket, if open; the next request opens a new one. */
    void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // the connection is being dropped anyway
            }
        }
        socket = null;
    }
}
