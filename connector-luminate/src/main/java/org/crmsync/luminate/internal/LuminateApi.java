package org.crmsync.luminate.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import okhttp3.ResponseBody;
import retrofit2.Call;
import retrofit2.http.FieldMap;
import retrofit2.http.FormUrlEncoded;
import retrofit2.http.GET;
import retrofit2.http.Header;
import retrofit2.http.POST;
import retrofit2.http.Path;
import retrofit2.http.Streaming;
import retrofit2.http.Tag;
import retrofit2.http.Url;

/**
 * The server servlets, relative to {@code https://{host}[/{organization}]/site/}. "HTTP POST only": any
 * other method is refused with 405 (status-error-codes-server.html), so every call is a form-encoded
 * POST whose fields carry {@code method}, {@code api_key}, {@code v=1.0}, {@code login_name},
 * {@code login_password} and {@code response_format=json} (the default is XML). Credentials travel in
 * the body, never in the URL, so no log line of a URL can carry them. Sources: open.convio.com apidoc
 * (getUser, create, createOrUpdate, update, listUserFields, addOfflineDonation, takeAction); notes in
 * shared/reference/actionkit-everyaction-luminate-api.md §3 and §7.
 */
interface LuminateApi {
    /** One method of a servlet: {@code SRConsAPI}, {@code SRDonationAPI} or {@code SRAdvocacyAPI}. */
    @FormUrlEncoded
    @POST("{servlet}")
    Call<JsonNode> call(@Path("servlet") String servlet, @FieldMap Map<String, String> fields,
            @Tag LuminateClient.Repeat repeat);

    /** The changed-records file at an https (or, in tests, http) URL, streamed. */
    @Streaming
    @GET
    Call<ResponseBody> download(@Url String url, @Header("Authorization") String authorization);
}
