package org.seemore.parity.hf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.seemore.UserException;
import org.seemore.parity.ParityReport;

/**
 * Picks the {@link FolderParity} kind of a folder and runs it. A folder no kind accepts but whose
 * subfolders some kind does (the fixtures' {@code image-processors/}) runs every such subfolder, in
 * name order. A model folder whose architecture no kind checks yet is a one-line error, as is a
 * folder that is none of these.
 */
public final class HfFolderParity {
    /** Every kind {@code seemore parity DIR} knows, tried in this order. Add a kind here. */
    public static final List<FolderParity> KINDS = List.of(
            new LlamaFolderParity(),
            new MixtralFolderParity(),
            new VisionFolderParity(),
            new LlavaFolderParity(),
            new TokenizerFolderParity(),
            new ChatTemplateFolderParity(),
            new ImageProcessorFolderParity());

    private HfFolderParity() {}

    /** The reports of {@code dir}: one, or one per checked subfolder. */
    public static List<ParityReport> run(Path dir) {
        if (!Files.isDirectory(dir)) throw new UserException(dir + ": no such directory");
        Folder folder = Folder.at(dir);
        Optional<FolderParity> kind = kindOf(folder);
        if (kind.isPresent()) return List.of(kind.get().run(folder));
        if (folder.architecture().isPresent()) {
            throw new UserException(dir.resolve("config.json") + ": parity does not support " + folder.architecture().get().className
                    + " folders yet (it checks " + names() + ")");
        }
        List<ParityReport> reports = new ArrayList<>();
        for (Path sub : subfolders(dir)) {
            Folder child = Folder.at(sub);
            Optional<FolderParity> childKind = kindOf(child);
            if (childKind.isPresent()) reports.add(childKind.get().run(child));
            else if (child.architecture().isPresent()) {
                throw new UserException(sub.resolve("config.json") + ": parity does not support " + child.architecture().get().className + " folders yet");
            }
        }
        if (reports.isEmpty()) {
            throw new UserException(dir + ": not a parity folder: expected config.json with " + Folder.REFERENCE
                    + " (a model), tokenizer-cases.jsonl (a tokenizer), cases.jsonl with templates.json (chat templates)"
                    + " or with preprocessor_config.json (an image processor), or subfolders holding them");
        }
        return reports;
    }

    private static Optional<FolderParity> kindOf(Folder folder) {
        return KINDS.stream().filter(k -> k.accepts(folder)).findFirst();
    }

    private static String names() {
        return KINDS.stream().map(FolderParity::kind).collect(Collectors.joining(", "));
    }

    private static List<Path> subfolders(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UserException(dir + ": cannot list the folder: " + e.getMessage(), e);
        }
    }
}
