/**
 * The HTTP plumbing every connector shares: {@link org.crmsync.http.HttpClients} builds the one
 * {@code OkHttpClient} a connector uses, with HTTPS enforcement, retries ({@link
 * org.crmsync.http.RetryPolicy}) within a deadline per call, client-side rate limiting ({@link
 * org.crmsync.http.RateLimiter}), API call metering, a check that JSON answers are JSON, and logging
 * without secrets or personal data; {@link org.crmsync.http.HttpSettings} declares the timeout, attempt
 * and deadline config keys every connector takes; {@link org.crmsync.http.ConnectionFailure} classifies
 * a failed call's {@code IOException} and words it; {@link org.crmsync.http.HttpErrors} turns an
 * unsuccessful response into a {@code CrmSyncException}; {@link org.crmsync.http.Redaction} keeps
 * secrets and personal data out of messages and logs.
 *
 * <p>Interceptor order, outermost first: HTTPS guard, JSON body check, retry, rate limiter, API call
 * meter, logging. The rate limiter, the meter and the log line therefore see every attempt, retries
 * included; the JSON check sees the answer the retries end with.
 */
package org.crmsync.http;
