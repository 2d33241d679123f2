/**
 * The HTTP plumbing every connector shares: {@link org.crmsync.http.HttpClients} builds the one
 * {@code OkHttpClient} a connector uses, with HTTPS enforcement, retries ({@link
 * org.crmsync.http.RetryPolicy}), client-side rate limiting ({@link org.crmsync.http.RateLimiter}),
 * API call metering and redacted logging; {@link org.crmsync.http.HttpErrors} turns an unsuccessful
 * response into a {@code CrmSyncException}; {@link org.crmsync.http.Redaction} keeps secrets out of
 * messages.
 *
 * <p>Interceptor order, outermost first: HTTPS guard, retry, rate limiter, API call meter, logging.
 * The rate limiter, the meter and the log line therefore see every attempt, retries included.
 */
package org.crmsync.http;
