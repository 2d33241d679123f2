package org.crmsync.salesforce.internal;

import java.util.List;
import okhttp3.ResponseBody;
import retrofit2.Call;
import retrofit2.http.Body;
import retrofit2.http.GET;
import retrofit2.http.Header;
import retrofit2.http.PATCH;
import retrofit2.http.POST;
import retrofit2.http.Path;
import retrofit2.http.Query;
import retrofit2.http.Streaming;
import retrofit2.http.Url;

/**
 * Salesforce REST API resources, relative to {@code {instance_url}/services/data/vNN.N/} (the
 * instance URL comes from the token response; never a hard-coded pod). Every call carries {@code
 * Authorization: Bearer <access_token>}. Sources: REST API Developer Guide,
 * https://developer.salesforce.com/docs/platform/api-rest/guide/ (resources-query, dome-query,
 * resources-composite-sobjects-collections-create / -update, resources-composite-composite-post,
 * dome-sobject-describe).
 */
interface SalesforceApi {
    /** {@code GET query?q=<SOQL>}; pages follow {@code nextRecordsUrl} until {@code done}. */
    @GET("query")
    Call<QueryResult> query(@Header("Authorization") String authorization,
            @Header("Sforce-Query-Options") String queryOptions, @Query("q") String soql);

    /** The next page: {@code GET {instance_url}{nextRecordsUrl}}, the URL used verbatim. */
    @GET
    Call<QueryResult> queryMore(@Header("Authorization") String authorization,
            @Header("Sforce-Query-Options") String queryOptions, @Url String nextRecordsUrl);

    /**
     * {@code POST composite}: the subrequests run on the server and come back in one answer, one call
     * against the API limits. This connector sends only query subrequests in it (so it applies nothing
     * and may be sent again).
     */
    @POST("composite")
    Call<CompositeResponse> composite(@Header("Authorization") String authorization, @Body CompositeRequest request);

    @GET("sobjects/{type}/describe")
    Call<DescribeResult> describe(@Header("Authorization") String authorization, @Path("type") String sObjectType);

    /** sObject Collections create: up to 200 records, results in request order (200 OK). */
    @POST("composite/sobjects")
    Call<List<SaveResult>> create(@Header("Authorization") String authorization, @Body CollectionRequest request);

    /** sObject Collections update by Id: up to 200 records, results in request order (200 OK). */
    @PATCH("composite/sobjects")
    Call<List<SaveResult>> update(@Header("Authorization") String authorization, @Body CollectionRequest request);

    /**
     * A report's CSV export ({@code /00O...?export=1&enc=UTF-8&xf=csv}). This is the UI's export link,
     * not a REST resource: it authenticates with the session cookie {@code sid}, and clients also send
     * the bearer token (observed in client code; see the reference notes, Part A9).
     */
    @Streaming
    @GET
    Call<ResponseBody> export(@Url String exportUrl, @Header("Authorization") String authorization,
            @Header("Cookie") String sessionCookie);
}
