/**
 * Runs PyTorch reference dumps through the Java model and measures every difference against tolerances
 * ({@link org.seemore.parity.ParityRunner}); {@code parity.hf} does the same for folders of the Hugging
 * Face fixtures' layout, one class per kind of folder.
 */
package org.seemore.parity;
