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
    private final boolean notJson;

    /** @param notJson whether the body is of another content type, rather than broken JSON */
    UnexpectedBodyException(int status, boolean notJson, String description) {
        super(description);
        this.status = status;
        this.notJson = notJson;
    }

    /** Whether the body is of another content type (a page), rather than JSON that is malformed or cut off. */
    boolean notJson() {
        return notJson;
    }

    /** The HTTP status the body came with. */
    int status() {
        return status;
    }
}
