package org.seemore.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import org.seemore.model.vision.VitConfig;

/**
 * Reads a {@link VlmConfig} from JSON strictly, so that a mistake in a hand-written config is named
 * instead of turning into a different model: every whole-number key and {@code image_tokens} must be
 * present (Jackson alone reads a missing one as 0, which then fails as "must be positive, got 0"), a
 * whole number must be written as one ({@code "32"} or {@code 32.5} are refused, not coerced), and
 * the coefficients ({@code aux_loss_coef}, {@code router_z_loss_coef}, {@code capacity_factor},
 * {@code dropout}) must be numbers and default to 0, as the PyTorch reference's configs omit some.
 * Unknown keys are ignored. The keys are {@link VlmConfigJson}'s {@link JsonProperty} names, so a new config
 * field is checked without an edit here. Messages name the key and the value; the caller adds the file.
 */
final class VlmConfigReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private VlmConfigReader() {}

    /**
     * The config in {@code json}; IllegalArgumentException with a one-line message on any problem.
     *
     * @param vocabSizeIfAbsent used when {@code vocab_size} is not given (a training config, whose
     *                          tokenizer decides it); 0 makes the key required
     */
    static VlmConfig read(String json, int vocabSizeIfAbsent) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new IllegalArgumentException("not valid JSON" + where + ": " + e.getOriginalMessage().replaceAll("\\s+", " "), e);
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException("must be a JSON object of settings, got " + describe(root));
        ObjectNode config = (ObjectNode) root;
        List<String> missing = new ArrayList<>();
        for (RecordComponent component : VlmConfigJson.class.getRecordComponents()) {
            String key = component.getAccessor().getAnnotation(JsonProperty.class).value(); // the annotation lands on the accessor
            Class<?> type = component.getType();
            JsonNode value = config.get(key);
            if (value == null) {
                if (type == double.class) config.put(key, 0.0);
                else if (key.equals("vocab_size") && vocabSizeIfAbsent > 0) config.put(key, vocabSizeIfAbsent);
                else missing.add('"' + key + '"');
            } else if (type == int.class) {
                checkWholeNumber(key, value);
            } else if (type == double.class) {
                if (!value.isNumber()) throw new IllegalArgumentException(key + " must be a number, got " + describe(value));
            } else if (type == VitConfig.ImageTokens.class) {
                if (!value.isTextual()) throw new IllegalArgumentException(key + " must be \"cls\" or \"patches\", got " + describe(value));
                VitConfig.ImageTokens.parse(value.asText()); // names the key and the value when it is neither
            } else {
                throw new IllegalStateException("no JSON check for " + type + " of " + key);
            }
        }
        if (!missing.isEmpty()) throw new IllegalArgumentException((missing.size() == 1 ? "missing key " : "missing keys ") + String.join(", ", missing));
        try {
            return JSON.treeToValue(config, VlmConfigJson.class).config();
        } catch (JsonProcessingException e) {
            // the values were checked above, so what is left is the record's own validation
            Throwable cause = e;
            while (cause.getCause() != null) cause = cause.getCause();
            if (cause instanceof IllegalArgumentException invalid) throw new IllegalArgumentException(invalid.getMessage(), e);
            throw new IllegalArgumentException(e.getOriginalMessage().replaceAll("\\s+", " "), e);
        }
    }

    /** A whole number that fits an int: 32 or 32.0, not "32", 32.5 or 1e10. */
    private static void checkWholeNumber(String key, JsonNode value) {
        boolean whole = value.isIntegralNumber() || (value.isNumber() && value.asDouble() == Math.rint(value.asDouble()));
        if (!whole) throw new IllegalArgumentException(key + " must be a whole number, got " + describe(value));
        if (value.isIntegralNumber() ? !value.canConvertToInt() : Math.abs(value.asDouble()) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(key + " must be a whole number up to " + Integer.MAX_VALUE + ", got " + describe(value));
        }
    }

    /** The value as it was written: {@code "32"}, {@code 32.5}, {@code null}. */
    private static String describe(JsonNode value) {
        String s = value == null ? "nothing" : value.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
