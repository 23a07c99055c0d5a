package org.seemore.generate.hf;

import java.util.List;
import java.util.Map;
import org.seemore.data.image.ImageSource;

/**
 * One message of a conversation: who speaks, the text, and the images attached to it (user turns
 * only). The images come first in the message, as LLaVA's processors place {@code <image>} before the
 * text.
 */
public record Turn(Role role, String text, List<ImageSource> images) {
    /** The roles a chat template knows. */
    public enum Role {
        SYSTEM, USER, ASSISTANT;

        /** The role as chat templates spell it. */
        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Turn {
        if (text == null) throw new IllegalArgumentException("a turn needs text (it may be empty)");
        images = List.copyOf(images);
        if (!images.isEmpty() && role != Role.USER) throw new IllegalArgumentException("only user turns carry images");
    }

    public static Turn system(String text) {
        return new Turn(Role.SYSTEM, text, List.of());
    }

    public static Turn user(String text, List<ImageSource> images) {
        return new Turn(Role.USER, text, images);
    }

    public static Turn assistant(String text) {
        return new Turn(Role.ASSISTANT, text, List.of());
    }

    /**
     * The message as transformers hands it to a chat template: content as a string, or, with
     * {@code parts}, as a list of {@code {"type": "image"}} and {@code {"type": "text", "text": ...}}
     * parts, the form vision-language templates (LLaVA's) iterate over.
     */
    Map<String, Object> message(boolean parts) {
        if (!parts) return Map.of("role", role.key(), "content", text);
        List<Map<String, String>> content = new java.util.ArrayList<>();
        for (int i = 0; i < images.size(); i++) content.add(Map.of("type", "image"));
        if (!text.isEmpty() || images.isEmpty()) content.add(Map.of("type", "text", "text", text));
        return Map.of("role", role.key(), "content", content);
    }
}
