package io.capsa.image;

/**
 * An image operation failed: unknown image or tag, registry or auth failure, digest mismatch, unsafe layer...
 * The message is meant for the user as it is (it names the image, blob, layer or file concerned).
 */
public class ImageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
