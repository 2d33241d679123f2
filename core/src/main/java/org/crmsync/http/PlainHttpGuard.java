package org.crmsync.http;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import org.crmsync.CrmSyncException;
import org.crmsync.ErrorCode;

/** Refuses plain-HTTP requests: credentials must not cross the network in clear text (DESIGN §4). */
final class PlainHttpGuard implements Interceptor {
    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        if (!request.isHttps()) {
            throw new CrmSyncException(ErrorCode.INVALID_CONFIGURATION,
                    "Refused plain HTTP request to " + Redaction.hostAndPort(request.url()) + ": HTTPS is required;"
                            + " plain HTTP only when allowPlainHttp is set, e.g. for tests against a local simulator");
        }
        return chain.proceed(request);
    }
}
