package org.seemore.model.hf;

/**
 * A config's {@code rope_scaling}: how rotary frequencies are stretched beyond the trained context.
 * Llama 3.1 and later use {@code llama3}: with wavelength {@code λ = 2π / inv_freq}, frequencies of
 * wavelength below {@code original_max_position_embeddings / high_freq_factor} are kept, those above
 * {@code original_max_position_embeddings / low_freq_factor} are divided by {@code factor}, and the
 * band between is interpolated smoothly. {@code linear} divides every position by {@code factor}.
 *
 * @param lowFreqFactor                 llama3 only (NaN for linear)
 * @param highFreqFactor                llama3 only (NaN for linear)
 * @param originalMaxPositionEmbeddings llama3 only (0 for linear)
 */
public record RopeScaling(Type type, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositionEmbeddings) {
    /** The {@code rope_type} values seemore reads. */
    public enum Type { LINEAR, LLAMA3 }

    public RopeScaling {
        if (!(factor > 0)) throw new IllegalArgumentException("rope_scaling.factor must be greater than 0, got " + factor);
        if (type == Type.LLAMA3) {
            if (!(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor)) {
                throw new IllegalArgumentException("rope_scaling needs 0 < low_freq_factor < high_freq_factor, got "
                        + lowFreqFactor + " and " + highFreqFactor);
            }
            if (originalMaxPositionEmbeddings <= 0) {
                throw new IllegalArgumentException("rope_scaling.original_max_position_embeddings must be positive, got " + originalMaxPositionEmbeddings);
            }
        }
    }

    /**
     * The {@code rope_scaling} object of {@code json}, or null when there is none (absent, null, or
     * {@code rope_type} "default"). The older key {@code type} is read as {@code rope_type}, as transformers does.
     */
    static RopeScaling read(ConfigJson json) {
        ConfigJson scaling = json.child("rope_scaling").orElse(null);
        if (scaling == null) return null;
        String typeKey = scaling.has("rope_type") ? "rope_type" : "type";
        if (!scaling.has(typeKey)) throw scaling.error("rope_type", "missing (seemore reads llama3, linear and default)");
        String name = scaling.string(typeKey, "");
        try {
            return switch (name) {
                case "default" -> null;
                case "linear" -> new RopeScaling(Type.LINEAR, requiredNumber(scaling, "factor"), Double.NaN, Double.NaN, 0);
                case "llama3" -> new RopeScaling(Type.LLAMA3, requiredNumber(scaling, "factor"), requiredNumber(scaling, "low_freq_factor"),
                        requiredNumber(scaling, "high_freq_factor"), scaling.requiredPositive("original_max_position_embeddings"));
                default -> throw scaling.error(typeKey, "\"" + name + "\" is not supported (seemore reads llama3, linear and default)");
            };
        } catch (IllegalArgumentException e) {
            throw json.error(e.getMessage());
        }
    }

    private static double requiredNumber(ConfigJson json, String key) {
        if (!json.has(key)) throw json.error(key, "missing (a number)");
        return json.number(key, 0);
    }
}
