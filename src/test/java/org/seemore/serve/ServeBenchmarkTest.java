package org.seemore.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The load test behind {@code bench serve} and the soak script: a duration bound, failures counted. */
class ServeBenchmarkTest {
    @Test
    void aDurationEndsTheRunBeforeItsRequestsAreDoneAndFailuresAreCounted() throws Exception {
        Map<String, Object> r = ServeBenchmark.run(Served.VLM, Served.TOKENIZER, Served.png(1), 2, Integer.MAX_VALUE, 8, 1.0);
        assertThat((int) r.get("requests")).isPositive();
        assertThat(r.get("errors")).isEqualTo(0);
        assertThat(r).doesNotContainKey("first_error");
        assertThat((double) r.get("seconds")).isBetween(1.0, 30.0);
        assertThat((double) r.get("mean_tokens")).isBetween(1.0, 8.0);
    }
}
