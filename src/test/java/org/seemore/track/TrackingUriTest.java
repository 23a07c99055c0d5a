package org.seemore.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.seemore.UserException;

/** The forms of a tracking URI that MLflow accepts, and one-line errors for the rest. */
class TrackingUriTest {
    private static TrackingUri parse(String uri, Map<String, String> env) {
        return TrackingUri.parse(uri, "--mlflow", env::get);
    }

    @Test
    void fileStoresByAnyOfTheirNames() {
        assertThat(parse("file:/data/mlruns", Map.of()).fileRoot()).isEqualTo(Path.of("/data/mlruns"));
        assertThat(parse("file:///data/my%20runs", Map.of()).fileRoot()).isEqualTo(Path.of("/data/my runs"));
        assertThat(parse("file://localhost/data/mlruns", Map.of()).fileRoot()).isEqualTo(Path.of("/data/mlruns"));
        assertThat(parse("file:mlruns", Map.of()).fileRoot()).isEqualTo(Path.of("mlruns").toAbsolutePath());
        assertThat(parse("./mlruns", Map.of()).fileRoot()).isEqualTo(Path.of("mlruns").toAbsolutePath());
    }

    @Test
    void serversTakeTheirCredentialsFromTheEnvironment() {
        assertThat(parse("http://127.0.0.1:5000", Map.of()).authorization()).isNull();
        assertThat(parse("https://mlflow.example/prefix", Map.of("MLFLOW_TRACKING_TOKEN", "t")).authorization()).isEqualTo("Bearer t");
        assertThat(parse("http://h", Map.of("MLFLOW_TRACKING_USERNAME", "u", "MLFLOW_TRACKING_PASSWORD", "p")).authorization()).isEqualTo("Basic dTpw");
        TrackingUri databricks = parse("databricks", Map.of("DATABRICKS_HOST", "adb-1.azuredatabricks.net", "DATABRICKS_TOKEN", "dapi1"));
        assertThat(databricks.authorization()).isEqualTo("Bearer dapi1");
        assertThat(databricks.open(java.time.Duration.ofSeconds(1)).describe()).isEqualTo("https://adb-1.azuredatabricks.net");
    }

    @Test
    void otherUrisAreOneLineErrorsNamingTheFlag() {
        assertThatThrownBy(() -> parse("sqlite:///mlflow.db", Map.of())).isInstanceOf(UserException.class)
                .hasMessageStartingWith("--mlflow sqlite:///mlflow.db: ").hasMessageContaining("mlflow server --backend-store-uri");
        assertThatThrownBy(() -> parse("databricks", Map.of())).isInstanceOf(UserException.class).hasMessageContaining("DATABRICKS_TOKEN");
        assertThatThrownBy(() -> parse("databricks://profile", Map.of())).isInstanceOf(UserException.class).hasMessageContaining("profiles");
        assertThatThrownBy(() -> parse("http://", Map.of())).isInstanceOf(UserException.class).hasMessageStartingWith("--mlflow http://: ");
        assertThatThrownBy(() -> parse("file://otherhost/x", Map.of())).isInstanceOf(UserException.class).hasMessageContaining("no host");
        assertThatThrownBy(() -> TrackingUri.parse("s3://b", "MLFLOW_TRACKING_URI", k -> null)).hasMessageStartingWith("MLFLOW_TRACKING_URI s3://b: ");
    }
}
