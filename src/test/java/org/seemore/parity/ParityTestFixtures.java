package org.seemore.parity;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The PyTorch reference fixtures copied into the test resources. */
public final class ParityTestFixtures {
    private ParityTestFixtures() {}

    public static Path path(String name) {
        var url = ParityTestFixtures.class.getResource("/fixtures/" + name);
        if (url == null) throw new IllegalStateException("fixture " + name + " is missing from src/test/resources/fixtures");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
