/**
 * {@code seemore parity DIR}: checks a folder of the Hugging Face fixtures' layout (a model folder with
 * {@code reference.safetensors}, a tokenizer, chat-template or image-processor folder) against the
 * reference outputs it holds, within the tolerances of the fixtures' README. One class per kind of
 * folder ({@link org.seemore.parity.hf.FolderParity}); {@link org.seemore.parity.hf.HfFolderParity}
 * picks the kind from config.json's architecture or the files present.
 */
package org.seemore.parity.hf;
