/** The {@code seemore} command line: one class per command, sharing option mixins. */
package org.seemore.cli;
