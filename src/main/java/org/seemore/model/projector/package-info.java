/** The MLP projector that maps image features to visual tokens in the decoder's space. */
package org.seemore.model.projector;
