package io.samsa.protocol;

/**
 * A frame that cannot be served: the connection it came on must be closed (Kafka does the same for unknown API
 * keys, unsupported versions other than ApiVersions, and bodies that do not parse).
 */
public class InvalidFrameException extends RuntimeException {

    public InvalidFrameException(String message) {
        super(message);
    }

    public InvalidFrameException(String message, Throwable cause) {
        super(message, cause);
    }
}
