/**
 * The connector kit: what every connector needs and no CRM owns, written once. A job poller for the
 * CRMs that prepare work as jobs (imports, exports, uploads), chunking by count and size, look-up
 * candidates matched back to their requests, paged and hydrating change streams. The SPI
 * ({@code org.crmsync.spi}) says what a connector is; the kit is how one is written quickly.
 */
package org.crmsync.kit;
