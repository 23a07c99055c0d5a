package org.seemore.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.seemore.cli.Main;

/**
 * The web page in headless Chromium (Debian's chromium and chromium-driver; Selenium fetches
 * nothing): an image is picked, the caption streams in and equals {@code seemore caption}'s, and
 * the expert heatmap has a column per character.
 */
class BrowserTest {
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    @Test
    void thePageCaptionsAnUploadedImageAsTheCliDoes(@TempDir Path dir) throws Exception {
        if (!Files.isExecutable(DRIVER)) {
            throw new AssertionError(DRIVER + " is missing: install Debian's browser and driver with 'apt-get install -y chromium chromium-driver' (.ci/run does)");
        }
        System.setProperty("webdriver.chrome.driver", DRIVER.toString());
        System.setProperty("SE_MANAGER_PATH", "/nonexistent"); // never download a driver
        Path image = dir.resolve("scene.png");
        Files.write(image, Served.png(5));
        String expected = cliCaption(Served.save(dir.resolve("model")), image);

        OpenAiServer server = Served.start(ServeSettings.defaults("127.0.0.1", 0));
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1000,800");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();
        WebDriver driver = new ChromeDriver(service, options);
        try {
            driver.get("http://127.0.0.1:" + server.port() + "/");
            driver.findElement(By.id("file")).sendKeys(image.toString());
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
            wait.until(d -> d.findElement(By.id("go")).isEnabled());
            driver.findElement(By.id("go")).click();
            wait.until(d -> "true".equals(d.findElement(By.id("caption")).getDomAttribute("data-done"))
                    || !d.findElement(By.id("error")).getText().isEmpty());
            assertThat(driver.findElement(By.id("error")).getText()).isEmpty();
            assertThat(driver.findElement(By.id("caption")).getText()).isEqualTo(expected.strip());
            int layers = Served.VLM.config().language().layers();
            assertThat(driver.findElements(By.cssSelector("#experts tr"))).hasSize(layers + 1);
            byte[] png = ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES);
            Path shot = Path.of("target", "serve-page.png");
            Files.createDirectories(shot.getParent());
            Files.write(shot, png);
            assertThat(png.length).isGreaterThan(1000);
        } finally {
            driver.quit();
            server.close();
        }
    }

    /** {@code seemore caption --model DIR IMAGE}'s caption. */
    private static String cliCaption(Path model, Path image) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            assertThat(Main.execute("caption", "--model", model.toString(), "--max-tokens", "200", image.toString())).isZero();
        } finally {
            System.setOut(original);
        }
        String line = out.toString(StandardCharsets.UTF_8).strip();
        return line.substring((image + ": ").length());
    }
}
