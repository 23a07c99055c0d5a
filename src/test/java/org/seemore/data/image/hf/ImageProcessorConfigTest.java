package org.seemore.data.image.hf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seemore.UserException;
import org.seemore.data.image.ResampleFilter;
import org.seemore.data.image.hf.ImageProcessorConfig.Processor;
import org.seemore.data.image.hf.ImageProcessorConfig.Size;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading {@code preprocessor_config.json}: the forms transformers accepts, its defaults, and one-line errors. */
class ImageProcessorConfigTest {
    @TempDir
    Path dir;

    @Test
    void readsTheFixtureConfigs() {
        ImageProcessorConfig clip = ImageProcessorConfig.read(ImageProcessorFixtureTest.processors().resolve("clip-336/preprocessor_config.json"));
        assertThat(clip.processor()).isEqualTo(Processor.CLIP);
        assertThat(clip.size()).isEqualTo(new Size.ShortestEdge(336));
        assertThat(clip.doCenterCrop()).isTrue();
        assertThat(new int[] {clip.cropHeight(), clip.cropWidth()}).containsExactly(336, 336);
        assertThat(clip.resample()).isEqualTo(ResampleFilter.BICUBIC);
        assertThat(clip.rescaleFactor()).isEqualTo(1.0 / 255);
        assertThat(clip.imageMean()).containsExactly(0.48145466, 0.4578275, 0.40821073);
        assertThat(clip.doConvertRgb()).isTrue();

        ImageProcessorConfig siglip = ImageProcessorConfig.read(ImageProcessorFixtureTest.processors().resolve("siglip-384/preprocessor_config.json"));
        assertThat(siglip.processor()).isEqualTo(Processor.SIGLIP);
        assertThat(siglip.size()).isEqualTo(new Size.Fixed(384, 384));
        assertThat(siglip.doCenterCrop()).isFalse();
        assertThat(siglip.imageStd()).containsExactly(0.5, 0.5, 0.5);
        assertThat(siglip.doConvertRgb()).as("do_convert_rgb null: SiglipImageProcessor's default None").isFalse();
    }

    @Test
    void olderFeatureExtractorFilesMeanTheSameAsTheirDictForms() throws IOException {
        // openai/clip-vit-large-patch14-336 as first published: integers, feature_extractor_type, no rescale keys
        ImageProcessorConfig old = ImageProcessorConfig.read(write("""
                {"crop_size": 336, "do_center_crop": true, "do_normalize": true, "do_resize": true,
                 "feature_extractor_type": "CLIPFeatureExtractor",
                 "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711],
                 "resample": 3, "size": 336}"""));
        ImageProcessorConfig current = ImageProcessorConfig.read(ImageProcessorFixtureTest.processors().resolve("clip-336/preprocessor_config.json"));
        assertThat(old).isEqualTo(current);
    }

    @Test
    void missingAndNullKeysTakeTransformersDefaults() throws IOException {
        ImageProcessorConfig clip = ImageProcessorConfig.read(write("{\"image_processor_type\": \"CLIPImageProcessor\", \"resample\": null, \"size\": null}"));
        assertThat(clip.size()).isEqualTo(new Size.ShortestEdge(224));
        assertThat(new int[] {clip.cropHeight(), clip.cropWidth()}).containsExactly(224, 224);
        assertThat(clip.resample()).isEqualTo(ResampleFilter.BICUBIC);
        assertThat(clip.doResize() && clip.doCenterCrop() && clip.doRescale() && clip.doNormalize() && clip.doConvertRgb()).isTrue();
        assertThat(clip.imageStd()).containsExactly(ImageProcessorConfig.CLIP_STD);

        ImageProcessorConfig siglip = ImageProcessorConfig.read(write("{\"image_processor_type\": \"SiglipImageProcessor\"}"));
        assertThat(siglip.size()).isEqualTo(new Size.Fixed(224, 224));
        assertThat(siglip.imageMean()).containsExactly(0.5, 0.5, 0.5);
        assertThat(siglip.rescaleFactor()).isEqualTo(1.0 / 255);
    }

