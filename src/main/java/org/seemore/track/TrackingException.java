package org.seemore.track;

/**
 * A tracking call that failed. {@code retryable} when trying again later may succeed (the server is
 * down, slow, or answered 5xx or 429); otherwise the store refused the request (a bad key, a denied
 * token, a deleted experiment) and sending it again would fail the same way.
 */
public final class TrackingException extends Exception {
    private final boolean retryable;

    public TrackingException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public TrackingException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
