package io.reelrank.bench;

import java.io.IOException;

/**
 * Where the simulated audience sends each finished session, in session order from one thread: kept
 * in memory, written to a file ({@link SessionLog}), or, once the server takes events, posted as
 * impressions and clicks to it (one implementation of this interface). {@link #close} is called once
 * after the last session.
 */
public interface SessionSink extends AutoCloseable {

    void accept(SimulatedSession session) throws IOException;

    @Override
    default void close() throws IOException {}
}
