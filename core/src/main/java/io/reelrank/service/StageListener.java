package io.reelrank.service;

/**
 * What a long job (training, evaluation) tells its caller as it goes: each stage as it starts and
 * ends, and lines of detail in between. Every method does nothing unless overridden, so a caller
 * implements only what it shows; {@link #NONE} listens to nothing.
 */
public interface StageListener {
    StageListener NONE = new StageListener() {};

    /** A stage starts: its name and what it will do. */
    default void stageStarted(String stage, String what) {}

    /** A stage ended: what it found, in how many seconds. */
    default void stageDone(String stage, String result, double seconds) {}

    /** One line of detail (a grid setting's figures, an iteration, a sweep's progress). */
    default void detail(String line) {}
}
