package org.seemore.serve;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.seemore.data.text.CharTokenizer;
import org.seemore.model.ModelDirectory;
import org.seemore.model.Presets;
import org.seemore.model.Vlm;

/** Test fixtures: a seeded tiny model, small PNG images, a server over them, and a raw HTTP client. */
final class Served {
    static final String MODEL = "tiny";
    static final CharTokenizer TOKENIZER = CharTokenizer.build(List.of("abcdefghijklmnopqrstuvwxyz 0123456789"));
    static final Vlm VLM = new Vlm(Presets.get("tiny", TOKENIZER.vocabSize()), 7);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Served() {}

    static OpenAiServer start(ServeSettings settings) {
        return new OpenAiServer(VLM, TOKENIZER, MODEL, settings).start();
    }

    static OpenAiServer start() {
        return start(ServeSettings.defaults("127.0.0.1", 0).withLimits(1 << 20, 1 << 20, 40, 8, 16));
    }

    /** The model saved as a model directory (for {@code seemore caption}). */
    static Path save(Path dir) {
        ModelDirectory.save(dir, VLM, TOKENIZER, 0);
        return dir;
    }

    /** A PNG of two coloured rectangles; {@code variant} moves and recolours them. */
    static byte[] png(int variant) {
        BufferedImage image = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(30 * variant % 256, 200, 90));
        g.fillRect(0, 0, 40, 40);
        g.setColor(new Color(220, 40 * variant % 256, 60));
        g.fillRect(3 * variant % 30, 5, 12, 20);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** What {@code seemore caption} writes for the image: its decoding, resizing and greedy generation. */
    static String caption(byte[] png, String prompt, int maxTokens) {
        org.seemore.data.image.ImageTransform transform = org.seemore.data.image.ImageTransform.imagenet(VLM.config().imageSize());
        org.seemore.data.image.RgbImage image = org.seemore.data.image.ImageDecoder.decode("test.png", png);
        org.seemore.data.image.RgbImage resized = org.seemore.data.image.Resize.bilinear(image, transform.size(), transform.size());
        var example = new org.seemore.data.Example("test.png", new org.seemore.data.image.ImageSource.PixelImage("test.png", resized), prompt, "");
        var evaluator = new org.seemore.train.Evaluator(VLM, TOKENIZER, transform, 16);
        return evaluator.caption(List.of(example), org.seemore.generate.Sampler.greedy(), 0, maxTokens).get(0).generated();
    }

    static String dataUri(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }

    /** A chat request's JSON with one text part (if any) and one image part. */
    static String chat(String model, String prompt, String imageUrl, String extra) {
        String text = prompt == null ? "" : "{\"type\":\"text\",\"text\":\"" + prompt + "\"},";
        String image = imageUrl == null ? "" : "{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + imageUrl + "\"}}";
        String parts = (text + image).replaceAll(",$", "");
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":[" + parts + "]}]" + extra + "}";
    }

    static HttpResponse<String> post(OpenAiServer server, String body, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return send(b.build());
    }

    static HttpResponse<String> get(OpenAiServer server, String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
