package org.crmsync.http;

import java.io.IOException;

/**
 * A successful answer to a request that asked for JSON whose body is not JSON (an HTML page, a proxy's
 * notice) or is malformed or cut off. The message describes what came back (status, content type,
 * where the JSON breaks, the first characters, sanitized) and holds no secret and no email or phone
 * number. Thrown by {@link JsonBodyCheck}; {@link ConnectionFailure} turns it into the connector's
 * message.
 */
final class UnexpectedBodyException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int status;

    UnexpectedBodyException(int status, String description) {
        super(description);
        this.status = status;
    }

    /** The HTTP status the body came with. */
    int status() {
        return status;
    }
}
