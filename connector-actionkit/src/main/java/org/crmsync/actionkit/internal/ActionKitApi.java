package org.crmsync.actionkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.MultipartBody;
import okhttp3.RequestBody;
import retrofit2.Call;
import retrofit2.http.Body;
import retrofit2.http.GET;
import retrofit2.http.Multipart;
import retrofit2.http.PATCH;
import retrofit2.http.POST;
import retrofit2.http.Part;
import retrofit2.http.Path;
import retrofit2.http.Url;

/**
 * ActionKit REST API v1 resources, relative to {@code https://{host}/}. Every path ends in a slash:
 * ActionKit redirects a GET without one (301 with an empty HTML body, cassette {@code list_tags.yml}),
 * and a POST or PATCH without one is not redirect-safe. Related objects are resource URIs such as
 * {@code /rest/v1/user/350568/}. Sources: docs.actionkit.com/docs/manual/api/rest/ (overview, users,
 * actionprocessing, uploads, requests) and the reference notes §1 and §7.
 */
interface ActionKitApi {
    /** Any collection or object by its URL (filters, ordering and paging in its query string). */
    @GET
    Call<JsonNode> get(@Url String url);

    /** Create a user: 201 with {@code Location: .../rest/v1/user/{id}/}; 409 when the email is taken. */
    @POST("rest/v1/user/")
    @Retryable
    Call<Void> createUser(@Body JsonNode user);

    /** Partial update; custom fields in a nested {@code fields} object (cassette rest_user_custom_fieds.yml). */
    @PATCH("rest/v1/user/{id}/")
    @Retryable
    Call<Void> updateUser(@Path("id") String id, @Body JsonNode changes);

    /** Create a phone: {@code user} (URI), {@code type}, {@code phone}, {@code source}; 201 with Location. */
    @POST("rest/v1/phone/")
    @Retryable
    Call<Void> createPhone(@Body JsonNode phone);

    @PATCH("rest/v1/phone/{id}/")
    @Retryable
    Call<Void> updatePhone(@Path("id") String id, @Body JsonNode changes);

    /** Action processing: {@code page} (short name), {@code akid} or {@code email}, {@code action_*} fields. */
    @POST("rest/v1/action/")
    Call<JsonNode> action(@Body JsonNode action);

    /** A multipart upload: every parameter in the body ("parameters in the query string will be ignored"). */
    @Multipart
    @POST("rest/v1/upload/")
    Call<Void> upload(@Part("page") RequestBody page, @Part("autocreate_user_fields") RequestBody autocreate,
            @Part("user_fields_only") RequestBody userFieldsOnly, @Part MultipartBody.Part file);
}
