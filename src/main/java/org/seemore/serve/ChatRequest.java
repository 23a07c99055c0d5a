package org.seemore.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.seemore.generate.Sampler;

/**
 * A {@code /v1/chat/completions} request, checked: every message (a Hugging Face model renders them
 * all with its chat template), the last user message's text (seemore's character-level models have
 * no chat template, so it is the prompt, as {@code caption --prompt}) and its first image as a
 * {@code data:} URI, and the generation parameters.
 */
record ChatRequest(String model, List<Message> messages, String prompt, String imageUrl, int maxTokens, double temperature, double topP,
                   long seed, List<String> stop, boolean stream, boolean includeUsage) {
    /** One message: its role, its text parts joined, its image URLs in order, each at a character of the text. */
    record Message(String role, String text, List<String> imageUrls, List<Integer> imageAt) {}

    /** {@code caption}'s default seed, so that a sampled request without a seed matches it. */
    static final long DEFAULT_SEED = 1337;
    private static final ObjectMapper JSON = new ObjectMapper();

    Sampler sampler() {
        return Sampler.of(temperature, 0, topP);
    }

    static ChatRequest parse(byte[] body, ServeSettings settings) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw ApiError.badRequest(null, "invalid_json", "the request body is not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (root == null || !root.isObject()) throw ApiError.badRequest(null, "invalid_json", "the request body must be a JSON object");
        String model = text(root, "model");
        if (model == null) throw ApiError.badRequest("model", "missing_required_parameter", "'model' is required (see GET /v1/models)");
        int n = integer(root, "n", 1);
        if (n != 1) throw ApiError.badRequest("n", "unsupported_value", "only n = 1 is supported, got " + n);
        int maxTokens = integer(root, "max_completion_tokens", integer(root, "max_tokens", settings.maxNewTokens()));
        if (maxTokens < 1) throw ApiError.badRequest("max_tokens", "invalid_value", "max_tokens must be positive, got " + maxTokens);
        if (maxTokens > settings.maxNewTokens()) {
            throw ApiError.badRequest("max_tokens", "invalid_value", "max_tokens " + maxTokens + " exceeds this server's limit of " + settings.maxNewTokens());
        }
        double temperature = number(root, "temperature", 1.0);
        if (temperature < 0 || temperature > 2) throw ApiError.badRequest("temperature", "invalid_value", "temperature must be in [0, 2], got " + temperature);
        double topP = number(root, "top_p", 1.0);
        if (topP <= 0 || topP > 1) throw ApiError.badRequest("top_p", "invalid_value", "top_p must be in (0, 1], got " + topP);
        long seed = root.hasNonNull("seed") ? integerNode(root, "seed").asLong() : DEFAULT_SEED;
        boolean stream = root.path("stream").asBoolean(false);
        boolean usage = root.path("stream_options").path("include_usage").asBoolean(false);
        List<Message> messages = messages(root);
        Message user = null;
        for (Message m : messages) if (m.role().equals("user")) user = m;
        if (user == null) throw ApiError.badRequest("messages", "invalid_value", "no message with role 'user'");
        String image = user.imageUrls().isEmpty() ? null : user.imageUrls().getFirst();
        return new ChatRequest(model, messages, user.text(), image, maxTokens, temperature, topP, seed, stops(root), stream, usage);
    }

    /** Every message, its content checked: a string, or text and image_url parts (null content, as an assistant's may be, is empty). */
    private static List<Message> messages(JsonNode root) {
        JsonNode messages = root.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiError.badRequest("messages", "missing_required_parameter", "'messages' must be a non-empty array");
        }
        List<Message> out = new ArrayList<>();
        for (JsonNode m : messages) {
            String role = m.path("role").asText();
            JsonNode content = m.get("content");
            StringBuilder text = new StringBuilder();
            List<String> images = new ArrayList<>();
            List<Integer> at = new ArrayList<>();
            if (content != null && content.isTextual()) {
                text.append(content.asText());
            } else if (content != null && content.isArray()) {
                for (JsonNode part : content) {
                    switch (part.path("type").asText()) {
                        case "text" -> text.append(part.path("text").asText());
                        case "image_url" -> {
                            JsonNode url = part.path("image_url");
                            String image = url.isTextual() ? url.asText() : url.path("url").asText(null);
                            if (image == null) throw ApiError.badRequest("messages", "invalid_value", "image_url part without a url");
                            images.add(image);
                            at.add(text.length());
                        }
                        default -> throw ApiError.badRequest("messages", "invalid_value", "unsupported content part type '" + part.path("type").asText() + "'");
                    }
                }
            } else if (role.equals("user") || (content != null && !content.isNull())) {
                throw ApiError.badRequest("messages", "invalid_value", "the " + (role.isEmpty() ? "" : role + " ") + "message's content must be a string or an array of parts");
            }
            out.add(new Message(role, text.toString(), List.copyOf(images), List.copyOf(at)));
        }
        return List.copyOf(out);
    }

    private static List<String> stops(JsonNode root) {
        JsonNode stop = root.get("stop");
        List<String> out = new ArrayList<>();
        if (stop == null || stop.isNull()) return out;
        if (stop.isTextual()) out.add(stop.asText());
        else if (stop.isArray()) for (JsonNode s : stop) out.add(s.asText());
        else throw ApiError.badRequest("stop", "invalid_value", "stop must be a string or an array of strings");
        if (out.size() > 4) throw ApiError.badRequest("stop", "invalid_value", "at most 4 stop sequences");
        out.removeIf(String::isEmpty);
        return out;
    }

    private static String text(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw ApiError.badRequest(field, "invalid_type", "'" + field + "' must be a string");
        return v.asText();
    }

    private static JsonNode integerNode(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw ApiError.badRequest(field, "invalid_type", "'" + field + "' must be an integer");
        return v;
    }

    private static int integer(JsonNode root, String field, int fallback) {
        if (!root.hasNonNull(field)) return fallback;
        JsonNode v = integerNode(root, field);
        if (!v.canConvertToInt()) throw ApiError.badRequest(field, "invalid_value", "'" + field + "' is out of range");
        return v.asInt();
    }

    private static double number(JsonNode root, String field, double fallback) {
        if (!root.hasNonNull(field)) return fallback;
        JsonNode v = root.get(field);
        if (!v.isNumber()) throw ApiError.badRequest(field, "invalid_type", "'" + field + "' must be a number");
        return v.asDouble();
    }
}
