package org.crmsync.spi;

import static java.util.Objects.requireNonNull;

/** One problem with a connector's configuration, naming the key. Never contains a secret's value. */
public record ConfigProblem(String key, String message) {
    public ConfigProblem {
        requireNonNull(key, "key");
        requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return key + ": " + message;
    }
}
