package io.reelrank.cli;

/**
 * An error a command reports to its user as one line with a chosen exit code: 2 for bad input the
 * user can fix (a malformed file, an unknown user, a query that does not parse), 1 otherwise.
 */
public class CliException extends RuntimeException {

    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public static CliException badInput(String message) {
        return new CliException(2, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
