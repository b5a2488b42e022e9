package io.capsa.image.unpack;

import io.capsa.image.ImageException;

/** A layer entry would write outside the layer directory (or is otherwise refused); names the layer and entry. */
public final class UnsafeLayerException extends ImageException {
    private static final long serialVersionUID = 1L;

    public UnsafeLayerException(String message) {
        super(message);
    }
}
