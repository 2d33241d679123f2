package org.crmsync.luminate.internal;

import java.util.Set;
import org.crmsync.ErrorCode;

/**
 * Luminate's {@code errorResponse.code}s and what each means for a sync. Sources: the general codes at
 * open.convio.com/api/apidoc/general/error_codes.html and the constituent codes at
 * developer.blackbaud.com/lo-api/loapi/getting-started/reference/errorcodes/constituent (reference
 * notes §3.4; note that 11 is "duplicate", not "missing parameter").
 */
final class LuminateErrors {
    static final int UNABLE_TO_PROCESS = 1;
    static final int BAD_API_KEY = 2;
    static final int AUTHORIZATION_FAILED = 3;
    static final int SOURCE_IP_NOT_ALLOWED = 4;
    static final int AUTH_TOKEN_NEEDED = 5;
    static final int BAD_METHOD = 6;
    static final int SEVERAL_MATCH = 8;
    static final int MISSING_PARAMETERS = 9;
    static final int UPDATE_MATCHED_MULTIPLE = 15;
    static final int NOT_FOUND = 16;

    /** Codes that refuse the record sent (its data, its match), not the call. */
    private static final Set<Integer> RECORD_CODES = Set.of(SEVERAL_MATCH, 10, 11, 12, 13, UPDATE_MATCHED_MULTIPLE,
            NOT_FOUND, 18, 19, 22, 23, 24, 26, 27, 28, 29, 30, 31, 32, 35);

    private LuminateErrors() {
    }

    static boolean aboutTheRecord(int code) {
        return RECORD_CODES.contains(code);
    }

    /** The error code of a call Luminate refused as a whole. */
    static ErrorCode callCode(int code) {
        switch (code) {
            case BAD_API_KEY:
            case AUTHORIZATION_FAILED:
            case 7:
                return ErrorCode.AUTHENTICATION_FAILED;
            case SOURCE_IP_NOT_ALLOWED:
            case AUTH_TOKEN_NEEDED:
            case 14:
                return ErrorCode.PERMISSION_DENIED;
            case UNABLE_TO_PROCESS:
                return ErrorCode.REMOTE_UNAVAILABLE;
            default:
                return ErrorCode.UNEXPECTED_RESPONSE;
        }
    }

    /** What to do about a call-level code, for the message. */
    static String advice(int code) {
        switch (code) {
            case BAD_API_KEY:
                return "Check api.key: it must match the site's CONVIO_API_KEY.";
            case AUTHORIZATION_FAILED:
                return "Check login and password: the API administrator account's, a member of the API Administrator"
                        + " group.";
            case SOURCE_IP_NOT_ALLOWED:
                return "Add this server's address to the site's Convio API IP filter (CONVIO_API_IP_FILTER); the seed"
                        + " lists the addresses to add.";
            case AUTH_TOKEN_NEEDED:
            case 14:
                return "The API account may not call this method: give it the Use Convio API permission.";
            case UNABLE_TO_PROCESS:
                return "Luminate could not process the request; the rest waits for the next run.";
            case BAD_METHOD:
            case MISSING_PARAMETERS:
                return "This connector sent a request Luminate does not take; please report it.";
            default:
                return "Luminate refused the call; see its message.";
        }
    }
}
