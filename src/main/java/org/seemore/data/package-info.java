/**
 * Training data: the {@link org.seemore.data.Example} record, data sources (files and the built-in
 * synthetic set) and validation splits. Sub-packages: formats, images, the synthetic set, the tokenizer.
 */
package org.seemore.data;
