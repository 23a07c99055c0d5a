/**
 * Dataset files read into {@link org.seemore.data.Example}s: one {@link org.seemore.data.format.DatasetFormat}
 * per file format, chosen by {@link org.seemore.data.format.DatasetLoader} from the file's extension or an
 * explicit {@code --format} name.
 *
 * <table>
 *   <caption>Formats</caption>
 *   <tr><th>name</th><th>extension</th><th>content</th></tr>
 *   <tr><td>{@code jsonl}</td><td>{@code .jsonl}</td><td>one JSON object a line: {@code image} or
 *       {@code image_base64}, and {@code caption} or {@code prompt} + {@code answer}</td></tr>
 *   <tr><td>{@code csv}</td><td>{@code .csv}</td><td>the original seemore CSV: columns
 *       {@code b64string_images,caption} (RFC 4180)</td></tr>
 *   <tr><td>{@code llava}</td><td>{@code .json}</td><td>a LLaVA conversation list</td></tr>
 *   <tr><td>{@code text}</td><td>{@code .txt}</td><td>plain UTF-8 text for decoder-only language modelling</td></tr>
 * </table>
 *
 * <p>Errors follow the compiler convention {@code file:line: what is wrong}. A bad record is fatal unless the
 * caller asked to skip bad records, in which case it is counted and its reason kept; a missing file, a bad
 * header, malformed whole-file JSON, invalid UTF-8 or an unterminated CSV quote are always fatal. Image paths
 * are checked to exist when the file is loaded, base64 images are decoded to bytes, and either must be an image
 * whose header reads (a record that is not an image is a bad record, so {@code --skip-bad} skips it before
 * training starts); decoding the pixels happens later, in {@code org.seemore.data.image}.
 */
package org.seemore.data.format;