    @Test
    void flagsFilterAndOtherSizeFormsAreRead() throws IOException {
        ImageProcessorConfig config = ImageProcessorConfig.read(write("""
                {"image_processor_type": "CLIPImageProcessorFast", "processor_class": "LlavaProcessor",
                 "size": {"height": 200, "width": 300}, "crop_size": {"height": 100, "width": 120}, "resample": 2,
                 "do_resize": false, "do_center_crop": false, "do_rescale": false, "do_normalize": false, "do_convert_rgb": false,
                 "image_mean": 0.25, "image_std": [1, 2, 4], "rescale_factor": 0.5}"""));
        assertThat(config.processor()).isEqualTo(Processor.CLIP);
        assertThat(config.size()).isEqualTo(new Size.Fixed(200, 300));
        assertThat(new int[] {config.cropHeight(), config.cropWidth()}).containsExactly(100, 120);
        assertThat(config.resample()).isEqualTo(ResampleFilter.BILINEAR);
        assertThat(config.doResize() || config.doCenterCrop() || config.doRescale() || config.doNormalize() || config.doConvertRgb()).isFalse();
        assertThat(config.imageMean()).containsExactly(0.25, 0.25, 0.25);
        assertThat(config.imageStd()).containsExactly(1.0, 2.0, 4.0);
        assertThat(config.rescaleFactor()).isEqualTo(0.5);
        assertThat(ImageProcessorConfig.read(write("{\"image_processor_type\": \"CLIPImageProcessor\", \"size\": {\"shortest_edge\": 256, \"longest_edge\": 999}}")).size())
                .as("CLIP reads shortest_edge only").isEqualTo(new Size.ShortestEdge(256));
    }

    @Test
    void errorsAreOneLineNamingTheFileAndTheKey() throws IOException {
        String clip = "\"image_processor_type\": \"CLIPImageProcessor\"";
        expectError("{\"image_processor_type\": \"LlavaNextImageProcessor\"}", "image_processor_type \"LlavaNextImageProcessor\" is not supported");
        expectError("{\"feature_extractor_type\": \"ViTFeatureExtractor\"}", "feature_extractor_type \"ViTFeatureExtractor\" is not supported");
        expectError("{\"size\": 224}", "no image_processor_type (or feature_extractor_type)");
        expectError("{\"image_processor_type\": 3}", "image_processor_type must be a string");
        expectError("{" + clip + ", \"size\": {\"width\": 224}}", "size must be an integer, {\"shortest_edge\": n} or");
        expectError("{" + clip + ", \"size\": {\"shortest_edge\": -4}}", "size.shortest_edge must be a positive integer, got -4");
        expectError("{" + clip + ", \"size\": 22.5}", "size must be an integer");
        expectError("{" + clip + ", \"crop_size\": {\"height\": 3}}", "crop_size must be an integer or {\"height\": h, \"width\": w}");
        expectError("{" + clip + ", \"crop_size\": {\"height\": 3, \"width\": 0}}", "crop_size.width must be a positive integer, got 0");
        expectError("{\"image_processor_type\": \"SiglipImageProcessor\", \"size\": 384}", "size must be {\"height\": h, \"width\": w} for SiglipImageProcessor");
        expectError("{" + clip + ", \"resample\": 7}", "resample 7 is not a Pillow filter code");
        expectError("{" + clip + ", \"resample\": \"bicubic\"}", "resample must be an integer");
        expectError("{" + clip + ", \"do_resize\": \"yes\"}", "do_resize must be true, false or null");
        expectError("{" + clip + ", \"image_mean\": [0.5, 0.5]}", "image_mean must be 3 numbers (R, G, B)");
        expectError("{" + clip + ", \"image_mean\": [0.5, \"a\", 0.5]}", "image_mean must hold numbers");
        expectError("{" + clip + ", \"image_std\": [0.5, 0, 0.5]}", "image_std must not be 0");
        expectError("{" + clip + ", \"rescale_factor\": \"1/255\"}", "rescale_factor must be a number");
        expectError("[1, 2]", "not a JSON object");
        expectError("{" + clip + ",\n \"size\": }", "not valid JSON (line 2)");
        Path missing = dir.resolve("nowhere.json");
        assertThatThrownBy(() -> ImageProcessorConfig.read(missing)).isInstanceOf(UserException.class)
                .hasMessage(missing + ": no such file (an image processor's preprocessor_config.json)");
    }

    private void expectError(String json, String expected) throws IOException {
        Path file = write(json);
        assertThatThrownBy(() -> ImageProcessorConfig.read(file)).as(json)
                .isInstanceOf(UserException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining(expected)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private Path write(String json) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "preprocessor_config", ".json"), json);
    }
}
