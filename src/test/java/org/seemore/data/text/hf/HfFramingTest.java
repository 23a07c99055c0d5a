package org.seemore.data.text.hf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.data.text.HfFixtures;
import org.seemore.data.text.Tokenizer;
import org.seemore.data.text.Tokenizers;

/** BOS/EOS framing and decoding options that come from tokenizer_config.json rather than tokenizer.json. */
class HfFramingTest {
    static final Path SP = HfFixtures.dir("sp-tokenizer");
    static final Path GPT2 = HfFixtures.dir("gpt2-tokenizer");

    static Path spWithConfig(Path dir, String config) throws Exception {
        Files.copy(SP.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), config);
        return dir;
    }

    @Test
    void llamaTokenizersFrameAsAddBosAndAddEosSay(@TempDir Path dir) throws Exception {
        // transformers' LlamaTokenizerFast rebuilds its template from these flags, whatever tokenizer.json says.
        Tokenizer both = Tokenizers.load(spWithConfig(dir, "{\"tokenizer_class\": \"LlamaTokenizer\", \"bos_token\": \"<s>\", \"eos_token\": \"</s>\", \"add_eos_token\": true}"));
        int a = both.encode("a")[0];
        assertThat(both.encode("a", true)).containsExactly(1, a, 2);
        Files.delete(dir.resolve("tokenizer_config.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"tokenizer_class\": \"LlamaTokenizerFast\", \"bos_token\": \"<s>\", \"add_bos_token\": false}");
        assertThat(Tokenizers.load(dir).encode("a", true)).containsExactly(Tokenizers.load(dir).encode("a"));
    }

    @Test
    void otherClassesFollowThePostProcessor(@TempDir Path dir) throws Exception {
        Tokenizer tokenizer = Tokenizers.load(spWithConfig(dir, "{\"tokenizer_class\": \"PreTrainedTokenizerFast\", \"bos_token\": \"<s>\", \"add_bos_token\": false}"));
        assertThat(tokenizer.encode("a", true)[0]).isEqualTo(1);
        assertThat(tokenizer.encode("a", true)).hasSize(tokenizer.encode("a").length + 1);
    }

    @Test
    void cleanUpTokenizationSpacesWhenTheConfigAsks(@TempDir Path dir) throws Exception {
        for (String file : new String[] {"tokenizer.json", "special_tokens_map.json"}) Files.copy(GPT2.resolve(file), dir.resolve(file));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"clean_up_tokenization_spaces\": true}");
        Tokenizer tokenizer = Tokenizers.load(dir);
        int[] ids = tokenizer.encode("Hello , world ! I do n't");
        assertThat(tokenizer.decode(ids)).isEqualTo("Hello, world! I don't");
        assertThat(Tokenizers.load(GPT2).decode(ids)).isEqualTo("Hello , world ! I do n't");
    }
}
