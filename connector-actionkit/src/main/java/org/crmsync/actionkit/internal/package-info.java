/**
 * The ActionKit REST API v1 client the connector is built on: a Retrofit interface over Jackson trees,
 * HTTP Basic authentication, trailing slashes, a bound on requests in flight, and ActionKit's error
 * shapes read into one line. Not API: these types may change in any release.
 */
package org.crmsync.actionkit.internal;
