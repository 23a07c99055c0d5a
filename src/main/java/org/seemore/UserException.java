package org.seemore;

/**
 * An error caused by the user's input (a flag, a file, a line): the CLI prints its message on one
 * line and exits non-zero, without a stack trace. The message must name the flag, file or line.
 */
public class UserException extends RuntimeException {
    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
