package io.samsa.server;

/** A configuration that the broker refuses to start with; the message names the key and what is allowed. */
public class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }
}
