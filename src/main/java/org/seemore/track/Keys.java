package org.seemore.track;

import java.util.regex.Pattern;

/**
 * MLflow's rules for metric, param and tag keys (mlflow/utils/validation.py): letters, digits,
 * underscores, dashes, periods, spaces and slashes, at most 250 characters, and no name that a path
 * would normalize to another one ({@code a//b}, {@code ./a}, {@code ..}). The file store keeps each
 * key as a file name, with slashes as subdirectories.
 */
final class Keys {
    static final int MAX_KEY_LENGTH = 250;
    private static final Pattern VALID = Pattern.compile("^[/\\w.\\- ]*$", Pattern.UNICODE_CHARACTER_CLASS);

    private Keys() {}

    /** Why {@code key} is not a valid MLflow key, or null when it is. */
    static String problem(String key) {
        if (key == null || key.isEmpty()) return "a key name must be given";
        if (key.length() > MAX_KEY_LENGTH) return "'" + key + "' is longer than " + MAX_KEY_LENGTH + " characters";
        if (!VALID.matcher(key).matches()) {
            return "'" + key + "': names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/)";
        }
        if (!normalized(key)) return "'" + key + "' would resolve to another name as a path";
        return null;
    }

    /** posixpath.normpath(key) == key, and it is neither '.', nor above or at the root. */
    private static boolean normalized(String key) {
        if (key.startsWith("/") || key.endsWith("/") || key.contains("//")) return false;
        for (String part : key.split("/")) {
            if (part.equals(".") || part.equals("..")) return false;
        }
        return true;
    }
}
