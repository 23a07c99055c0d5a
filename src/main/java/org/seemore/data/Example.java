package org.seemore.data;

import org.seemore.data.image.ImageSource;

/**
 * One training or evaluation record: an image (or none, for text-only language-model data), the
 * prompt the model is conditioned on (may be empty) and the answer it must produce (a caption, or
 * the assistant's turn). Only answer tokens count in the loss.
 *
 * @param origin where the record came from, for error messages: {@code "file:line"} or {@code "synthetic:shapes#12"}
 */
public record Example(String origin, ImageSource image, String prompt, String answer) {
    public Example {
        if (origin == null || origin.isEmpty()) throw new IllegalArgumentException("origin must name the record's source");
        prompt = prompt == null ? "" : prompt;
        if (answer == null) throw new IllegalArgumentException(origin + ": answer is missing");
    }

    public static Example caption(String origin, ImageSource image, String caption) {
        return new Example(origin, image, "", caption);
    }
}
