package org.seemore.track;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.function.Function;
import org.seemore.UserException;

/**
 * Where to track, as MLflow names it: {@code file:PATH}, {@code file:///PATH} or a plain path for
 * the file store; {@code http(s)://HOST[:PORT][/PREFIX]} for a tracking server, authenticated from
 * MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (Basic) or else MLFLOW_TRACKING_TOKEN
 * (Bearer), as MLflow's own client does; {@code databricks} for a Databricks workspace, from
 * DATABRICKS_HOST and DATABRICKS_TOKEN. Database URIs (sqlite:, postgresql:, ...) are refused: they
 * are a server's backend store, reached through that server.
 */
public final class TrackingUri {
    private final String uri;
    private final Path fileRoot;
    private final URI server;
    private final String authorization;

    private TrackingUri(String uri, Path fileRoot, URI server, String authorization) {
        this.uri = uri;
        this.fileRoot = fileRoot;
        this.server = server;
        this.authorization = authorization;
    }

    /**
     * @param source the flag or variable that gave {@code uri}, for messages ({@code --mlflow}, {@code MLFLOW_TRACKING_URI})
     * @param env    the environment (System::getenv)
     */
    public static TrackingUri parse(String uri, String source, Function<String, String> env) {
        String what = source + " " + uri + ": ";
        if (uri.isBlank()) throw new UserException(what + "give file:PATH, http(s)://HOST or databricks");
        if (uri.equals("databricks") || uri.startsWith("databricks:")) {
            if (!uri.equals("databricks")) {
                throw new UserException(what + "Databricks profiles are not read; give --mlflow databricks with DATABRICKS_HOST and DATABRICKS_TOKEN set");
            }
            String host = env.apply("DATABRICKS_HOST"), token = env.apply("DATABRICKS_TOKEN");
            if (host == null || host.isBlank() || token == null || token.isBlank()) {
                throw new UserException(what + "set DATABRICKS_HOST (https://...) and DATABRICKS_TOKEN to track into a Databricks workspace");
            }
            return new TrackingUri(uri, null, server(what, host.startsWith("http") ? host : "https://" + host), "Bearer " + token.strip());
        }
        String scheme = uri.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") ? uri.substring(0, uri.indexOf(':')).toLowerCase(java.util.Locale.ROOT) : "";
        switch (scheme) {
            case "" -> {
                return new TrackingUri(uri, Path.of(uri).toAbsolutePath().normalize(), null, null);
            }
            case "file" -> {
                return new TrackingUri(uri, filePath(what, uri), null, null);
            }
            case "http", "https" -> {
                String user = env.apply("MLFLOW_TRACKING_USERNAME"), password = env.apply("MLFLOW_TRACKING_PASSWORD");
                String token = env.apply("MLFLOW_TRACKING_TOKEN");
                String auth = null;
                if (user != null && !user.isEmpty() && password != null && !password.isEmpty()) {
                    auth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
                } else if (token != null && !token.isEmpty()) {
                    auth = "Bearer " + token;
                }
                return new TrackingUri(uri, null, server(what, uri), auth);
            }
            default -> throw new UserException(what + "seemore writes MLflow's file store (file:PATH) or talks to a tracking server"
                    + " (http(s)://HOST, databricks); for a " + scheme + " store, start `mlflow server --backend-store-uri " + uri
                    + "` and give its http:// address");
        }
    }

    private static URI server(String what, String text) {
        try {
            URI u = new URI(text);
            if (u.getHost() == null) throw new UserException(what + "no host in " + text);
            if (u.getQuery() != null || u.getFragment() != null) throw new UserException(what + "a tracking server's address has no ?query or #fragment");
            return u;
        } catch (URISyntaxException e) {
            throw new UserException(what + "not a URI: " + e.getMessage());
        }
    }

    /** As MLflow's local_file_uri_to_path: file:///abs, file:/abs and file:relative, percent-decoded. */
    private static Path filePath(String what, String uri) {
        String rest = uri.substring("file:".length());
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            String host = slash < 0 ? rest.substring(2) : rest.substring(2, slash);
            if (!host.isEmpty() && !host.equals("localhost")) throw new UserException(what + "a file store is on this machine: no host in file://" + host);
            rest = slash < 0 ? "/" : rest.substring(slash);
        }
        if (rest.isEmpty()) throw new UserException(what + "no path");
        return Path.of(URLDecoder.decode(rest.replace("+", "%2B"), StandardCharsets.UTF_8)).toAbsolutePath().normalize();
    }

    /** The URI as given, which the run directory records. */
    public String uri() {
        return uri;
    }

    /** The file store's root, or null for a server. */
    public Path fileRoot() {
        return fileRoot;
    }

    TrackingStore open(Duration timeout) {
        return fileRoot != null ? new FileStore(fileRoot) : new RestStore(server, authorization, timeout);
    }

    /** For tests: the Authorization header a server receives. */
    String authorization() {
        return authorization;
    }
}
