/** Runs PyTorch reference dumps through the Java model and measures every difference against tolerances. */
package org.seemore.parity;
