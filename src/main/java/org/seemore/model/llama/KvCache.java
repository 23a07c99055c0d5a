package org.seemore.model.llama;

import java.util.ArrayList;
import java.util.List;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * The keys (after RoPE) and values of every position seen so far, one {@link Entry} per layer, as
 * (B, T, KV*hd) tensors that each pass extends along T. Meant for inference (no gradient).
 */
final class KvCache {
    final List<Entry> layers = new ArrayList<>();

    KvCache(int layerCount) {
        for (int i = 0; i < layerCount; i++) layers.add(new Entry());
    }

    /** Positions cached so far. */
    int length() {
        return layers.isEmpty() || layers.getFirst().keys == null ? 0 : layers.getFirst().keys.dim(1);
    }

    /** One layer's keys and values. */
    static final class Entry {
        private Tensor keys, values;

        /** Appends k (B, T, KV*hd) and returns every cached key. */
        Tensor appendKeys(Tensor k) {
            keys = keys == null ? k.detach() : Shaping.concat(1, keys, k.detach());
            return keys;
        }

        Tensor appendValues(Tensor v) {
            values = values == null ? v.detach() : Shaping.concat(1, values, v.detach());
            return values;
        }
    }
}
