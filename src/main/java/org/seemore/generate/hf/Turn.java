package org.seemore.generate.hf;

import java.util.List;
import java.util.Map;
import org.seemore.data.image.ImageSource;

/**
 * One message of a conversation: who speaks, the text, and the images attached to it (user turns
 * only), the i-th at character {@code imageAt[i]} of the text: 0 for all by default, the images
 * first, as LLaVA's processors place {@code <image>} before the text; an OpenAI request's parts
 * place them where they stand.
 */
public record Turn(Role role, String text, List<ImageSource> images, List<Integer> imageAt) {
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
        imageAt = List.copyOf(imageAt);
        if (!images.isEmpty() && role != Role.USER) throw new IllegalArgumentException("only user turns carry images");
        if (imageAt.size() != images.size()) throw new IllegalArgumentException(imageAt.size() + " positions for " + images.size() + " images");
        for (int i = 0; i < imageAt.size(); i++) {
            int at = imageAt.get(i);
            if (at < 0 || at > text.length() || (i > 0 && at < imageAt.get(i - 1))) {
                throw new IllegalArgumentException("image positions must rise within the text's " + text.length() + " characters: " + imageAt);
            }
        }
    }

    /** The images first. */
    public Turn(Role role, String text, List<ImageSource> images) {
        this(role, text, images, java.util.Collections.nCopies(images.size(), 0));
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
        int from = 0;
        for (int i = 0; i < images.size(); i++) {
            int at = imageAt.get(i);
            if (at > from) content.add(Map.of("type", "text", "text", text.substring(from, at)));
            content.add(Map.of("type", "image"));
            from = at;
        }
        if (from < text.length() || images.isEmpty()) content.add(Map.of("type", "text", "text", text.substring(from)));
        return Map.of("role", role.key(), "content", content);
    }
}
