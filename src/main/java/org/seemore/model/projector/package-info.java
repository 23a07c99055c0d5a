/** The MLP projector and its config: image features to visual tokens in the language model's space. */
package org.seemore.model.projector;
