package org.seemore.tensor;

import java.util.Arrays;

/**
 * The frequencies and the cos/sin table of rotary position embeddings (Su et al. 2021, RoFormer),
 * computed as Hugging Face transformers 4.45 computes them for Llama, Qwen2 and Mixtral, step by
 * step in float32, so that the rotation matches theirs to float precision:
 *
 * <ul>
 *   <li>{@link #standardFrequencies}: {@code inv_freq[i] = 1 / theta^((2i)/d)}, i &lt; d/2 (d the head
 *       width), each operation rounded to float ({@code _compute_default_rope_parameters});</li>
 *   <li>{@link #llama3Frequencies}: Llama 3.1's frequency-wise rescaling of those (rope_type
 *       "llama3", {@code _compute_llama3_parameters}): wavelengths {@code 2π/inv_freq} longer than
 *       {@code original_max_position_embeddings / low_freq_factor} are divided by {@code factor},
 *       those shorter than {@code original_max_position_embeddings / high_freq_factor} kept, and the
 *       ones between interpolated with {@code smooth = (original / wavelength - low) / (high - low)}:
 *       {@code (1 - smooth) * f / factor + smooth * f};</li>
 *   <li>the table: {@code angle = float(position) * inv_freq[i]} rounded to float, then its cosine
 *       and sine rounded to float ({@code cos(cat(freqs, freqs))}: the two halves of a head share
 *       them, so the table keeps d/2 per position).</li>
 * </ul>
 *
 * The table grows on demand to cover the positions asked for (to the next power of two), so that a
 * model with a context of 131072 positions does not hold 131072 rows it never reads; a grown table
 * is a new snapshot, and snapshots are never modified, so readers on other threads are safe.
 */
public final class RopeTable {
    /** Positions beyond this are refused: a float no longer holds every integer above 2^24. */
    public static final int MAX_POSITIONS = 1 << 24;

    /** cos and sin of position p, frequency i at {@code [p * half + i]}, for positions below {@code positions}. */
    public record Snapshot(float[] cos, float[] sin, int positions) {}

    private final float[] inverseFrequencies;
    private volatile Snapshot snapshot;

    private RopeTable(float[] inverseFrequencies) {
        this.inverseFrequencies = inverseFrequencies;
        this.snapshot = new Snapshot(new float[0], new float[0], 0);
    }

    /** A table over the given frequencies (d/2 of them, for heads of width d). */
    public static RopeTable of(float[] inverseFrequencies) {
        if (inverseFrequencies.length == 0) throw new IllegalArgumentException("rotary embeddings need at least one frequency (a head width of 2 or more)");
        for (float f : inverseFrequencies) {
            if (!(f > 0) || Float.isInfinite(f)) throw new IllegalArgumentException("rotary frequencies must be positive and finite: " + Arrays.toString(inverseFrequencies));
        }
        return new RopeTable(inverseFrequencies.clone());
    }

    /** HF's default rope: {@code inv_freq[i] = 1 / theta^((2i)/d)} in float32 (theta as a float, as PyTorch casts it). */
    public static float[] standardFrequencies(int headDim, float theta) {
        if (headDim < 2 || headDim % 2 != 0) throw new IllegalArgumentException("rotary embeddings need an even head width, got " + headDim);
        if (!(theta > 1) || Float.isInfinite(theta)) throw new IllegalArgumentException("rope_theta must be a finite number above 1, got " + theta);
        float[] inv = new float[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / headDim;                 // arange(0, d, 2).float() / d
            inv[i] = 1f / (float) Math.pow(theta, exponent);             // 1.0 / (base ** exponent)
        }
        return inv;
    }

    /**
     * Llama 3.1's rescaling of {@code inv} (rope_type "llama3"), each step in float32 as HF's tensor
     * ops round it (a Python number meeting a float32 tensor is cast to float).
     */
    public static float[] llama3Frequencies(float[] inv, float factor, float lowFreqFactor, float highFreqFactor, int originalMaxPositions) {
        if (!(factor >= 1) || Float.isInfinite(factor)) throw new IllegalArgumentException("llama3 rope_scaling factor must be at least 1, got " + factor);
        if (!(highFreqFactor > lowFreqFactor) || !(lowFreqFactor > 0)) {
            throw new IllegalArgumentException("llama3 rope_scaling needs 0 < low_freq_factor < high_freq_factor, got " + lowFreqFactor + " and " + highFreqFactor);
        }
        if (originalMaxPositions < 1) throw new IllegalArgumentException("llama3 original_max_position_embeddings must be positive, got " + originalMaxPositions);
        float lowWavelength = (float) ((double) originalMaxPositions / lowFreqFactor);   // a Python float, cast for the comparison
        float highWavelength = (float) ((double) originalMaxPositions / highFreqFactor);
        float twoPi = (float) (2 * Math.PI), original = originalMaxPositions, span = (float) ((double) highFreqFactor - lowFreqFactor);
        float[] out = new float[inv.length];
        for (int i = 0; i < inv.length; i++) {
            float wavelength = (1f / inv[i]) * twoPi;                      // 2π / inv_freq = reciprocal(inv_freq) * 2π
            float f = wavelength > lowWavelength ? inv[i] / factor : inv[i];
            boolean medium = !(wavelength < highWavelength) && !(wavelength > lowWavelength);
            if (medium) {
                float smooth = ((1f / wavelength) * original - lowFreqFactor) / span;
                f = (1f - smooth) * f / factor + smooth * f;
            }
            out[i] = f;
        }
        return out;
    }

    /** The head width d these frequencies rotate (twice their number). */
    public int headDim() {
        return 2 * inverseFrequencies.length;
    }

    /** A copy of the d/2 inverse frequencies. */
    public float[] inverseFrequencies() {
        return inverseFrequencies.clone();
    }

    /** The table, covering at least positions {@code 0 .. positions-1} (grown if it did not). */
    public Snapshot covering(int positions) {
        Snapshot s = snapshot;
        return s.positions() >= positions ? s : grow(positions);
    }

    private synchronized Snapshot grow(int positions) {
        Snapshot s = snapshot;
        if (s.positions() >= positions) return s;
        int half = inverseFrequencies.length, limit = Math.min(MAX_POSITIONS, (Integer.MAX_VALUE - 8) / half);
        if (positions > limit) throw new IllegalArgumentException("rotary position " + (positions - 1) + " beyond the largest supported, " + (limit - 1));
        int size = Math.min(limit, Math.max(64, Integer.highestOneBit(positions - 1) << 1));
        float[] cos = Arrays.copyOf(s.cos(), size * half), sin = Arrays.copyOf(s.sin(), size * half);
        for (int p = s.positions(); p < size; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * inverseFrequencies[i];           // inv_freq @ position_ids in float32: one rounding
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
        snapshot = s = new Snapshot(cos, sin, size);
        return s;
    }
}
