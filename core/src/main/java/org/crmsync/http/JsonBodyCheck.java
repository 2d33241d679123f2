package org.crmsync.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Checks the body of a successful answer to a request whose {@code Accept} header asks for JSON before
 * anything parses it: a body of another content type (the HTML page of a proxy, a login or a
 * maintenance notice, which often come with 200) or JSON that is malformed or cut off becomes an {@link
 * UnexpectedBodyException} saying what came back (status, content type, where the JSON breaks as line
 * and column, and the first characters, sanitized), in place of a parser's message that names its own
 * internals and none of that. Answers without a body (204, 205, {@code Content-Length: 0}) and
 * unsuccessful ones (whose bodies the connector quotes through {@link HttpErrors}) pass unchanged.
 *
 * <p>The body is read whole to check it, then handed on from memory: the calls that ask for JSON
 * (query pages, describes, batch results) are parsed whole into objects anyway. Downloads that stream
 * (an export file) ask for no JSON and are left alone.
 */
final class JsonBodyCheck implements Interceptor {
    /** How much of a body a message quotes: enough to recognize a page, little of any record. */
    static final int QUOTED_CHARS = 200;
    private static final JsonFactory JSON = JsonFactory.builder().build();

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        Response response = chain.proceed(request);
        if (!asksForJson(request) || !response.isSuccessful() || response.code() == 204 || response.code() == 205) {
            return response;
        }
        ResponseBody body = response.body();
        if (body == null || body.contentLength() == 0) {
            return response;
        }
        MediaType type = body.contentType();
        byte[] bytes;
        try (body) {
            bytes = body.bytes();
        }
        if (bytes.length == 0) {
            return response.newBuilder().body(ResponseBody.create(bytes, type)).build();
        }
        String answered = "answered HTTP " + response.code() + " with " + (type == null ? "no Content-Type" : type);
        if (type != null && !isJson(type)) {
            throw new UnexpectedBodyException(response.code(), true, answered + " instead of JSON; it begins: "
                    + quoted(bytes, type, request));
        }
        try (JsonParser parser = JSON.createParser(bytes)) {
            while (parser.nextToken() != null) {
                parser.skipChildren();
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String why = e instanceof JsonEOFException
                    ? "it ends before the JSON is complete, after " + bytes.length + " bytes (cut off?)"
                    : "it is not well-formed JSON";
            throw new UnexpectedBodyException(response.code(), false, answered + ", but the body breaks" + where + ": "
                    + why + "; it begins: " + quoted(bytes, type, request));
        }
        return response.newBuilder().body(ResponseBody.create(bytes, type)).build();
    }

    static boolean asksForJson(Request request) {
        for (String accept : request.headers("Accept")) {
            if (accept.toLowerCase(Locale.ROOT).contains("json")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isJson(MediaType type) {
        String subtype = type.subtype().toLowerCase(Locale.ROOT);
        return subtype.equals("json") || subtype.endsWith("+json");
    }

    private static String quoted(byte[] bytes, MediaType type, Request request) {
        int length = Math.min(bytes.length, 4 * QUOTED_CHARS + 4096);
        Charset charset = type == null ? StandardCharsets.UTF_8 : type.charset(StandardCharsets.UTF_8);
        String text = new String(bytes, 0, length, charset);
        List<String> secrets = Redaction.secretValuesOf(request, SecretNames.DEFAULT);
        String quoted = Redaction.sanitize(text, secrets, QUOTED_CHARS);
        return quoted.isEmpty() ? "(white space only)" : "'" + quoted + "'";
    }
}
