package org.seemore.parity.hf;

import org.seemore.parity.ParityReport;

/**
 * One kind of fixture folder that {@code seemore parity DIR} checks: a model architecture, a
 * tokenizer, chat templates, an image processor. {@link HfFolderParity#KINDS} lists them; a new kind is
 * a class implementing this and one line there.
 */
public interface FolderParity {

    /** What the report header calls this kind, e.g. {@code LlamaForCausalLM} or {@code tokenizer}. */
    String kind();

    /** Whether this kind checks {@code folder} (from its architecture, or the files it holds). */
    boolean accepts(Folder folder);

    /** Runs every check the folder's reference allows; a missing or corrupt file is a one-line UserException naming it. */
    ParityReport run(Folder folder);
}
