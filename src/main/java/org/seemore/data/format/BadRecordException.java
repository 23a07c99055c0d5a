package org.seemore.data.format;

/**
 * Thrown inside a format while converting one record; the format catches it and reports it through
 * {@link RecordSink#bad}, which adds the file and line. The message says what is wrong with the record.
 */
final class BadRecordException extends RuntimeException {
    BadRecordException(String reason) {
        super(reason, null, false, false);
    }
}
