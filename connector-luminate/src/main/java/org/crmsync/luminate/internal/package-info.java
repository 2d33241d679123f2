/**
 * The Luminate Online server API over Retrofit: form-encoded POSTs to the {@code SRConsAPI},
 * {@code SRDonationAPI} and {@code SRAdvocacyAPI} servlets, Luminate's error answers, and its JSON
 * quirks. Not part of the public API.
 */
package org.crmsync.luminate.internal;
