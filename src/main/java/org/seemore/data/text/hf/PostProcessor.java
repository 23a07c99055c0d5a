package org.seemore.data.text.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.seemore.data.text.TokenIds;

/**
 * A {@code tokenizer.json} post-processor: what {@code add_special_tokens=True} adds around one encoded
 * sequence. Llama's {@code TemplateProcessing} puts {@code <s>} first; GPT-2's {@code ByteLevel} adds
 * nothing. Only single sequences are encoded here, so a template's {@code pair} part is not used.
 */
@FunctionalInterface
interface PostProcessor {
    List<String> TYPES = List.of("TemplateProcessing", "ByteLevel", "Sequence", "RobertaProcessing", "BertProcessing");

    int[] frame(int[] ids);

    static PostProcessor parse(JsonNode node, Spec spec) {
        if (node == null || node.isNull()) return ids -> ids;
        String type = spec.type(node, "post_processor", TYPES);
        String component = "post_processor " + type;
        return switch (type) {
            case "ByteLevel" -> ids -> ids;
            case "Sequence" -> {
                List<PostProcessor> steps = new ArrayList<>();
                for (JsonNode step : spec.array(node, "processors", component)) steps.add(parse(step, spec));
                yield ids -> {
                    for (PostProcessor step : steps) ids = step.frame(ids);
                    return ids;
                };
            }
            case "TemplateProcessing" -> template(node, spec, component);
            case "RobertaProcessing", "BertProcessing" -> {
                int cls = pairId(node, "cls", spec, component);
                int sep = pairId(node, "sep", spec, component);
                yield ids -> surround(new int[] {cls}, ids, new int[] {sep});
            }
            default -> throw new IllegalStateException(type);
        };
    }

    /** The single-sequence template: each item is the sequence itself ({@code $A}) or a special token's ids. */
    private static PostProcessor template(JsonNode node, Spec spec, String component) {
        Map<String, int[]> specials = new HashMap<>();
        JsonNode specialTokens = node.path("special_tokens");
        specialTokens.properties().forEach(entry -> {
            JsonNode ids = entry.getValue().get("ids");
            if (ids == null || !ids.isArray()) throw spec.fail(component + " special token " + entry.getKey() + " has no \"ids\" list");
            int[] values = new int[ids.size()];
            for (int i = 0; i < values.length; i++) values[i] = ids.get(i).asInt();
            specials.put(entry.getKey(), values);
        });
        List<int[]> before = new ArrayList<>();
        List<int[]> after = new ArrayList<>();
        boolean seenSequence = false;
        for (JsonNode item : spec.array(node, "single", component)) {
            if (item.has("Sequence")) {
                if (seenSequence) throw spec.fail(component + " single template holds the sequence twice");
                seenSequence = true;
            } else if (item.has("SpecialToken")) {
                String id = spec.text(item.get("SpecialToken"), "id", component);
                int[] ids = specials.get(id);
                if (ids == null) throw spec.fail(component + " uses special token " + id + ", which its special_tokens do not define");
                (seenSequence ? after : before).add(ids);
            } else {
                throw spec.fail(component + " template item " + item + " is neither a Sequence nor a SpecialToken");
            }
        }
        if (!seenSequence) throw spec.fail(component + " single template has no $A sequence");
        int[] prefix = concat(before);
        int[] suffix = concat(after);
        return ids -> surround(prefix, ids, suffix);
    }

    private static int pairId(JsonNode node, String field, Spec spec, String component) {
        JsonNode pair = node.get(field);
        if (pair == null || !pair.isArray() || pair.size() != 2 || !pair.get(1).canConvertToInt()) {
            throw spec.fail(component + " needs \"" + field + "\" as [token, id]");
        }
        return pair.get(1).intValue();
    }

    private static int[] concat(List<int[]> parts) {
        TokenIds all = new TokenIds();
        parts.forEach(all::addAll);
        return all.toArray();
    }

    private static int[] surround(int[] prefix, int[] ids, int[] suffix) {
        int[] out = new int[prefix.length + ids.length + suffix.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(ids, 0, out, prefix.length, ids.length);
        System.arraycopy(suffix, 0, out, prefix.length + ids.length, suffix.length);
        return out;
    }
}
